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


def rint_as(y, like):
    """Round ``y`` half to even in the float type of ``like`` (Numba's ``round(x, n)`` rounds the
    scaled float64 value in x's type: float32 inputs round after narrowing)."""
    return float(round(y))


@infer_global(rint_as)
class _RintAsTemplate(ConcreteTemplate):
    cases = [signature(t, y, t) for t in (types.float64, types.float32)
             for y in (types.float64, types.float32)]


@lower(rint_as, types.Float, types.Float)
def _lower_rint_as(ctx, sig, args):
    return mmath.roundeven(ctx.cast(args[0], sig.args[0], sig.return_type))
