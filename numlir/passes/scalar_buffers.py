"""scalar-buffers-to-stack: 0-d buffers only loaded, stored and copied become one stack slot each.

Fused reductions accumulate into a 0-d tensor, which bufferizes to a heap allocation per
evaluation. Such a buffer never escapes (only ``memref.load``/``memref.store`` use it), so it can
live in a stack slot at the start of its allocation scope instead: the function's entry block,
or the body of an ``scf.parallel`` (each chunk its own slot, no race). Unlike MLIR's
``promote-buffers-to-stack``, the slot is never placed inside a loop body, where the stack would
grow every iteration, and buffers that a loop carries or a function returns are left alone
(only loads, stores and ``scf.if`` results passing the buffer on are allowed).
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import memref

NAME = "scalar-buffers-to-stack"
_SCOPES = ("func.func", "scf.parallel")
_PLAIN_USES = ("memref.load", "memref.store", "memref.copy")


def _local(value):
    """Only loaded and stored, directly or through ``scf.if`` results (a fused reduction's twin
    loop nests yield the accumulator from both branches)."""
    for use in value.uses:
        owner = use.owner
        if owner.name in _PLAIN_USES:
            continue
        if owner.name == "scf.yield" and owner.parent.name == "scf.if":
            if _local(owner.parent.results[use.operand_number]):
                continue
        return False
    return True


def scalar_buffers_to_stack(module):
    """Rewrite every eligible 0-d ``memref.alloc`` in ``module`` (in place)."""
    found = []

    def collect(op):
        if op.name == "memref.alloc":
            ty = op.results[0].type
            if isinstance(ty, ir.MemRefType) and ty.rank == 0 and _local(op.results[0]):
                found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    for op in found:
        scope = op.parent
        while scope.name not in _SCOPES:
            scope = scope.parent
        block = scope.regions[0].blocks[0]
        with ir.InsertionPoint.at_block_begin(block), op.location:
            slot = memref.alloca(op.results[0].type, [], [])
        op.results[0].replace_all_uses_with(slot)
        op.erase()


scalar_buffers_to_stack.pass_name = NAME
