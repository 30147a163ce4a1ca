"""Scalar operators on bool, ints, floats and complex with Python/Numba semantics.

Operands arrive converted to the signature Numba typed (``int64 + float64`` is
``(float64, float64)``; integer signatures may mix widths and signs, so integer rules convert to the
result type first, as Numba does). Families are tables; division and powers have code of their
own (Python's sign rules, ZeroDivisionError, Numba's power algorithms).
"""
from __future__ import annotations

import math
import operator

import numpy as np
from mlir.dialects import arith
from mlir.dialects import complex as cplx
from mlir.dialects import math as mmath
from numba.core import types
from numba.core.typing import signature

from numlir.lowering import datamodel as dm
from numlir.lowering.registry import lower

Int, Float, Complex, Bool = types.Integer, types.Float, types.Complex, types.Boolean
P = arith.CmpIPredicate
F = arith.CmpFPredicate

_INPLACE = {operator.add: operator.iadd, operator.sub: operator.isub, operator.mul: operator.imul,
            operator.truediv: operator.itruediv, operator.floordiv: operator.ifloordiv,
            operator.mod: operator.imod, operator.pow: operator.ipow,
            operator.lshift: operator.ilshift, operator.rshift: operator.irshift,
            operator.and_: operator.iand, operator.or_: operator.ior, operator.xor: operator.ixor}


def lower_binop(op, *patterns):
    """Register a rule for ``op`` and its in-place twin (``a += b`` lowers like ``a + b``)."""
    def register(fn):
        lower(op, *patterns)(fn)
        if op in _INPLACE:
            lower(_INPLACE[op], *patterns)(fn)
        return fn
    return register


def zero_of(ctx, ty):
    return ctx.const(ty, 0)


# -- + - * and bitwise: one MLIR op per type family ----------------------------------------------
_SIMPLE = [
    (operator.add, arith.addi, arith.addf, cplx.add),
    (operator.sub, arith.subi, arith.subf, cplx.sub),
    (operator.mul, arith.muli, arith.mulf, cplx.mul),
]


def _simple(int_op, float_op, complex_op):
    def rule(ctx, sig, args):
        ty = sig.args[0]
        if isinstance(ty, Complex):
            return complex_op(*args)
        if isinstance(ty, Float):
            return float_op(*args)
        return int_op(*_to_result(ctx, sig, args))
    return rule


def _to_result(ctx, sig, args, ty=None):
    """Integer operands converted to the result type (Numba types int8 + uint16 as
    ``(int64, uint64) -> int64`` and converts before operating)."""
    ty = sig.return_type if ty is None else ty
    return [ctx.cast(v, t, ty) for v, t in zip(args, sig.args)]


for _op, _i, _f, _c in _SIMPLE:
    _r = _simple(_i, _f, _c)
    for _pat in (Int, Float, Complex, Bool):
        lower_binop(_op, _pat, _pat)(_r)

for _op, _i in ((operator.and_, arith.andi), (operator.or_, arith.ori), (operator.xor, arith.xori)):
    for _pat in (Int, Bool):
        lower_binop(_op, _pat, _pat)(lambda ctx, sig, args, _i=_i: _i(*_to_result(ctx, sig, args)))


@lower_binop(operator.lshift, Int, Int)
def _lshift(ctx, sig, args):
    return arith.shli(*_to_result(ctx, sig, args))


@lower_binop(operator.rshift, Int, Int)
def _rshift(ctx, sig, args):
    # the result type's signedness picks arithmetic or logical shift, as in Numba
    a, b = _to_result(ctx, sig, args)
    return arith.shrsi(a, b) if sig.return_type.signed else arith.shrui(a, b)


# -- division family -------------------------------------------------------------------------------
def _int_divmod(ctx, ty, a, b, what):
    """Python floor division and modulo of integers (results for ``b == 0`` are never used)."""
    shift = _power_of_two(b)
    if shift is not None:
        # floor division and Python's modulo by 2**k are exactly a shift and a mask (also for
        # negative a, in two's complement): no branch, no division
        k = ctx.const(ty, shift)
        q = arith.shrsi(a, k) if ty.signed else arith.shrui(a, k)
        return q, arith.andi(a, ctx.const(ty, (1 << shift) - 1))
    zero = zero_of(ctx, ty)
    ctx.raise_if(arith.cmpi(P.eq, b, zero), ZeroDivisionError, f"integer {what} by zero")
    if not ty.signed:
        return arith.divui(a, b), arith.remui(a, b)
    one, minus_one = ctx.const(ty, 1), ctx.const(ty, -1)
    # MIN // -1 traps in hardware; Numba returns (0, 0) there (like NumPy): divide by 1 instead
    overflow = arith.andi(arith.cmpi(P.eq, b, minus_one),
                          arith.cmpi(P.eq, a, ctx.const(ty, -(1 << (ty.bitwidth - 1)))))
    safe_b = arith.select(overflow, one, b)
    q = arith.divsi(a, safe_b)
    r = arith.remsi(a, safe_b)
    q = arith.select(overflow, zero, q)
    # C truncates toward zero; Python floors: adjust when the signs of r and b differ
    fix = arith.andi(arith.cmpi(P.ne, r, zero),
                     arith.xori(arith.cmpi(P.slt, r, zero), arith.cmpi(P.slt, b, zero)))
    q = arith.select(fix, arith.subi(q, one), q)
    r = arith.select(fix, arith.addi(r, b), r)
    return q, r


def _power_of_two(value):
    """k when ``value`` is the constant 2**k (k >= 0), else None."""
    try:
        op = value.owner.opview
    except AttributeError:
        return None
    if not isinstance(op, arith.ConstantOp):
        return None
    try:
        c = op.value.value
    except AttributeError:
        return None
    if isinstance(c, int) and c > 0 and c & (c - 1) == 0:
        return c.bit_length() - 1
    return None


def _float_divmod(ctx, ty, a, b, what):
    """CPython's float_divmod: floor quotient and modulo with the sign of the divisor."""
    zero = zero_of(ctx, ty)
    ctx.raise_if(arith.cmpf(F.OEQ, b, zero), ZeroDivisionError, what)
    mod = arith.remf(a, b)
    div = arith.divf(arith.subf(a, mod), b)
    mod_nz = arith.cmpf(F.UNE, mod, zero)
    sign_differs = arith.xori(arith.cmpf(F.OLT, b, zero), arith.cmpf(F.OLT, mod, zero))
    adjust = arith.andi(mod_nz, sign_differs)
    one = ctx.const(ty, 1.0)
    mod = arith.select(adjust, arith.addf(mod, b), mod)
    div = arith.select(adjust, arith.subf(div, one), div)
    mod = arith.select(mod_nz, mod, mmath.copysign(zero, b))
    floordiv = mmath.floor(div)
    half = ctx.const(ty, 0.5)
    bump = arith.cmpf(F.OGT, arith.subf(div, floordiv), half)
    floordiv = arith.select(bump, arith.addf(floordiv, one), floordiv)
    div_nz = arith.cmpf(F.UNE, div, zero)
    floordiv = arith.select(div_nz, floordiv, mmath.copysign(zero, arith.divf(a, b)))
    return floordiv, mod


@lower_binop(operator.floordiv, Int, Int)
def _int_floordiv(ctx, sig, args):
    return _int_divmod(ctx, sig.return_type, *_to_result(ctx, sig, args), "division")[0]


@lower_binop(operator.mod, Int, Int)
def _int_mod(ctx, sig, args):
    return _int_divmod(ctx, sig.return_type, *_to_result(ctx, sig, args), "modulo")[1]


@lower_binop(operator.floordiv, Float, Float)
def _float_floordiv(ctx, sig, args):
    return _float_divmod(ctx, sig.args[0], *args, "division by zero")[0]


@lower_binop(operator.mod, Float, Float)
def _float_mod(ctx, sig, args):
    return _float_divmod(ctx, sig.args[0], *args, "modulo by zero")[1]


@lower(divmod, Int, Int)
def _int_divmod_rule(ctx, sig, args):
    ty = sig.return_type.dtype
    q, r = _int_divmod(ctx, ty, *_to_result(ctx, sig, args, ty), "divmod")
    return dm.make_tuple(sig.return_type, [q, r])


@lower(divmod, Float, Float)
def _float_divmod_rule(ctx, sig, args):
    q, r = _float_divmod(ctx, sig.args[0], *args, "modulo by zero")
    return dm.make_tuple(sig.return_type, [q, r])


@lower_binop(operator.truediv, Int, Int)
def _int_truediv(ctx, sig, args):
    rt = sig.return_type
    a, b = (ctx.cast(v, t, rt) for v, t in zip(args, sig.args))
    return _float_truediv(ctx, sig.replace(args=(rt, rt)), [a, b])


@lower_binop(operator.truediv, Float, Float)
def _float_truediv(ctx, sig, args):
    a, b = args
    ctx.raise_if(arith.cmpf(F.OEQ, b, zero_of(ctx, sig.args[1])), ZeroDivisionError,
                 "division by zero")
    return arith.divf(a, b)


@lower_binop(operator.truediv, Complex, Complex)
def _complex_truediv(ctx, sig, args):
    a, b = args
    zero = ctx.const(sig.args[1], 0)
    ctx.raise_if(cplx.eq(b, zero), ZeroDivisionError, "complex division by zero")
    return cplx.div(a, b)


# -- powers ----------------------------------------------------------------------------------------
def _make_int_power(one):
    """Numba's ``int_power`` on integers whose 1 is ``one``: exact by squaring, wrapping on
    overflow; a negative exponent gives 0 unless the base is +-1. Every return has the type of
    ``one`` (a mixed return type would unify to float64 and lose the low bits)."""
    def power(a, b):
        r = one
        if b < 0:
            exp = -b
            if exp < 0:
                raise OverflowError
            if a == 0:
                raise ZeroDivisionError("0 cannot be raised to a negative power")
            if a != 1 and a != -1:
                return one - one
        else:
            exp = b
        while exp != 0:
            if exp & 1:
                r *= a
            exp >>= 1
            a *= a
        return r
    return power


def _make_float_power(one):
    """Numba's ``int_power`` for float ** int: by squaring (so it rounds like Numba, not like libm
    ``pow``), with 1.0 / r for negative exponents (ZeroDivisionError for 0.0 ** -n)."""
    def power(a, b):
        r = one
        if b < 0:
            invert = True
            exp = -b
            if exp < 0:
                raise OverflowError
        else:
            invert = False
            exp = b
        if exp > 0x10000:     # Numba's cutoff: the generic algorithm
            return math.pow(a, float(b))
        while exp != 0:
            if exp & 1:
                r *= a
            exp >>= 1
            a *= a
        if invert:
            return 1.0 / r
        return r
    return power


_power_helpers = {}


def _power_helper(ty):
    helper = _power_helpers.get(ty)
    if helper is None:
        one = np.dtype(str(ty)).type(1)       # a constant of the result type in the helper
        make = _make_int_power if isinstance(ty, Int) else _make_float_power
        helper = _power_helpers[ty] = make(one)
    return helper


@lower_binop(operator.pow, Int, Int)
@lower_binop(operator.pow, Float, Int)
def _int_exponent_pow(ctx, sig, args):
    rt = sig.return_type
    a = ctx.cast(args[0], sig.args[0], rt)
    return ctx.call_python(_power_helper(rt), sig.replace(args=(rt, sig.args[1])),
                           [a, args[1]])


@lower_binop(operator.pow, Float, Float)
def _float_pow(ctx, sig, args):
    return mmath.powf(*args)


def _complex_pow_formula(a, b):
    """CPython's ``_Py_c_pow`` as Numba calls it (``numba_cpow``): nan for 0 ** negative/complex."""
    if b.real == 0.0 and b.imag == 0.0:
        return complex(1.0, 0.0)
    if a.real == 0.0 and a.imag == 0.0:
        if b.imag != 0.0 or b.real < 0.0:
            return complex(math.nan, math.nan)
        return complex(0.0, 0.0)
    vabs = math.hypot(a.real, a.imag)
    length = math.pow(vabs, b.real)
    at = math.atan2(a.imag, a.real)
    phase = at * b.real
    if b.imag != 0.0:
        length /= math.exp(at * b.imag)
        phase += b.imag * math.log(vabs)
    return complex(length * math.cos(phase), length * math.sin(phase))


@lower_binop(operator.pow, Complex, Complex)
def _complex_pow(ctx, sig, args):
    ty = sig.args[0]
    a, b = args
    # Numba squares by multiplication (cpow loses precision there) and computes cpow in double
    is_two = arith.andi(arith.cmpf(F.OEQ, cplx.re(b), ctx.const(ty.underlying_float, 2.0)),
                        arith.cmpf(F.OEQ, cplx.im(b), ctx.const(ty.underlying_float, 0.0)))
    c128 = types.complex128
    wide = [ctx.cast(v, ty, c128) for v in args]
    general = ctx.call_python(_complex_pow_formula, signature(c128, c128, c128), wide)
    return arith.select(is_two, cplx.mul(a, a), ctx.cast(general, c128, ty))


# -- comparisons -----------------------------------------------------------------------------------
_CMP = {operator.eq: ("eq", "eq", F.OEQ), operator.ne: ("ne", "ne", F.UNE),
        operator.lt: ("slt", "ult", F.OLT), operator.le: ("sle", "ule", F.OLE),
        operator.gt: ("sgt", "ugt", F.OGT), operator.ge: ("sge", "uge", F.OGE)}


def _cmp_rule(signed_pred, unsigned_pred, float_pred):
    def rule(ctx, sig, args):
        ty = sig.args[0]
        if isinstance(ty, Float):
            return arith.cmpf(float_pred, *args)
        signed = isinstance(ty, Int) and ty.signed
        return arith.cmpi(getattr(P, signed_pred if signed else unsigned_pred), *args)
    return rule


for _op, (_s, _u, _f) in _CMP.items():
    _r = _cmp_rule(_s, _u, _f)
    for _pat in (Int, Float, Bool):
        lower(_op, _pat, _pat)(_r)

lower(operator.eq, Complex, Complex)(lambda ctx, sig, args: cplx.eq(*args))
lower(operator.ne, Complex, Complex)(lambda ctx, sig, args: cplx.neq(*args))


# -- unary -----------------------------------------------------------------------------------------
@lower(operator.neg, Int)
def _neg_int(ctx, sig, args):
    # negate before widening, as Numba does: -uint8(3) is 253
    res = arith.subi(zero_of(ctx, sig.args[0]), args[0])
    return ctx.cast(res, sig.args[0], sig.return_type)


@lower(operator.neg, Float)
def _neg_float(ctx, sig, args):
    return arith.negf(args[0])


@lower(operator.neg, Complex)
def _neg_complex(ctx, sig, args):
    return cplx.neg(args[0])


@lower(operator.neg, Bool)
def _neg_bool(ctx, sig, args):
    return ctx.call_rule(operator.neg, sig.replace(args=(sig.return_type,)),
                         [ctx.cast(args[0], sig.args[0], sig.return_type)])


@lower(operator.pos, types.Number)
def _pos(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower(operator.pos, Bool)
def _pos_bool(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower(operator.invert, Int)
def _invert(ctx, sig, args):
    # invert before widening, as Numba does: ~uint8(3) is 252
    res = arith.xori(args[0], ctx.const(sig.args[0], -1))
    return ctx.cast(res, sig.args[0], sig.return_type)


@lower(operator.invert, Bool)
def _invert_bool(ctx, sig, args):
    v = ctx.cast(args[0], sig.args[0], sig.return_type)
    if isinstance(sig.return_type, Bool):
        return arith.xori(v, ctx.const(types.boolean, 1))
    return arith.xori(v, ctx.const(sig.return_type, -1))


@lower(operator.not_, types.Any)
def _not(ctx, sig, args):
    truth = ctx.cast(args[0], sig.args[0], types.boolean)
    return arith.xori(truth, ctx.const(types.boolean, 1))


@lower(operator.truth, types.Any)
def _truth(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], types.boolean)


# -- identity comparisons with constants (``x is None`` and friends) ------------------------------
@lower(operator.is_, types.Any, types.Any)
def _is(ctx, sig, args):
    a, b = sig.args
    if isinstance(a, types.NoneType) or isinstance(b, types.NoneType):
        return ctx.const(types.boolean, isinstance(a, types.NoneType)
                         and isinstance(b, types.NoneType))
    if a == b and isinstance(a, (Bool, types.Integer)):
        return arith.cmpi(P.eq, *args)
    return ctx.const(types.boolean, False)


@lower(operator.is_not, types.Any, types.Any)
def _is_not(ctx, sig, args):
    return arith.xori(_is(ctx, sig, args), ctx.const(types.boolean, 1))


__all__ = ["lower_binop", "math"]
