"""Python builtins on scalars and tuples: bool/int/float/complex, abs, min, max, round, pow, len."""
from __future__ import annotations

import math
import operator

from mlir.dialects import arith
from mlir.dialects import complex as cplx
from mlir.dialects import math as mmath
from numba.core import types

from numlir.lowering import datamodel as dm
from numlir.lowering.intrinsics import rint_as
from numlir.lowering.math import libm_call
from numlir.lowering.registry import lower

Int, Float, Complex, Bool = types.Integer, types.Float, types.Complex, types.Boolean


@lower(bool, types.Any)
@lower(int, types.Any)
@lower(float, types.Any)
def _convert(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower(bool)
@lower(int)
@lower(float)
@lower(complex)
def _zero_value(ctx, sig, args):
    return ctx.const(sig.return_type, 0)


@lower(complex, types.Number)
@lower(complex, Bool)
def _complex1(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower(complex, types.Any, types.Any)
def _complex2(ctx, sig, args):
    rt = sig.return_type
    ft = rt.underlying_float
    if not any(isinstance(t, Complex) for t in sig.args):
        re, im = (ctx.cast(v, t, ft) for v, t in zip(args, sig.args))
        return cplx.CreateOp(dm.scalar_type(rt), re, im).result
    # complex(a, b) = a + b*1j for complex a or b
    re = ctx.cast(args[0], sig.args[0], rt)
    im = ctx.cast(args[1], sig.args[1], rt)
    return cplx.add(re, cplx.mul(im, ctx.const(rt, 1j)))


@lower(abs, Int)
def _abs_int(ctx, sig, args):
    (a,) = args
    if not sig.args[0].signed:
        return a
    neg = arith.cmpi(arith.CmpIPredicate.slt, a, ctx.const(sig.args[0], 0))
    return ctx.cast(arith.select(neg, arith.subi(ctx.const(sig.args[0], 0), a), a),
                    sig.args[0], sig.return_type)


@lower(abs, Float)
def _abs_float(ctx, sig, args):
    return mmath.absf(args[0])


@lower(abs, Complex)
def _abs_complex(ctx, sig, args):
    # CPython and Numba use hypot (correctly rounded); complex.abs's expansion is 1 ulp off often
    z = args[0]
    ft = sig.args[0].underlying_float
    return ctx.cast(libm_call(ctx, "hypot", ft, [cplx.re(z), cplx.im(z)]), ft, sig.return_type)


@lower(abs, Bool)
def _abs_bool(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


def _minmax(pred_float, pred_int):
    def rule(ctx, sig, args):
        rt = sig.return_type
        argtypes = list(sig.args)
        # min(*args) packs its arguments in a tuple, and min(tuple) adds one more level
        while len(args) == 1 and isinstance(argtypes[0], types.BaseTuple):
            args = dm.tuple_items(argtypes[0], args[0])
            argtypes = list(argtypes[0].types)
        vals = [ctx.cast(v, t, rt) for v, t in zip(args, argtypes)]
        result = vals[0]
        for v in vals[1:]:
            # Python keeps the first of equal (or unordered) values: replace only on strict order
            if isinstance(rt, Float):
                better = arith.cmpf(pred_float, v, result)
            else:
                signed = isinstance(rt, Int) and rt.signed     # bools compare unsigned
                better = arith.cmpi(pred_int[0] if signed else pred_int[1], v, result)
            result = arith.select(better, v, result)
        return result
    return rule


_min = _minmax(arith.CmpFPredicate.OLT, (arith.CmpIPredicate.slt, arith.CmpIPredicate.ult))
_max = _minmax(arith.CmpFPredicate.OGT, (arith.CmpIPredicate.sgt, arith.CmpIPredicate.ugt))
lower(min, types.Any, varargs=True)(_min)
lower(max, types.Any, varargs=True)(_max)


@lower(round, Float)
def _round1(ctx, sig, args):
    return ctx.cast(mmath.roundeven(args[0]), sig.args[0], sig.return_type)


@lower(round, Int)
def _round_int(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


def _round_ndigits(x, ndigits):
    """Numba's round(x, ndigits): scale in float64, round half to even in x's type, unscale."""
    if math.isinf(x) or math.isnan(x):
        return x
    if ndigits >= 0:
        if ndigits > 22:
            pow1 = 10.0 ** (ndigits - 22)
            pow2 = 1e22
        else:
            pow1 = 10.0 ** ndigits
            pow2 = 1.0
        y = (x * pow1) * pow2
        if math.isinf(y):
            return x
        return (rint_as(y, x) / pow2) / pow1
    pow1 = 10.0 ** (-ndigits)
    y = x / pow1
    return rint_as(y, x) * pow1


@lower(round, Float, Int)
def _round2(ctx, sig, args):
    return ctx.call_python(_round_ndigits, sig, args)


@lower(pow, types.Any, types.Any)
def _pow(ctx, sig, args):
    key = ctx.resolve_op(operator.pow, sig)
    return ctx.call_rule(key, sig, args, what="pow")


@lower(len, types.BaseTuple)
def _len_tuple(ctx, sig, args):
    return ctx.const(sig.return_type, len(sig.args[0]))
