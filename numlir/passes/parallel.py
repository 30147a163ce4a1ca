"""Pipeline stages of modules with parallel regions (``scf.parallel`` over chunks, from ``prange``
loops and from array expressions of ``parallel=True`` functions).

After buffer deallocation, ``async-parallel-for`` outlines each ``scf.parallel`` body into a
function run as tasks of MLIR's async runtime (one task per chunk; the caller runs one chunk
itself, and a single chunk is called directly with no task at all), and the async dialect is
lowered to runtime calls. Modules without parallel regions keep ``CPU_STAGES`` unchanged.
"""
from __future__ import annotations

from mlir import ir

NOINLINE_NAME = "noinline-parallel-bodies"
OUTLINED_PREFIX = "parallel_compute_fn"     # async-parallel-for's name for an outlined body


def noinline_parallel_bodies(module):
    """Keep each outlined chunk body one function: LLVM would otherwise inline it both into the
    caller (which runs chunk 0) and into the task's coroutine, compiling every loop nest, with
    its vectorized and broadcasting variants, two or three times (parallel Black-Scholes: 1.9 s
    of LLVM instead of 0.35 s serial). The call costs nothing next to a chunk of work."""
    noinline = ir.ArrayAttr.get([ir.StringAttr.get("noinline")])
    for op in module.body.operations:
        if op.operation.name == "func.func" and \
                op.attributes["sym_name"].value.startswith(OUTLINED_PREFIX):
            op.attributes["passthrough"] = noinline


noinline_parallel_bodies.pass_name = NOINLINE_NAME

PARALLEL_STAGE = ("parallel", [
    "async-parallel-for{async-dispatch=false num-workers=-1 min-task-size=1}",
    noinline_parallel_bodies,
    "async-to-async-runtime", "async-runtime-ref-counting", "async-runtime-ref-counting-opt",
    "convert-async-to-llvm", "canonicalize",
])


def with_parallel_stage(stages, after="dealloc"):
    """``stages`` with the parallel stage inserted after the stage named ``after``."""
    names = [name for name, _ in stages]
    pos = names.index(after) + 1
    return list(stages[:pos]) + [PARALLEL_STAGE] + list(stages[pos:])
