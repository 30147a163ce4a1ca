"""Pipeline stages of modules with parallel regions (``scf.parallel`` from ``prange`` loops).

After buffer deallocation, ``async-parallel-for`` outlines each ``scf.parallel`` body into a
function run as tasks of MLIR's async runtime (one task per chunk; the caller runs one chunk
itself, and a single chunk is called directly with no task at all), and the async dialect is
lowered to runtime calls. Modules without parallel regions keep ``CPU_STAGES`` unchanged.
"""
from __future__ import annotations

PARALLEL_STAGE = ("parallel", [
    "async-parallel-for{async-dispatch=false num-workers=-1 min-task-size=1}",
    "async-to-async-runtime", "async-runtime-ref-counting", "async-runtime-ref-counting-opt",
    "convert-async-to-llvm", "canonicalize",
])


def with_parallel_stage(stages, after="dealloc"):
    """``stages`` with the parallel stage inserted after the stage named ``after``."""
    names = [name for name, _ in stages]
    pos = names.index(after) + 1
    return list(stages[:pos]) + [PARALLEL_STAGE] + list(stages[pos:])
