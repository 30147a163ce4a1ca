"""``range`` objects and their iterators (``for i in range(...)``); ``prange`` lowers the same way
in serial code. Branches, jumps and phis are structural and live in the walker."""
from __future__ import annotations

import numba
from mlir import ir
from mlir.dialects import arith, memref
from numba.core import types

from numlir.lowering.registry import ITERNEXT, lower

Int = types.Integer


@lower(range, Int, varargs=True)
@lower(numba.prange, Int, varargs=True)
def lower_range(ctx, sig, args):
    it = sig.return_type.dtype
    vals = [ctx.cast(v, t, it) for v, t in zip(args, sig.args)]
    if len(vals) == 1:
        start, stop, step = ctx.const(it, 0), vals[0], ctx.const(it, 1)
    elif len(vals) == 2:
        start, stop, step = vals[0], vals[1], ctx.const(it, 1)
    else:
        start, stop, step = vals
        ctx.raise_if(arith.cmpi(arith.CmpIPredicate.eq, step, ctx.const(it, 0)), ValueError,
                     "range() arg 3 must not be zero")
    return (start, stop, step)


@lower(iter, types.RangeType)
def lower_range_iter(ctx, sig, args):
    start, stop, step = args[0]
    cursor = ctx.entry_alloca(ir.MemRefType.get([], start.type))
    memref.store(start, cursor, [])
    return (cursor, stop, step)


@lower(ITERNEXT, types.RangeIteratorType)
def lower_range_next(ctx, sig, args):
    cursor, stop, step = args[0]
    it = sig.args[0].yield_type
    cur = memref.load(cursor, [])
    zero = ctx.const(it, 0)
    signed = it.signed
    lt = arith.CmpIPredicate.slt if signed else arith.CmpIPredicate.ult
    gt = arith.CmpIPredicate.sgt if signed else arith.CmpIPredicate.ugt
    up = arith.cmpi(gt, step, zero)
    ok = arith.select(up, arith.cmpi(lt, cur, stop), arith.cmpi(gt, cur, stop))
    memref.store(arith.addi(cur, step), cursor, [])
    return (cur, ok)


@lower(len, types.RangeType)
def lower_range_len(ctx, sig, args):
    start, stop, step = args[0]
    it = sig.args[0].dtype
    zero, one = ctx.const(it, 0), ctx.const(it, 1)
    up = arith.cmpi(arith.CmpIPredicate.sgt, step, zero)
    # ceil((stop - start) / step) clamped at 0, for either sign of step
    span = arith.subi(stop, start)
    adj = arith.select(up, arith.subi(step, one), arith.addi(step, one))
    n = arith.divsi(arith.addi(span, adj), step)
    n = arith.select(arith.cmpi(arith.CmpIPredicate.slt, n, zero), zero, n)
    return ctx.cast(n, it, sig.return_type)


@lower(next, types.IteratorType)
def lower_builtin_next(ctx, sig, args):
    """``next(it)``: the iterator's next value, or StopIteration when it is exhausted."""
    itty = sig.args[0]
    pty = types.Pair(itty.yield_type, types.boolean)
    from numba.core import typing

    from numlir.lowering import datamodel as dm
    pair = ctx.call_rule(ITERNEXT, typing.signature(pty, itty), args, what="next()")
    leaves = dm.flatten(pty, pair)
    n = len(dm.leaf_types(itty.yield_type))
    from mlir.dialects import arith as _arith
    done = _arith.xori(leaves[n], ctx.const(types.boolean, True))
    ctx.raise_if(done, StopIteration)
    return ctx.cast(dm.unflatten(itty.yield_type, leaves[:n]), itty.yield_type, sig.return_type)
