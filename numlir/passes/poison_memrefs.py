"""poison-memrefs: memref `ub.poison` values become empty stack buffers before buffer deallocation.

``lift-cf-to-scf`` yields ``ub.poison`` for a value on the paths where it is undefined (a loop's
next value on its exit path, a result on an error path). Ownership-based deallocation then compares
that pointer with the others reaching the join, and in LLVM ``and (icmp poison), false`` is poison:
the "caller owns it" flags become arbitrary, so a returned argument could be freed by its capsule
or a new buffer leak. An empty ``memref.alloca`` is never freed and compares unequal to every heap
buffer, which keeps the flags exact.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import memref

NAME = "poison-memrefs"


def replace_poison_memrefs(module):
    """Rewrite every memref-typed ``ub.poison`` in ``module``'s functions (in place)."""
    found = []

    def collect(op):
        if op.name == "ub.poison" and isinstance(op.results[0].type, ir.MemRefType):
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    for op in found:
        func_op = op.parent
        while func_op.name != "func.func":
            func_op = func_op.parent
        entry = func_op.regions[0].blocks[0]
        mt = ir.MemRefType(op.results[0].type)
        with ir.InsertionPoint.at_block_begin(entry), op.location:
            empty = memref.alloca(ir.MemRefType.get([0] * mt.rank, mt.element_type), [], [])
            cast = memref.cast(mt, empty)
        op.results[0].replace_all_uses_with(cast)
        op.erase()


replace_poison_memrefs.pass_name = NAME
