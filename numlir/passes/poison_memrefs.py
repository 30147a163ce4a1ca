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

from numlir.passes.rewriting import find_ops, replace_with_stack_slot

NAME = "poison-memrefs"


def replace_poison_memrefs(module):
    """Rewrite every memref-typed ``ub.poison`` in ``module``'s functions (in place)."""
    for op in find_ops(module, lambda op: op.name == "ub.poison"
                       and isinstance(op.results[0].type, ir.MemRefType)):
        mt = ir.MemRefType(op.results[0].type)
        replace_with_stack_slot(op, ir.MemRefType.get([0] * mt.rank, mt.element_type))


replace_poison_memrefs.pass_name = NAME
