"""split-dealloc: one ``bufferization.dealloc`` per deallocated memref, ownership results or-ed.

MLIR lowers a multi-memref dealloc through a generic helper that keeps i1 flags in memrefs, and
this MLIR build's LLVM lowering rejects sub-byte memref elements (an assertion). Distinct
allocations never alias, so splitting is exact (the op's documentation describes this split).
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, bufferization

from numlir.passes.rewriting import find_ops

NAME = "split-dealloc"


def split_deallocs(module):
    """Rewrite every multi-memref ``bufferization.dealloc`` in ``module`` (in place)."""
    found = find_ops(module, lambda op: op.name == "bufferization.dealloc"
                     and len(op.opview.memrefs) > 1)
    for op in (op.opview for op in found):
        retained = list(op.retained)
        combined = None
        with ir.InsertionPoint(op), op.location:
            for m, c in zip(op.memrefs, op.conditions):
                part = bufferization.DeallocOp([m], [c], retained)
                results = list(part.results)
                combined = results if combined is None else [
                    arith.ori(a, b) for a, b in zip(combined, results)]
        for old, new in zip(op.results, combined or []):
            old.replace_all_uses_with(new)
        op.operation.erase()


split_deallocs.pass_name = NAME
