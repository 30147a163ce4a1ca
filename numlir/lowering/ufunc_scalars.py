"""NumPy ufuncs applied to scalars (``np.divide(x, 2)``, ``np.sqrt(x)``): NumPy's semantics, so
no ZeroDivisionError, inf/nan instead. Arrays go through the elementwise lowering."""
from __future__ import annotations

import cmath
import math
import operator

import numpy as np
from mlir.dialects import arith
from numba.core import types, typing

from numlir.lowering.fusion import fusible
from numlir.lowering.ordering import extreme
from numlir.lowering.registry import lower

Num = types.Number


_PREDICATES = (math.isnan, math.isinf, math.isfinite)


_COMPLEX = {math.sqrt: cmath.sqrt, math.exp: cmath.exp, math.log: cmath.log,
            math.log10: cmath.log10, math.sin: cmath.sin, math.cos: cmath.cos,
            math.tan: cmath.tan, math.asin: cmath.asin, math.acos: cmath.acos,
            math.atan: cmath.atan, math.sinh: cmath.sinh, math.cosh: cmath.cosh,
            math.tanh: cmath.tanh, math.isnan: cmath.isnan, math.isinf: cmath.isinf,
            math.isfinite: cmath.isfinite}


def _via(py_op):
    """The ufunc as the scalar rule of ``py_op`` on arguments converted to the result type
    (predicates and ``abs`` keep their argument's type; complex arguments use ``cmath``)."""
    def rule(ctx, sig, args):
        rt = sig.return_type
        keep = py_op in _PREDICATES or (py_op is abs and isinstance(sig.args[0], types.Complex))
        at = sig.args[0] if keep else rt
        op = _COMPLEX.get(py_op, py_op) if isinstance(at, types.Complex) else py_op
        vals = [ctx.cast(v, t, at) for v, t in zip(args, sig.args)]
        if isinstance(at, types.Complex) and py_op in _COMPLEX_SPECIAL:
            return ctx.cast(_COMPLEX_SPECIAL[py_op](ctx, at, *vals), at, rt)
        inner = sig.replace(args=(at,) * len(vals))
        rsig = ctx.tir_typing_context().resolve_function_type(op, inner.args, {})
        if rsig is None or len(rsig.args) != len(vals) or any(
                isinstance(t, types.BaseTuple) for t in rsig.args):     # min/max take *args
            return ctx.call_rule(ctx.resolve_op(op, inner), inner, vals)
        vals = [ctx.cast(v, at, t) for v, t in zip(vals, rsig.args)]
        out = ctx.call_rule(ctx.resolve_op(op, rsig), rsig, vals)
        return ctx.cast(out, rsig.return_type, rt)
    return rule


def _complex_log_base(base):
    """log10/log2 of complex numbers: cmath.log scaled by 1/ln(base)."""
    def build(ctx, ty, z):
        from mlir.dialects import complex as cplx
        log = ctx.call_rule(ctx.resolve_op(cmath.log, typing.signature(ty, ty)),
                            typing.signature(ty, ty), [z])
        re, im = cplx.re(log), cplx.im(log)
        scale = arith.constant(re.type, 1.0 / math.log(base))
        return cplx.create_(log.type, arith.mulf(re, scale), arith.mulf(im, scale))
    return build


_COMPLEX_SPECIAL = {min: lambda ctx, ty, a, b: extreme(a, b, ty, largest=False),
                    max: lambda ctx, ty, a, b: extreme(a, b, ty, largest=True),
                    math.log10: _complex_log_base(10.0), math.log2: _complex_log_base(2.0)}


def _true_divide(ctx, sig, args):
    rt = sig.return_type
    a, b = (ctx.cast(v, t, rt) for v, t in zip(args, sig.args))
    if isinstance(rt, types.Complex):       # NumPy: no exception on a zero divisor
        from mlir.dialects import complex as cplx
        return cplx.div(a, b)
    return arith.divf(a, b)


_TABLE = {np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
          np.negative: operator.neg, np.sqrt: math.sqrt, np.exp: math.exp, np.log: math.log,
          np.sin: math.sin, np.cos: math.cos, np.tan: math.tan, np.arctan2: math.atan2,
          np.floor: math.floor, np.ceil: math.ceil, np.absolute: abs, np.power: operator.pow,
          np.minimum: min, np.maximum: max, np.hypot: math.hypot, np.isnan: math.isnan,
          np.isinf: math.isinf, np.isfinite: math.isfinite, np.arcsin: math.asin,
          np.arccos: math.acos, np.arctan: math.atan, np.sinh: math.sinh, np.cosh: math.cosh,
          np.tanh: math.tanh, np.log10: math.log10, np.log2: math.log2, np.log1p: math.log1p,
          np.expm1: math.expm1, np.trunc: math.trunc, np.fabs: math.fabs}

_B = types.Boolean
_SCALAR_PATTERNS = {1: ((Num,), (_B,)), 2: ((Num, Num), (_B, Num), (Num, _B), (_B, _B))}
for _uf, _py in _TABLE.items():
    for _pats in _SCALAR_PATTERNS[_uf.nin]:
        lower(_uf, *_pats)(_via(_py))
lower(np.divide, Num, Num)(_true_divide)
lower(np.true_divide, Num, Num)(_true_divide)


def _on_arrays(uf, scalar_rule):
    """The ufunc over arrays (and scalars) with broadcasting: a lazy (fusible) array expression."""
    def rule(ctx, sig, args):
        from numlir.lowering import lazy_arrays as la
        from numlir.lowering.array_elementwise import lazy_elementwise
        resty = sig.return_type
        scalar_types = tuple(t.dtype if isinstance(t, types.Array) else t for t in sig.args)
        inner = sig.replace(args=scalar_types, return_type=la.elem_type(resty))
        return lazy_elementwise(ctx, resty, list(zip(sig.args, args)),
                                lambda vals: scalar_rule(ctx, inner, vals))
    return fusible(rule)


def _with_out(rule):
    """``ufunc(..., out)``: the expression computed straight into ``out``, which is returned."""
    def with_out(ctx, sig, args):
        from numlir.lowering import lazy_arrays as la
        from numlir.lowering.array_operators import assign_expression
        outty = sig.args[-1]
        if not outty.mutable:
            from numlir.errors import UnsupportedError
            raise UnsupportedError("a ufunc writing to a read-only array", sig.args, loc=ctx.loc)
        resty = outty.copy(dtype=sig.return_type.dtype, layout="C", readonly=False)
        inner = sig.replace(args=sig.args[:-1], return_type=resty)
        value = rule(ctx, inner, args[:-1])
        return assign_expression(ctx, outty, args[-1], la.as_leaf(resty, value))
    return fusible(with_out)


_A = types.Array
for _uf, _py in list(_TABLE.items()) + [(np.divide, None), (np.true_divide, None)]:
    _scalar = _true_divide if _py is None else _via(_py)
    _rule = _on_arrays(_uf, _scalar)
    lower(_uf, *([Num] * _uf.nin), _A)(_with_out(_rule))     # np.add(2, 1.5, out)
    if _uf is np.power:       # on arrays: array_operators (NumPy's integer powers), out= too
        continue
    for _pats in (((_A,),) if _uf.nin == 1 else ((_A, _A), (_A, Num), (Num, _A), (_A, _B),
                                                  (_B, _A))):
        lower(_uf, *_pats)(_rule)
        lower(_uf, *_pats, _A)(_with_out(_rule))



def _number_class(ctx, sig, args):
    """``np.float64(x)``, ``dtype.type(x)``: a conversion."""
    return ctx.cast(args[0], sig.args[0], sig.return_type)


lower(types.NumberClass, types.Number)(_number_class)   # the key Numba's NumberClass reports
lower(types.NumberClass, types.Boolean)(_number_class)
for _cls in set(np.sctypeDict.values()):
    if issubclass(_cls, (np.number, np.bool_)):
        lower(_cls, types.Number)(_number_class)
        lower(_cls, types.Boolean)(_number_class)


@lower(np.conjugate, Num)
@lower(np.conj, Num)
def _conjugate(ctx, sig, args):
    from mlir.dialects import complex as cplx
    if isinstance(sig.args[0], types.Complex):
        return cplx.conj(args[0])
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower(np.real, Num)
def _real(ctx, sig, args):
    from mlir.dialects import complex as cplx
    x = cplx.re(args[0]) if isinstance(sig.args[0], types.Complex) else args[0]
    return ctx.cast(x, sig.args[0].underlying_float if isinstance(sig.args[0], types.Complex)
                    else sig.args[0], sig.return_type)


for _key in (np.conjugate, np.conj):
    _conj_rule = _on_arrays(_key, _conjugate)
    lower(_key, types.Array)(_conj_rule)
    lower(_key, types.Array, types.Array)(_with_out(_conj_rule))
