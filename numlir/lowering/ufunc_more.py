"""More NumPy ufuncs, on scalars and (fused, broadcast, with ``out=``) on arrays: the comparison,
logical and bitwise ufuncs, ``square reciprocal cbrt exp2 rint sign positive fmin fmax fmod
copysign deg2rad rad2deg degrees radians arcsinh arccosh arctanh logaddexp logaddexp2 signbit
float_power gcd lcm nextafter spacing ldexp``.

Each entry emits the scalar result from arguments already converted to the ufunc loop's types
(Numba's typing picks the loop; ``sig.return_type`` is its output type).
"""
from __future__ import annotations

import math
import operator

import numpy as np
from mlir import ir
from mlir.dialects import arith, scf
from mlir.dialects import math as mmath
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering.math import libm_call
from numlir.lowering.registry import lower
from numlir.lowering.ufunc_scalars import _on_arrays, _with_out

Num = types.Number
F = arith.CmpFPredicate


def _operator(op):
    """The ufunc as Python's operator on the arguments' own types (comparisons, bit ops)."""
    def rule(ctx, sig, args):
        tctx = ctx.tir_typing_context()
        ssig = tctx.resolve_function_type(op, tuple(sig.args), {})
        if ssig is None:
            raise UnsupportedError(f"np.{op.__name__}", sig.args, loc=ctx.loc)
        conv = [ctx.cast(v, t, st) for v, t, st in zip(args, sig.args, ssig.args)]
        out = ctx.call_rule(ctx.resolve_op(op, ssig), ssig, conv)
        return ctx.cast(out, ssig.return_type, sig.return_type)
    return rule


def _logical(combine):
    def rule(ctx, sig, args):
        bits = [ctx.cast(v, t, types.boolean) for v, t in zip(args, sig.args)]
        return combine(*bits)
    return rule


def _float_only(name, emit):
    """A float-valued ufunc: arguments converted to the result type first."""
    def rule(ctx, sig, args):
        rt = sig.return_type
        if not isinstance(rt, types.Float):
            raise UnsupportedError(f"np.{name} with result type {rt}", sig.args, loc=ctx.loc)
        return emit(ctx, rt, *[ctx.cast(v, t, rt) for v, t in zip(args, sig.args)])
    return rule


def _numeric(name, on_float, on_int):
    def rule(ctx, sig, args):
        rt = sig.return_type
        vals = [ctx.cast(v, t, rt) for v, t in zip(args, sig.args)]
        if isinstance(rt, types.Float) and on_float is not None:
            return on_float(ctx, rt, *vals)
        if isinstance(rt, types.Integer) and on_int is not None:
            return on_int(ctx, rt, *vals)
        raise UnsupportedError(f"np.{name} with result type {rt}", sig.args, loc=ctx.loc)
    return rule


def _sign_float(ctx, rt, x):
    zero, one = ctx.const(rt, 0.0), ctx.const(rt, 1.0)
    pos = arith.select(arith.cmpf(F.OGT, x, zero), one, x)      # NaN and zeros pass through
    return arith.select(arith.cmpf(F.OLT, x, zero), arith.negf(one), pos)


def _sign_int(ctx, rt, x):
    zero = ctx.const(rt, 0)
    if not rt.signed:
        return arith.extui(x.type, arith.cmpi(arith.CmpIPredicate.ne, x, zero))
    gt = arith.extui(x.type, arith.cmpi(arith.CmpIPredicate.sgt, x, zero))
    lt = arith.extui(x.type, arith.cmpi(arith.CmpIPredicate.slt, x, zero))
    return arith.subi(gt, lt)


def _fmod_int(ctx, rt, a, b):
    zero, one = ctx.const(rt, 0), ctx.const(rt, 1)
    bad = arith.cmpi(arith.CmpIPredicate.eq, b, zero)
    if rt.signed:     # MIN % -1 traps in hardware: the result is 0
        bad = arith.ori(bad, arith.cmpi(arith.CmpIPredicate.eq, b, ctx.const(rt, -1)))
    safe = arith.select(bad, one, b)
    rem = arith.remsi(a, safe) if rt.signed else arith.remui(a, safe)
    return arith.select(bad, zero, rem)


def _logaddexp(ln2_scale):
    """log(exp(a) + exp(b)) (base e) or its base-2 twin, without overflow (NumPy's algorithm)."""
    def emit(ctx, rt, a, b):
        if ln2_scale:
            diff = arith.subf(a, b)
            m = arith.maximumf(a, b)
            tail = arith.divf(mmath.log1p(mmath.exp2(arith.negf(mmath.absf(diff)))),
                              ctx.const(rt, math.log(2)))
            same = arith.addf(a, ctx.const(rt, 1.0))
        else:
            diff = arith.subf(a, b)
            m = arith.maximumf(a, b)
            tail = mmath.log1p(mmath.exp(arith.negf(mmath.absf(diff))))
            same = arith.addf(a, ctx.const(rt, math.log(2)))
        general = arith.addf(m, tail)
        # equal arguments (also both +-inf, where a - b is nan): a + log(2)
        return arith.select(arith.cmpf(F.OEQ, a, b), same, general)
    return emit


def _signbit(ctx, sig, args):
    t = sig.args[0]
    x = args[0]
    if isinstance(t, types.Float):
        ity = ir.IntegerType.get_signless(t.bitwidth)
        bits = arith.bitcast(ity, x)
        return arith.cmpi(arith.CmpIPredicate.slt, bits, arith.constant(ity, 0))
    if isinstance(t, types.Integer) and t.signed:
        return arith.cmpi(arith.CmpIPredicate.slt, x, ctx.const(t, 0))
    return arith.constant(ir.IntegerType.get_signless(1), 0)


def _reciprocal_int(ctx, rt, x):
    """C's 1 / x on integers (NumPy): 1 and -1 are their own reciprocals, 0 gives the minimum
    of the type (0 for unsigned), anything else 0."""
    P = arith.CmpIPredicate
    zero = ctx.const(rt, 0)
    out = arith.select(arith.cmpi(P.eq, x, ctx.const(rt, 1)), ctx.const(rt, 1), zero)
    if rt.signed:
        out = arith.select(arith.cmpi(P.eq, x, ctx.const(rt, -1)), ctx.const(rt, -1), out)
        out = arith.select(arith.cmpi(P.eq, x, zero),
                           ctx.const(rt, -(1 << (rt.bitwidth - 1))), out)
    return out


def _abs_int(ctx, rt, x):
    if not rt.signed:
        return x
    zero = ctx.const(rt, 0)
    return arith.select(arith.cmpi(arith.CmpIPredicate.slt, x, zero), arith.subi(zero, x), x)


def _gcd_int(ctx, rt, a, b):
    """Euclid's algorithm on the magnitudes, as unsigned numbers (so |MIN| does not overflow)."""
    a, b = _abs_int(ctx, rt, a), _abs_int(ctx, rt, b)
    loop = scf.WhileOp([a.type, b.type], [a, b])
    before = loop.before.blocks.append(a.type, b.type)
    with ir.InsertionPoint(before):
        x, y = before.arguments
        scf.ConditionOp(arith.cmpi(arith.CmpIPredicate.ne, y, ctx.const(rt, 0)), [x, y])
    after = loop.after.blocks.append(a.type, b.type)
    with ir.InsertionPoint(after):
        x, y = after.arguments
        scf.YieldOp([y, arith.remui(x, y)])
    return loop.results[0]


def _lcm_int(ctx, rt, a, b):
    """|a / gcd(a, b) * b|; 0 when either is 0 (NumPy)."""
    g = _gcd_int(ctx, rt, a, b)
    zero = ctx.const(rt, 0)
    is_zero = arith.cmpi(arith.CmpIPredicate.eq, g, zero)
    safe = arith.select(is_zero, ctx.const(rt, 1), g)
    q = (arith.divsi if rt.signed else arith.divui)(_abs_int(ctx, rt, a), safe)
    return arith.select(is_zero, zero, arith.muli(q, _abs_int(ctx, rt, b)))


def _spacing(ctx, rt, x):
    """NumPy's npy_spacing: the gap to the next float away from zero (upwards for -0.0); nan for
    infinities."""
    inf = ctx.const(rt, math.inf)
    toward = arith.select(arith.cmpf(F.OLT, x, ctx.const(rt, 0.0)), arith.negf(inf), inf)
    up = libm_call(ctx, "nextafter", rt, [x, toward])
    gap = arith.subf(up, x)
    return arith.select(arith.cmpf(F.OEQ, mmath.absf(x), inf), ctx.const(rt, math.nan), gap)


def _ldexp(ctx, sig, args):
    """x * 2**e through C's ldexp(x, int): exponents beyond int32 saturate (NumPy's loop)."""
    from mlir.dialects import func

    from numlir.lowering import datamodel as dm
    from numlir.lowering.math import declare_c
    rt = sig.return_type
    if not isinstance(rt, types.Float) or not isinstance(sig.args[1], (types.Integer,
                                                                        types.Boolean)):
        raise UnsupportedError("np.ldexp", sig.args, loc=ctx.loc)
    x = ctx.cast(args[0], sig.args[0], rt)
    e = ctx.cast(args[1], sig.args[1], types.int64)
    e = arith.maxsi(arith.minsi(e, ctx.const(types.int64, 2**31 - 1)),
                    ctx.const(types.int64, -2**31))
    e = arith.trunci(ir.IntegerType.get_signless(32), e)
    mt = dm.scalar_type(rt)
    callee = declare_c(ctx, "ldexp" + ("f" if rt.bitwidth == 32 else ""),
                       [mt, ir.IntegerType.get_signless(32)], [mt])
    return func.CallOp([mt], callee, [x, e]).result


_DEG = 180.0 / math.pi
_TABLE = {
    np.equal: _operator(operator.eq), np.not_equal: _operator(operator.ne),
    np.less: _operator(operator.lt), np.less_equal: _operator(operator.le),
    np.greater: _operator(operator.gt), np.greater_equal: _operator(operator.ge),
    np.bitwise_and: _operator(operator.and_), np.bitwise_or: _operator(operator.or_),
    np.bitwise_xor: _operator(operator.xor), np.invert: _operator(operator.invert),
    np.left_shift: _operator(operator.lshift), np.right_shift: _operator(operator.rshift),
    np.logical_and: _logical(arith.andi), np.logical_or: _logical(arith.ori),
    np.logical_xor: _logical(arith.xori),
    np.logical_not: _logical(lambda x: arith.xori(x, arith.constant(x.type, 1))),
    np.positive: _numeric("positive", lambda ctx, rt, x: x, lambda ctx, rt, x: x),
    np.square: _numeric("square", lambda ctx, rt, x: arith.mulf(x, x),
                        lambda ctx, rt, x: arith.muli(x, x)),
    np.reciprocal: _numeric("reciprocal", lambda ctx, rt, x: arith.divf(ctx.const(rt, 1.0), x),
                            lambda ctx, rt, x: _reciprocal_int(ctx, rt, x)),
    np.cbrt: _float_only("cbrt", lambda ctx, rt, x: mmath.cbrt(x)),
    np.exp2: _float_only("exp2", lambda ctx, rt, x: mmath.exp2(x)),
    np.rint: _float_only("rint", lambda ctx, rt, x: mmath.roundeven(x)),
    np.sign: _numeric("sign", _sign_float, _sign_int),
    np.fmin: _numeric("fmin", lambda ctx, rt, a, b: arith.minnumf(a, b),
                      lambda ctx, rt, a, b: (arith.minsi if rt.signed else arith.minui)(a, b)),
    np.fmax: _numeric("fmax", lambda ctx, rt, a, b: arith.maxnumf(a, b),
                      lambda ctx, rt, a, b: (arith.maxsi if rt.signed else arith.maxui)(a, b)),
    np.fmod: _numeric("fmod", lambda ctx, rt, a, b: arith.remf(a, b), _fmod_int),
    np.copysign: _float_only("copysign", lambda ctx, rt, a, b: mmath.copysign(a, b)),
    np.deg2rad: _float_only("deg2rad", lambda ctx, rt, x: arith.mulf(x, ctx.const(rt, 1 / _DEG))),
    np.radians: _float_only("radians", lambda ctx, rt, x: arith.mulf(x, ctx.const(rt, 1 / _DEG))),
    np.rad2deg: _float_only("rad2deg", lambda ctx, rt, x: arith.mulf(x, ctx.const(rt, _DEG))),
    np.degrees: _float_only("degrees", lambda ctx, rt, x: arith.mulf(x, ctx.const(rt, _DEG))),
    np.arcsinh: _float_only("arcsinh", lambda ctx, rt, x: mmath.asinh(x)),
    np.arccosh: _float_only("arccosh", lambda ctx, rt, x: mmath.acosh(x)),
    np.arctanh: _float_only("arctanh", lambda ctx, rt, x: mmath.atanh(x)),
    np.logaddexp: _float_only("logaddexp", _logaddexp(False)),
    np.logaddexp2: _float_only("logaddexp2", _logaddexp(True)),
    np.float_power: _float_only("float_power", lambda ctx, rt, a, b: mmath.powf(a, b)),
    np.signbit: _signbit,
    np.gcd: _numeric("gcd", None, _gcd_int),
    np.lcm: _numeric("lcm", None, _lcm_int),
    np.nextafter: _float_only("nextafter",
                              lambda ctx, rt, a, b: libm_call(ctx, "nextafter", rt, [a, b])),
    np.spacing: _float_only("spacing", _spacing),
    np.ldexp: _ldexp,
}

_A = types.Array
for _uf, _rule in _TABLE.items():
    _array_rule = _on_arrays(_uf, _rule)
    for _pats in (((Num,),) if _uf.nin == 1 else ((Num, Num),)):
        lower(_uf, *_pats)(_rule)
    for _pats in (((_A,),) if _uf.nin == 1 else ((_A, _A), (_A, Num), (Num, _A))):
        lower(_uf, *_pats)(_array_rule)
        lower(_uf, *_pats, _A)(_with_out(_array_rule))
    if _uf.nin == 1:
        lower(_uf, types.Boolean)(_rule)
    else:
        for _pats in ((types.Boolean, types.Boolean), (_A, types.Boolean), (types.Boolean, _A)):
            lower(_uf, *_pats)(_array_rule if _A in _pats else _rule)
