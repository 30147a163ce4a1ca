"""Helpers of numlir's own Python passes: collecting the ops to rewrite, and replacing an op's
memref result with a stack slot at the start of its scope (never inside a loop body, where the
stack would grow every iteration)."""
from __future__ import annotations

from mlir import ir
from mlir.dialects import memref


def find_ops(module, wanted):
    """The operations of ``module`` for which ``wanted(op)`` holds (collected before rewriting)."""
    found = []

    def collect(op):
        if wanted(op):
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    return found


def replace_with_stack_slot(op, slot_type, scopes=("func.func",)):
    """Replace ``op`` (one memref result) by a ``memref.alloca`` of ``slot_type``, cast to the
    result's type when they differ, at the start of the nearest enclosing op named in
    ``scopes``."""
    scope = op.parent
    while scope.name not in scopes:
        scope = scope.parent
    result = op.results[0]
    with ir.InsertionPoint.at_block_begin(scope.regions[0].blocks[0]), op.location:
        slot = memref.alloca(slot_type, [], [])
        if slot_type != result.type:
            slot = memref.cast(result.type, slot)
    result.replace_all_uses_with(slot)
    op.erase()
