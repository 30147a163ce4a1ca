"""NumPy's ``**``, ``//`` and ``%`` on arrays (no exceptions: integer division by zero gives 0,
float division by zero inf/nan, as NumPy does) with their ufuncs, and in-place operators on arrays
(``a += b``: the fused expression ``a + b`` is computed, then stored into ``a``)."""
from __future__ import annotations

import operator

import numpy as np
from mlir import ir
from mlir.dialects import arith, scf
from mlir.dialects import math as mmath
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import lazy_arrays as la
from numlir.lowering.array_elementwise import broadcast_shape, lazy_elementwise
from numlir.lowering.fusion import fusible
from numlir.lowering.registry import lower
from numlir.lowering.ufunc_scalars import _with_out

Arr = types.Array
P, F = arith.CmpIPredicate, arith.CmpFPredicate
_OPERAND_PATTERNS = ((Arr, Arr), (Arr, types.Number), (types.Number, Arr), (Arr, types.Boolean),
                     (types.Boolean, Arr))


def _scalar_types(argtypes):
    return tuple(t.dtype if isinstance(t, Arr) else t for t in argtypes)


def _int_floordiv_mod(ctx, ty, a, b):
    """NumPy's integer floor division and remainder: 0 for a zero divisor, MIN // -1 wraps."""
    zero, one = ctx.const(ty, 0), ctx.const(ty, 1)
    b_zero = arith.cmpi(P.eq, b, zero)
    if not ty.signed:
        safe = arith.select(b_zero, one, b)
        return (arith.select(b_zero, zero, arith.divui(a, safe)),
                arith.select(b_zero, zero, arith.remui(a, safe)))
    minus_one = ctx.const(ty, -1)
    overflow = arith.andi(arith.cmpi(P.eq, b, minus_one),
                          arith.cmpi(P.eq, a, ctx.const(ty, -(1 << (ty.bitwidth - 1)))))
    safe = arith.select(arith.ori(b_zero, overflow), one, b)
    q, r = arith.divsi(a, safe), arith.remsi(a, safe)
    fix = arith.andi(arith.cmpi(P.ne, r, zero),
                     arith.xori(arith.cmpi(P.slt, r, zero), arith.cmpi(P.slt, b, zero)))
    q = arith.select(fix, arith.subi(q, one), q)
    r = arith.select(fix, arith.addi(r, b), r)
    q = arith.select(overflow, a, q)              # MIN // -1 == MIN (wraps, as NumPy)
    return arith.select(b_zero, zero, q), arith.select(arith.ori(b_zero, overflow), zero, r)


def _float_floordiv_mod(ctx, ty, a, b):
    """NumPy's float divmod (``npy_divmod``): a zero divisor gives a / b and fmod's nan."""
    zero, one = ctx.const(ty, 0.0), ctx.const(ty, 1.0)
    mod = arith.remf(a, b)
    div = arith.divf(arith.subf(a, mod), b)
    mod_nz = arith.cmpf(F.UNE, mod, zero)
    adjust = arith.andi(mod_nz, arith.xori(arith.cmpf(F.OLT, b, zero),
                                           arith.cmpf(F.OLT, mod, zero)))
    mod = arith.select(adjust, arith.addf(mod, b), mod)
    div = arith.select(adjust, arith.subf(div, one), div)
    mod = arith.select(mod_nz, mod, mmath.copysign(zero, b))
    floordiv = mmath.floor(div)
    bump = arith.cmpf(F.OGT, arith.subf(div, floordiv), ctx.const(ty, 0.5))
    floordiv = arith.select(bump, arith.addf(floordiv, one), floordiv)
    floordiv = arith.select(arith.cmpf(F.UNE, div, zero), floordiv,
                            mmath.copysign(zero, arith.divf(a, b)))
    b_zero = arith.cmpf(F.OEQ, b, zero)
    return arith.select(b_zero, arith.divf(a, b), floordiv), mod


def _divmod_part(index):
    def scalar(ctx, ty, a, b):
        if isinstance(ty, types.Integer):
            return _int_floordiv_mod(ctx, ty, a, b)[index]
        if isinstance(ty, types.Float):
            return _float_floordiv_mod(ctx, ty, a, b)[index]
        raise UnsupportedError("floor division/remainder of complex arrays", (ty,), loc=ctx.loc)
    return scalar


def _power(ctx, ty, a, b):
    """Float: pow. Integer: ``math.ipowi`` (a loop after convert-math-to-funcs); a negative
    exponent gives 0 (1 and -1 for bases 1 and -1) where NumPy raises ValueError."""
    if isinstance(ty, types.Float):
        return mmath.powf(a, b)
    if isinstance(ty, types.Complex):
        raise UnsupportedError("** on complex arrays", (ty,), loc=ctx.loc)
    zero = ctx.const(ty, 0)
    if not ty.signed:
        return mmath.ipowi(a, b)
    zero_base_negative = arith.andi(arith.cmpi(P.eq, a, zero), arith.cmpi(P.slt, b, zero))
    out = mmath.ipowi(a, arith.select(zero_base_negative, zero, b))
    return arith.select(zero_base_negative, zero, out)


def _binary_rule(scalar):
    """A fusible rule: both operands converted to the result dtype, then ``scalar``."""
    def rule(ctx, sig, args):
        resty = sig.return_type
        rt = la.elem_type(resty)
        if isinstance(rt, types.Boolean):
            rt = types.int8           # NumPy: bool // bool and bool ** bool compute as int8
        stypes = _scalar_types(sig.args)

        def fn(vals):
            a, b = (ctx.cast(v, t, rt) for v, t in zip(vals, stypes))
            return ctx.cast(scalar(ctx, rt, a, b), rt, la.elem_type(resty))
        return lazy_elementwise(ctx, resty, list(zip(sig.args, args)), fn)
    return fusible(rule)


_floordiv = _binary_rule(_divmod_part(0))
_mod = _binary_rule(_divmod_part(1))
_pow = _binary_rule(_power)
for _keys, _rule in (((operator.floordiv, np.floor_divide), _floordiv),
                     ((operator.mod, np.remainder), _mod),
                     ((operator.pow, np.power), _pow)):
    for _key in _keys:
        for _pats in _OPERAND_PATTERNS:
            lower(_key, *_pats)(_rule)
            if isinstance(_key, np.ufunc):      # np.power(a, b, out) computes as a ** b
                lower(_key, *_pats, Arr)(_with_out(_rule))


# -- in-place operators ----------------------------------------------------------------------------
def assign_expression(ctx, dstty, dst, lazy):
    """Store the lazy array ``lazy`` into the array ``dst`` (NumPy's ``out=`` and in-place rules:
    the result must have ``dst``'s shape); returns ``dst``."""
    dst_sizes = av.metadata(dst).sizes
    if len(lazy.sizes) > len(dst_sizes):     # NumPy refuses even leading 1s: a += ones((1, n))
        ctx.raise_if(arith.constant(ir.IntegerType.get_signless(1), 1), ValueError,
                     "non-broadcastable output operand")
        return dst
    full = broadcast_shape(ctx, [dst_sizes, lazy.sizes])
    for d, f in zip(dst_sizes, full):
        ctx.raise_if(arith.cmpi(P.ne, d, f), ValueError, "non-broadcastable output operand")
    resty = lazy.ty.copy(ndim=len(dst_sizes)) if isinstance(lazy.ty, types.Array) else lazy.ty
    lazy = la.LazyArray(resty, dst_sizes, lazy.leaves, lazy.fn)
    overlap = la.overlaps(lazy, dst)
    if overlap is None:
        la.store_into(ctx, lazy, dstty, dst)
        return dst
    # an operand sharing the destination's buffer (a += a[::-1]): compute into a new buffer
    # first, as NumPy does
    if_op = scf.IfOp(overlap, has_else=True)
    with ir.InsertionPoint(if_op.then_block):
        tmp = la.materialize(ctx, lazy)
        la.store_into(ctx, la.as_leaf(lazy.ty, tmp), dstty, dst)
        scf.YieldOp([])
    with ir.InsertionPoint(if_op.else_block):
        la.store_into(ctx, lazy, dstty, dst)
        scf.YieldOp([])
    return dst


_INPLACE = {operator.iadd: operator.add, operator.isub: operator.sub,
            operator.imul: operator.mul, operator.itruediv: operator.truediv,
            operator.ifloordiv: operator.floordiv, operator.imod: operator.mod,
            operator.ipow: operator.pow, operator.iand: operator.and_, operator.ior: operator.or_,
            operator.ixor: operator.xor, operator.ilshift: operator.lshift,
            operator.irshift: operator.rshift}


def _inplace_rule(op):
    def rule(ctx, sig, args):
        dstty, valty = sig.args
        dst, val = args
        if not dstty.mutable:
            raise UnsupportedError("an in-place operator on a read-only array", sig.args,
                                   loc=ctx.loc)
        tctx = ctx.tir_typing_context()
        osig = tctx.resolve_function_type(op, (dstty, valty), {})
        if osig is None:
            raise UnsupportedError(f"in-place {op.__name__}", sig.args, loc=ctx.loc)
        key = ctx.resolve_op(op, osig)
        if isinstance(dst, la.LazyArray):      # a fresh expression: compute it to write into it
            dst = la.materialize(ctx, dst)
        value = ctx.call_rule(key, osig, [dst, val])
        return assign_expression(ctx, dstty, dst, la.as_leaf(osig.return_type, value))
    return fusible(rule)


for _iop, _op in _INPLACE.items():
    for _pats in ((Arr, Arr), (Arr, types.Number), (Arr, types.Boolean)):
        lower(_iop, *_pats)(_inplace_rule(_op))
