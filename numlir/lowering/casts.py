"""Implicit and explicit conversions between scalar types (``ctx.cast``), keyed by type classes."""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith
from mlir.dialects import complex as cplx
from numba.core import types

from numlir.lowering import datamodel as dm
from numlir.lowering.registry import lower_cast

Int, Float, Complex, Bool = types.Integer, types.Float, types.Complex, types.Boolean


def _mlir(ty):
    return dm.scalar_type(ty)


@lower_cast(Int, Int)
def int_to_int(ctx, val, fromty, toty):
    if fromty.bitwidth == toty.bitwidth:
        return val
    if toty.bitwidth < fromty.bitwidth:
        return arith.trunci(_mlir(toty), val)
    ext = arith.extsi if fromty.signed else arith.extui
    return ext(_mlir(toty), val)


@lower_cast(Int, Float)
def int_to_float(ctx, val, fromty, toty):
    conv = arith.sitofp if fromty.signed else arith.uitofp
    return conv(_mlir(toty), val)


@lower_cast(Float, Int)
def float_to_int(ctx, val, fromty, toty):
    conv = arith.fptosi if toty.signed else arith.fptoui
    return conv(_mlir(toty), val)


@lower_cast(Float, Float)
def float_to_float(ctx, val, fromty, toty):
    if toty.bitwidth > fromty.bitwidth:
        return arith.extf(_mlir(toty), val)
    return arith.truncf(_mlir(toty), val)


@lower_cast(Bool, Int)
def bool_to_int(ctx, val, fromty, toty):
    return arith.extui(_mlir(toty), val)


@lower_cast(Bool, Float)
def bool_to_float(ctx, val, fromty, toty):
    return arith.uitofp(_mlir(toty), val)


@lower_cast(Int, Bool)
def int_to_bool(ctx, val, fromty, toty):
    return arith.cmpi(arith.CmpIPredicate.ne, val, ctx.const(fromty, 0))


@lower_cast(Float, Bool)
def float_to_bool(ctx, val, fromty, toty):
    return arith.cmpf(arith.CmpFPredicate.UNE, val, ctx.const(fromty, 0.0))


@lower_cast(Complex, Bool)
def complex_to_bool(ctx, val, fromty, toty):
    return cplx.neq(val, ctx.const(fromty, 0))


@lower_cast(types.Number, Complex)
def real_to_complex(ctx, val, fromty, toty):
    ft = toty.underlying_float
    re = ctx.cast(val, fromty, ft)
    return cplx.CreateOp(_mlir(toty), re, ctx.const(ft, 0.0)).result


@lower_cast(Bool, Complex)
def bool_to_complex(ctx, val, fromty, toty):
    return real_to_complex(ctx, ctx.cast(val, fromty, types.int64), types.int64, toty)


@lower_cast(Complex, Complex)
def complex_to_complex(ctx, val, fromty, toty):
    ff, tf = fromty.underlying_float, toty.underlying_float
    re = ctx.cast(cplx.re(val), ff, tf)
    im = ctx.cast(cplx.im(val), ff, tf)
    return cplx.CreateOp(_mlir(toty), re, im).result


@lower_cast(types.BaseTuple, types.BaseTuple)
def tuple_to_tuple(ctx, val, fromty, toty):
    items = dm.tuple_items(fromty, val)
    totypes = list(toty.types) if hasattr(toty, "types") else [toty.dtype] * toty.count
    return dm.make_tuple(toty, [ctx.cast(v, f, t) for v, f, t in zip(items, fromty.types, totypes)])


@lower_cast(types.Boolean, types.Boolean)
def bool_to_bool(ctx, val, fromty, toty):
    return val


__all__ = ["ir"]
