"""``np.isclose`` (a fusible elementwise expression) and ``np.allclose`` (a fused all-reduction of
it, no temporary array), on arrays and scalars, keyed by the NumPy functions themselves so they
take precedence over Numba's implementations (which build lists of broadcast arrays)."""
from __future__ import annotations

import math

import numpy as np
from mlir.dialects import arith
from mlir.dialects import math as mmath
from numba.core import types
from numba.np.numpy_support import as_dtype, from_dtype

from numlir.errors import UnsupportedError
from numlir.lowering.fusion import fusible
from numlir.lowering.registry import lower

F = arith.CmpFPredicate
Arr = types.Array


def _elem(ty):
    return ty.dtype if isinstance(ty, Arr) else ty


def _compute_type(sig):
    """The type NumPy compares in: the inputs' common type, at least a float."""
    a, b = (_elem(t) for t in sig.args[:2])
    for t in (a, b):
        if not isinstance(t, (types.Integer, types.Float, types.Boolean)):
            raise UnsupportedError("np.isclose of non-numeric values", sig.args)
    common = np.result_type(as_dtype(a), as_dtype(b))
    return from_dtype(common if common.kind == "f" else np.dtype(np.float64))


def _option(ctx, sig, args, index, default, ty):
    """Argument ``index`` (rtol, atol, equal_nan) converted to ``ty``, or its default."""
    if index >= len(sig.args) or isinstance(sig.args[index], (types.Omitted, types.NoneType)):
        return ctx.const(ty, default)
    return ctx.cast(args[index], sig.args[index], ty)


def _close_fn(ctx, sig, args):
    """``fn(a, b) -> i1`` on elements: NumPy's |a - b| <= atol + rtol * |b| for finite values,
    equality for infinities, ``equal_nan`` for two NaNs. (Numba's typing admits no complex.)"""
    ft = _compute_type(sig)
    rtol = _option(ctx, sig, args, 2, 1e-05, ft)
    atol = _option(ctx, sig, args, 3, 1e-08, ft)
    equal_nan = _option(ctx, sig, args, 4, False, types.boolean)
    a_ty, b_ty = _elem(sig.args[0]), _elem(sig.args[1])
    inf = ctx.const(ft, math.inf)

    def fn(x, y):
        x, y = ctx.cast(x, a_ty, ft), ctx.cast(y, b_ty, ft)
        within = arith.cmpf(F.OLE, mmath.absf(arith.subf(x, y)),
                            arith.addf(atol, arith.mulf(rtol, mmath.absf(y))))
        finite = arith.andi(arith.cmpf(F.ONE, mmath.absf(x), inf),
                            arith.cmpf(F.ONE, mmath.absf(y), inf))
        both_nan = arith.andi(arith.cmpf(F.UNO, x, x), arith.cmpf(F.UNO, y, y))
        # finite: within tolerance; an infinity (no nan): equal only; both nan: equal_nan
        out = arith.select(finite, within, arith.cmpf(F.OEQ, x, y))
        return arith.ori(out, arith.andi(equal_nan, both_nan))
    return fn


@lower(np.isclose, types.Any, types.Any, types.Any, varargs=True)
@lower(np.isclose, types.Any, types.Any)
@fusible
def lower_isclose(ctx, sig, args):
    from numlir.lowering.array_elementwise import lazy_elementwise
    close = _close_fn(ctx, sig, args)
    rt = sig.return_type
    if not isinstance(rt, Arr):
        return _scalar_close(ctx, sig, args, close)
    operands = list(zip(sig.args[:2], args[:2]))
    return lazy_elementwise(ctx, rt, operands, lambda vals: close(*vals))


def _scalar_close(ctx, sig, args, close):
    from numlir.lowering import array_views as av
    from numlir.lowering import lazy_arrays as la
    vals = []
    for t, v in zip(sig.args[:2], args[:2]):
        if isinstance(t, Arr):            # a 0-d array
            v = av.load_elem(ctx, la.materialize(ctx, v) if isinstance(v, la.LazyArray) else v,
                             [], t.dtype)
        vals.append(v)
    return close(*vals)


@lower(np.allclose, types.Any, types.Any, types.Any, varargs=True)
@lower(np.allclose, types.Any, types.Any)
@fusible
def lower_allclose(ctx, sig, args):
    from numlir.lowering import lazy_arrays as la
    from numlir.lowering.array_elementwise import lazy_elementwise
    close = _close_fn(ctx, sig, args)
    if not any(isinstance(t, Arr) and t.ndim > 0 for t in sig.args[:2]):
        return _scalar_close(ctx, sig, args, close)
    arrays = [t for t in sig.args[:2] if isinstance(t, Arr)]
    resty = Arr(types.boolean, max(t.ndim for t in arrays), "C")
    lazy = lazy_elementwise(ctx, resty, list(zip(sig.args[:2], args[:2])),
                            lambda vals: close(*vals))
    # an i8 accumulator: the reduction's 0-d buffer cannot hold i1
    i8 = types.uint8
    found = la.reduce(ctx, lazy, i8, ctx.const(i8, 1),
                      lambda acc, x: arith.andi(acc, ctx.cast(x, types.boolean, i8)),
                      lambda p, q: arith.andi(p, q))
    return ctx.cast(found, i8, types.boolean)
