"""Internal scalar primitives usable from Python helpers compiled by numlir (``ctx.call_python``).

Each is a plain Python function (so ``NUMLIR_DISABLE_JIT`` still runs), typed for Numba with a
concrete template and lowered by a rule beside it.
"""
from __future__ import annotations

from mlir.dialects import math as mmath
from numba.core import types
from numba.core.typing.templates import ConcreteTemplate, infer_global, signature

from numlir.lowering.registry import lower


def rint(x):
    """Round half to even, keeping the float type (``round(x)`` without the int conversion)."""
    return float(round(x))


@infer_global(rint)
class _RintTemplate(ConcreteTemplate):
    cases = [signature(types.float64, types.float64), signature(types.float32, types.float32)]


@lower(rint, types.Float)
def _lower_rint(ctx, sig, args):
    return mmath.roundeven(args[0])
