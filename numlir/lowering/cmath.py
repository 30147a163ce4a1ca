"""The ``cmath`` module: predicates and phase as MLIR ops, the rest as Python helpers compiled by
numlir that follow Numba's cmathimpl (itself CPython's cmathmodule.c algorithms), so special values
(inf, nan, signed zeros) and rounding come out as in Numba.
"""
from __future__ import annotations

import cmath
import math

from mlir.dialects import arith
from mlir.dialects import complex as cplx
from mlir.dialects import math as mmath
from numba.core import types
from numba.core.typing import signature

from numlir.lowering import datamodel as dm
from numlir.lowering.math import libm_call
from numlir.lowering.registry import lower

Complex, Number = types.Complex, types.Number
NAN, INF = math.nan, math.inf
LN_4 = math.log(4)
FLT_MAX, FLT_MIN = 3.4028234663852886e38, 1.1754943508222875e-38
DBL_MAX, DBL_MIN = 1.7976931348623157e308, 2.2250738585072014e-308
LN_2 = math.log(2)
# Numba bounds the "large argument" branches by FLT_MAX for both precisions (CPython: DBL_MAX)
THRES = FLT_MAX / 4
THRES_LARGE = math.sqrt(FLT_MAX / 4)
THRES_SMALL = math.sqrt(FLT_MIN)
PI_12 = math.pi / 2
LN_10 = 2.302585092994045684


# -- predicates and phase: plain MLIR ops ----------------------------------------------------------
def _parts(ctx, sig, args):
    ty = sig.args[0]
    if isinstance(ty, Complex):
        return cplx.re(args[0]), cplx.im(args[0]), ty.underlying_float
    ft = ty if isinstance(ty, types.Float) else types.float64
    return ctx.cast(args[0], ty, ft), ctx.const(ft, 0.0), ft


def _either(ctx, sig, args, test):
    re, im, _ = _parts(ctx, sig, args)
    return arith.ori(test(re), test(im))


@lower(cmath.isnan, Number)
def _isnan(ctx, sig, args):
    return _either(ctx, sig, args, lambda x: arith.cmpf(arith.CmpFPredicate.UNO, x, x))


def _abs_cmp(pred):
    # |x| == inf and |x| < inf (ordered, so false for nan): math.isinf/isfinite do not reach LLVM
    return lambda x: arith.cmpf(pred, mmath.absf(x), arith.constant(x.type, INF))


@lower(cmath.isinf, Number)
def _isinf(ctx, sig, args):
    return _either(ctx, sig, args, _abs_cmp(arith.CmpFPredicate.OEQ))


@lower(cmath.isfinite, Number)
def _isfinite(ctx, sig, args):
    re, im, _ = _parts(ctx, sig, args)
    finite = _abs_cmp(arith.CmpFPredicate.OLT)
    return arith.andi(finite(re), finite(im))


@lower(cmath.phase, Number)
def _phase(ctx, sig, args):
    re, im, ft = _parts(ctx, sig, args)
    return ctx.cast(libm_call(ctx, "atan2", ft, [im, re]), ft, sig.return_type)


@lower(cmath.polar, Number)
def _polar(ctx, sig, args):
    re, im, ft = _parts(ctx, sig, args)
    r = libm_call(ctx, "hypot", ft, [re, im])       # Numba: math.hypot and math.atan2 (libm)
    phi = libm_call(ctx, "atan2", ft, [im, re])
    rt = sig.return_type
    return dm.make_tuple(rt, [ctx.cast(r, ft, rt[0]), ctx.cast(phi, ft, rt[1])])


# -- the rest: Python helpers (Numba's cmathimpl) ------------------------------------------------
def _rect(r, phi):
    if not math.isfinite(phi):
        if not r:
            return complex(abs(r), 0.0)                             # cmath.rect(0, inf/nan) = 0
        if math.isinf(r):
            return complex(r, phi)                                  # inf + j phi
    real = math.cos(phi)
    imag = math.sin(phi)
    # 0 * inf would give nan: keep the zero, with the sign of the product
    if real == 0. and math.isinf(r):
        real /= r
    else:
        real *= r
    if imag == 0. and math.isinf(r):
        imag /= r
    else:
        imag *= r
    return complex(real, imag)


def _exp(z):
    x = z.real
    y = z.imag
    if math.isfinite(x):
        if math.isfinite(y):
            c = math.cos(y)
            s = math.sin(y)
            r = math.exp(x)
            return complex(r * c, r * s)
        return complex(NAN, NAN)
    if math.isnan(x):
        if y:
            return complex(x, x)
        return complex(x, y)
    if x > 0.0:                         # x == +inf: avoid nan from 0 * inf
        if math.isfinite(y):
            real = math.cos(y)
            imag = math.sin(y)
            if real != 0:
                real *= x
            if imag != 0:
                imag *= x
            return complex(real, imag)
        return complex(x, NAN)
    if math.isfinite(y):                # x == -inf
        r = math.exp(x)
        c = math.cos(y)
        s = math.sin(y)
        return complex(r * c, r * s)
    return complex(0.0, 0.0)


def _log32(z):
    return complex(math.log(math.hypot(z.real, z.imag)), math.atan2(z.imag, z.real))


def _log64(z):
    """CPython's c_log: Numba's log(hypot(x, y)) loses most digits when |z| is subnormal and some
    near |z| == 1; this is CPython's (scaling, log1p) with the same results elsewhere."""
    ax = abs(z.real)
    ay = abs(z.imag)
    if ax > DBL_MAX / 4 or ay > DBL_MAX / 4:
        real = math.log(math.hypot(ax / 2., ay / 2.)) + LN_2
    elif ax < DBL_MIN and ay < DBL_MIN:
        if ax > 0. or ay > 0.:          # hypot(ax, ay) subnormal: scale by 2**53
            real = math.log(math.hypot(ax * 9007199254740992.0, ay * 9007199254740992.0)) \
                - 53 * LN_2
        else:
            real = -INF
    else:
        h = math.hypot(ax, ay)
        if 0.71 <= h <= 1.73:
            am = max(ax, ay)
            an = min(ax, ay)
            real = math.log1p((am - 1) * (am + 1) + an * an) / 2.
        else:
            real = math.log(h)
    return complex(real, math.atan2(z.imag, z.real))


def _log_base(z, base):
    return cmath.log(z) / cmath.log(base)


def _log10(z):
    # log(z) / ln(10) part by part: better than cmath.log(z, 10) on infinities (bpo-22544)
    w = cmath.log(z)
    return complex(w.real / LN_10, w.imag / LN_10)


def _make_sqrt(thres, tiny):
    def sqrt(z):
        """NumPy's npy_csqrt (Algorithm 312, CACM vol 10, Oct 1967), as Numba, but rescaling both
        parts of large results (Numba leaves one half as large) and scaling subnormal arguments up
        (Numba divides by a zero that underflowed): numlir gives CPython's and NumPy's results."""
        a = z.real
        b = z.imag
        if a == 0.0 and b == 0.0:
            return complex(abs(b), b)
        if math.isinf(b):
            return complex(abs(b), b)
        if math.isnan(a):
            return complex(a, a)
        if math.isinf(a):
            if a < 0.0:
                return complex(abs(b - b), math.copysign(a, b))
            return complex(a, math.copysign(b - b, b))
        if abs(a) >= thres or abs(b) >= thres:     # avoid overflow: sqrt(z/4) = sqrt(z)/2
            a *= 0.25
            b *= 0.25
            rescale = 2.0
        elif abs(a) < tiny and abs(b) < tiny:      # avoid underflow: sqrt(z*4^53) = 2^53 sqrt(z)
            a *= 8.112963841460668e+31            # 2.0 ** 106
            b *= 8.112963841460668e+31
            rescale = 1.1102230246251565e-16      # 2.0 ** -53
        else:
            rescale = 1.0
        if a >= 0:
            t = math.sqrt((a + math.hypot(a, b)) * 0.5)
            real = t
            imag = b / (2 * t)
        else:
            t = math.sqrt((-a + math.hypot(a, b)) * 0.5)
            real = abs(b) / (2 * t)
            imag = math.copysign(t, b)
        return complex(real * rescale, imag * rescale)
    return sqrt


_SQRT2 = 1.414213562373095048801688724209698079
_sqrt64 = _make_sqrt(DBL_MAX / (1. + _SQRT2), 2.0 ** -1000)
_sqrt32 = _make_sqrt(FLT_MAX / (1. + _SQRT2), 0.0)   # float32 parts: the work is in float64


def _cosh(z):
    x = z.real
    y = z.imag
    if math.isinf(x):
        if math.isnan(y):
            real = abs(x)
            imag = y
        elif y == 0.0:
            real = abs(x)
            imag = y
        else:
            real = math.copysign(x, math.cos(y))
            imag = math.copysign(x, math.sin(y))
        if x < 0.0:
            imag = -imag
        return complex(real, imag)
    return complex(math.cos(y) * math.cosh(x), math.sin(y) * math.sinh(x))


def _sinh(z):
    x = z.real
    y = z.imag
    if math.isinf(x):
        if math.isnan(y):
            real = x
            imag = y
        else:
            real = math.cos(y)
            imag = math.sin(y)
            if real != 0.:
                real *= x
            if imag != 0.:
                imag *= abs(x)
        return complex(real, imag)
    return complex(math.cos(y) * math.sinh(x), math.sin(y) * math.cosh(x))


def _tanh(z):
    x = z.real
    y = z.imag
    if math.isinf(x):
        real = math.copysign(1., x)
        if math.isinf(y):
            imag = 0.
        else:
            imag = math.copysign(0., math.sin(2. * y))
        return complex(real, imag)
    tx = math.tanh(x)                   # CPython's c_tanh
    ty = math.tan(y)
    cx = 1. / math.cosh(x)
    txty = tx * ty
    denom = 1. + txty * txty
    return complex(tx * (1. + ty * ty) / denom, ((ty / denom) * cx) * cx)


def _cos(z):
    return cmath.cosh(complex(-z.imag, z.real))          # cos(z) = cosh(iz)


def _sin(z):
    r = cmath.sinh(complex(-z.imag, z.real))             # sin(z) = -i sinh(iz)
    return complex(r.imag, -r.real)


def _tan(z):
    r = cmath.tanh(complex(-z.imag, z.real))             # tan(z) = -i tanh(iz)
    return complex(r.imag, -r.real)


def _acos(z):
    if abs(z.real) > THRES or abs(z.imag) > THRES:       # large arguments, infinities
        real = math.atan2(abs(z.imag), z.real)
        imag = math.copysign(math.log(math.hypot(z.real * 0.5, z.imag * 0.5)) + LN_4, -z.imag)
        return complex(real, imag)
    s1 = cmath.sqrt(complex(1. - z.real, -z.imag))
    s2 = cmath.sqrt(complex(1. + z.real, z.imag))
    real = 2. * math.atan2(s1.real, s2.real)
    imag = math.asinh(s2.real * s1.imag - s2.imag * s1.real)
    return complex(real, imag)


def _acosh(z):
    if abs(z.real) > THRES or abs(z.imag) > THRES:
        real = math.log(math.hypot(z.real * 0.5, z.imag * 0.5)) + LN_4
        imag = math.atan2(z.imag, z.real)
        return complex(real, imag)
    s1 = cmath.sqrt(complex(z.real - 1., z.imag))
    s2 = cmath.sqrt(complex(z.real + 1., z.imag))
    real = math.asinh(s1.real * s2.real + s1.imag * s2.imag)
    imag = 2. * math.atan2(s1.imag, s2.real)
    return complex(real, imag)


def _asinh(z):
    if abs(z.real) > THRES or abs(z.imag) > THRES:
        real = math.copysign(math.log(math.hypot(z.real * 0.5, z.imag * 0.5)) + LN_4, z.real)
        imag = math.atan2(z.imag, abs(z.real))
        return complex(real, imag)
    s1 = cmath.sqrt(complex(1. + z.imag, -z.real))
    s2 = cmath.sqrt(complex(1. - z.imag, z.real))
    real = math.asinh(s1.real * s2.imag - s2.real * s1.imag)
    imag = math.atan2(z.imag, s1.real * s2.real - s1.imag * s2.imag)
    return complex(real, imag)


def _asin(z):
    r = cmath.asinh(complex(-z.imag, z.real))            # asin(z) = -i asinh(iz)
    return complex(r.imag, -r.real)


def _atan(z):
    r = cmath.atanh(complex(-z.imag, z.real))            # atan(z) = -i atanh(iz)
    if math.isinf(z.real) and math.isnan(z.imag):
        return complex(r.imag, r.real)                   # (sic) as Numba
    return complex(r.imag, -r.real)


def _atanh(z):
    if z.real < 0.:                                      # atanh(z) = -atanh(-z)
        negate = True
        z = -z
    else:
        negate = False
    ay = abs(z.imag)
    if math.isnan(z.real) or z.real > THRES_LARGE or ay > THRES_LARGE:
        if math.isinf(z.imag):
            real = math.copysign(0., z.real)
        elif math.isinf(z.real):
            real = 0.
        else:
            h = math.hypot(z.real * 0.5, z.imag * 0.5)
            real = z.real / 4. / h / h
        imag = -math.copysign(PI_12, -z.imag)
    elif z.real == 1. and ay < THRES_SMALL:
        if ay == 0.:                                     # C99: atanh(1 +- 0j) = inf +- 0j
            real = INF
            imag = z.imag
        else:
            real = -math.log(math.sqrt(ay) / math.sqrt(math.hypot(ay, 2.)))
            imag = math.copysign(math.atan2(2., -ay) / 2, z.imag)
    else:
        sqay = ay * ay
        zr1 = 1 - z.real
        real = math.log1p(4. * z.real / (zr1 * zr1 + sqay)) * 0.25
        imag = -math.atan2(-2. * z.imag, zr1 * (1 + z.real) - sqay) * 0.5
    if math.isnan(z.imag):
        imag = NAN
    if negate:
        return complex(-real, -imag)
    return complex(real, imag)


_UNARY = {cmath.exp: _exp, cmath.log10: _log10, cmath.cos: _cos,
          cmath.cosh: _cosh, cmath.sin: _sin, cmath.sinh: _sinh, cmath.tan: _tan,
          cmath.tanh: _tanh, cmath.acos: _acos, cmath.acosh: _acosh, cmath.asin: _asin,
          cmath.asinh: _asinh, cmath.atan: _atan, cmath.atanh: _atanh}


def _to_complex(ctx, sig, args):
    """The arguments as the complex type of the result (cmath.f(float) is typed on a float)."""
    rt = sig.return_type
    cty = rt if isinstance(rt, Complex) else types.complex128
    return [ctx.cast(v, t, cty) for v, t in zip(args, sig.args)], cty


def _helper_rule(helper):
    def rule(ctx, sig, args):
        vals, cty = _to_complex(ctx, sig, args)
        return ctx.call_python(helper, signature(sig.return_type, *[cty] * len(vals)), vals)
    return rule


for _fn, _helper in _UNARY.items():
    lower(_fn, Number)(_helper_rule(_helper))
lower(cmath.log, Number, Number)(_helper_rule(_log_base))


def _by_precision(helper32, helper64):
    def rule(ctx, sig, args):
        vals, cty = _to_complex(ctx, sig, args)
        helper = helper32 if cty == types.complex64 else helper64
        return ctx.call_python(helper, signature(sig.return_type, cty), vals)
    return rule


lower(cmath.sqrt, Number)(_by_precision(_sqrt32, _sqrt64))
lower(cmath.log, Number)(_by_precision(_log32, _log64))


@lower(cmath.rect, Number, Number)
def _rect_rule(ctx, sig, args):
    ft = types.float64 if not all(isinstance(t, types.Float) for t in sig.args) else sig.args[0]
    vals = [ctx.cast(v, t, ft) for v, t in zip(args, sig.args)]
    return ctx.call_python(_rect, signature(sig.return_type, ft, ft), vals)
