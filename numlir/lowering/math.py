"""The ``math`` module, as tables from Python function to MLIR op or C library call (as Numba).

Numba types integer arguments as float64 (``math.sqrt(3)`` is ``(float64,) -> float64``), so the
rules see floats. Domain errors return NaN as in Numba (CPython raises ValueError).
"""
from __future__ import annotations

import math
import operator

from mlir import ir
from mlir.dialects import arith, func
from mlir.dialects import math as mmath
from numba.core import types
from numba.core.typing import signature

from numlir.lowering import datamodel as dm
from numlir.lowering.registry import lower

Float, Int, Bool = types.Float, types.Integer, types.Boolean

# math.f -> math dialect op; all take and return the float type of the argument(s)
_UNARY = {
    math.sqrt: mmath.sqrt, math.exp: mmath.exp, math.log: mmath.log,
    math.log2: mmath.log2, math.log10: mmath.log10, math.sin: mmath.sin,
    math.cos: mmath.cos, math.tan: mmath.tan, math.asin: mmath.asin, math.acos: mmath.acos,
    math.atan: mmath.atan, math.sinh: mmath.sinh, math.cosh: mmath.cosh, math.tanh: mmath.tanh,
    math.asinh: mmath.asinh, math.acosh: mmath.acosh, math.atanh: mmath.atanh, math.erf: mmath.erf,
    math.fabs: mmath.absf,
}
if hasattr(mmath, "erfc"):
    _UNARY[math.erfc] = mmath.erfc
if hasattr(math, "exp2"):
    _UNARY[math.exp2] = mmath.exp2
if hasattr(math, "cbrt"):
    _UNARY[math.cbrt] = mmath.cbrt

_BINARY = {math.atan2: mmath.atan2, math.copysign: mmath.copysign, math.pow: mmath.powf,
           math.fmod: arith.remf}   # math.pow(float, int) is the ** rule: see _math_pow_int

# functions with no MLIR op, or whose MLIR lowering is inexact (math-to-llvm expands expm1 and log1p
# as exp(x) - 1 and log(1 + x), losing every digit near 0): call the C library, as Numba does
_LIBM = {math.gamma: "tgamma", math.lgamma: "lgamma", math.hypot: "hypot",
         math.nextafter: "nextafter", math.expm1: "expm1", math.log1p: "log1p"}
if math.erfc not in _UNARY:
    _LIBM[math.erfc] = "erfc"


def _unary_rule(op):
    def rule(ctx, sig, args):
        return ctx.cast(op(ctx.cast(args[0], sig.args[0], sig.return_type)), sig.return_type,
                        sig.return_type)
    return rule


def _binary_rule(op):
    def rule(ctx, sig, args):
        rt = sig.return_type
        a, b = (ctx.cast(v, t, rt) for v, t in zip(args, sig.args))
        return op(a, b)
    return rule


def declare_c(ctx, name, arg_types, result_types):
    """Declare the external C function ``name`` once per module."""
    if name not in ctx.mod.externals:
        fty = ir.FunctionType.get(list(arg_types), list(result_types))
        with ir.InsertionPoint.at_block_begin(ctx.mod.module.body), ir.Location.unknown():
            func.FuncOp(name, fty, visibility="private")
        ctx.mod.externals.add(name)
    return ir.FlatSymbolRefAttr.get(name)


def libm_call(ctx, name, ftype, args):
    """Call the C math library function ``name`` (``f`` suffix for float32)."""
    mt = dm.scalar_type(ftype)
    cname = name + ("f" if ftype.bitwidth == 32 else "")
    callee = declare_c(ctx, cname, [mt] * len(args), [mt])
    return func.CallOp([mt], callee, list(args)).result


def _libm_rule(name):
    def rule(ctx, sig, args):
        rt = sig.return_type
        return libm_call(ctx, name, rt, [ctx.cast(v, t, rt) for v, t in zip(args, sig.args)])
    return rule


for _fn, _op in _UNARY.items():
    lower(_fn, types.Number)(_unary_rule(_op))
for _fn, _op in _BINARY.items():
    lower(_fn, types.Number, types.Number)(_binary_rule(_op))
for _fn, _name in _LIBM.items():
    lower(_fn, types.Any, varargs=True)(_libm_rule(_name))


@lower(math.log, types.Number, types.Number)
def _log_base(ctx, sig, args):
    a, b = (ctx.cast(v, t, sig.return_type) for v, t in zip(args, sig.args))
    return arith.divf(mmath.log(a), mmath.log(b))


def _rounding(op):
    def rule(ctx, sig, args):
        return ctx.cast(op(args[0]), sig.args[0], sig.return_type)
    return rule


for _fn, _op in ((math.floor, mmath.floor), (math.ceil, mmath.ceil), (math.trunc, mmath.trunc)):
    lower(_fn, Float)(_rounding(_op))
    lower(_fn, Int)(lambda ctx, sig, args: ctx.cast(args[0], sig.args[0], sig.return_type))


def _predicate(float_op, int_value):
    def rule(ctx, sig, args):
        if isinstance(sig.args[0], (Int, Bool)):
            return ctx.const(types.boolean, int_value)
        return float_op(ctx, args[0])
    return rule


lower(math.isnan, types.Number)(_predicate(
    lambda ctx, x: arith.cmpf(arith.CmpFPredicate.UNO, x, x), False))
# |x| == inf and |x| < inf (ordered: false for NaN); math.isinf/isfinite have no LLVM lowering here
lower(math.isinf, types.Number)(_predicate(
    lambda ctx, x: arith.cmpf(arith.CmpFPredicate.OEQ, mmath.absf(x),
                              arith.constant(x.type, float("inf"))), False))
lower(math.isfinite, types.Number)(_predicate(
    lambda ctx, x: arith.cmpf(arith.CmpFPredicate.OLT, mmath.absf(x),
                              arith.constant(x.type, float("inf"))), True))


@lower(math.degrees, types.Number)
def _degrees(ctx, sig, args):
    x = ctx.cast(args[0], sig.args[0], sig.return_type)
    return arith.mulf(x, ctx.const(sig.return_type, 180.0 / math.pi))


@lower(math.radians, types.Number)
def _radians(ctx, sig, args):
    x = ctx.cast(args[0], sig.args[0], sig.return_type)
    return arith.mulf(x, ctx.const(sig.return_type, math.pi / 180.0))


@lower(math.ldexp, Float, Int)
def _ldexp(ctx, sig, args):
    x, e = args
    rt = sig.return_type
    mt = dm.scalar_type(rt)
    i32 = ir.IntegerType.get_signless(32)
    callee = declare_c(ctx, "ldexp" + ("f" if rt.bitwidth == 32 else ""), [mt, i32], [mt])
    e32 = ctx.cast(e, sig.args[1], types.int32)     # libm: double ldexp(double, int)
    return func.CallOp([mt], callee, [x, e32]).result


@lower(math.frexp, Float)
def _frexp(ctx, sig, args):
    from mlir.dialects import llvm  # ~13 ms to import: only where used
    ft, et = sig.args[0], sig.return_type[1]
    mt = dm.scalar_type(ft)
    i32 = ir.IntegerType.get_signless(32)
    ptr = ir.Type.parse("!llvm.ptr")
    callee = declare_c(ctx, "frexp" + ("f" if ft.bitwidth == 32 else ""), [mt, ptr], [mt])
    with ir.InsertionPoint.at_block_begin(ctx.entry):    # one slot per call site, not per iteration
        slot = llvm.alloca(ptr, arith.constant(ir.IntegerType.get_signless(64), 1), i32)
    mant = func.CallOp([mt], callee, [args[0], slot]).result
    exp = ctx.cast(llvm.load(i32, slot), types.int32, et)
    return dm.make_tuple(sig.return_type, [mant, exp])


@lower(math.pow, Float, Int)
def _math_pow_int(ctx, sig, args):
    # Numba lowers math.pow(float, int) as float ** int: exact by squaring, ZeroDivisionError for
    # 0.0 ** -n (where CPython raises ValueError)
    return ctx.call_rule(ctx.resolve_op(operator.pow, sig), sig, args)


def _gcd(a, b):
    """Euclid on magnitudes: the same result as Numba's binary (Stein) algorithm."""
    a = abs(a)
    b = abs(b)
    while b != 0:
        a, b = b, a % b
    return a


@lower(math.gcd, Int, Int)
def _gcd_rule(ctx, sig, args):
    rt = sig.return_type
    vals = [ctx.cast(v, t, rt) for v, t in zip(args, sig.args)]
    return ctx.call_python(_gcd, signature(rt, rt, rt), vals)
