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

from numlir.passes.rewriting import find_ops, replace_with_stack_slot

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


def _eligible(op):
    if op.name != "memref.alloc":
        return False
    ty = op.results[0].type
    return isinstance(ty, ir.MemRefType) and ty.rank == 0 and _local(op.results[0])


def scalar_buffers_to_stack(module):
    """Rewrite every eligible 0-d ``memref.alloc`` in ``module`` (in place)."""
    for op in find_ops(module, _eligible):
        replace_with_stack_slot(op, op.results[0].type, _SCOPES)


scalar_buffers_to_stack.pass_name = NAME
