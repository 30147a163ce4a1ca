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
    """The iterator keeps the model (value cursor, stop, step) that other rules read; its trip
    count lives in a second stack slot found through the cursor (see :func:`lower_range_next`)."""
    start, stop, step = args[0]
    cursor = ctx.entry_alloca(ir.MemRefType.get([], start.type))
    memref.store(start, cursor, [])
    count = ctx.entry_alloca(ir.MemRefType.get([], start.type))
    memref.store(_trip_count(ctx, sig.args[0].dtype, start, stop, step), count, [])
    _count_slots(ctx)[cursor] = count
    return (cursor, stop, step)


def _count_slots(ctx):
    slots = getattr(ctx, "_range_count_slots", None)
    if slots is None:
        slots = ctx._range_count_slots = {}
    return slots


def _trip_count(ctx, it, start, stop, step):
    """len(range(start, stop, step)), for either sign of the step (unsigned: step > 0)."""
    zero, one = ctx.const(it, 0), ctx.const(it, 1)
    if not it.signed:
        n = arith.divui(arith.addi(arith.subi(stop, start), arith.subi(step, one)), step)
        return arith.select(arith.cmpi(arith.CmpIPredicate.ugt, stop, start), n, zero)
    up = arith.cmpi(arith.CmpIPredicate.sgt, step, zero)
    # ceil((stop - start) / step) clamped at 0
    adj = arith.select(up, arith.subi(step, one), arith.addi(step, one))
    n = arith.divsi(arith.addi(arith.subi(stop, start), adj), step)
    return arith.maxsi(n, zero)


@lower(ITERNEXT, types.RangeIteratorType)
def lower_range_next(ctx, sig, args):
    """Count-down loop, as Numba's: ``ok = remaining > 0``. A counted exit condition gives LLVM the
    trip count (unrolling, vectorization) even when the step's sign is only known at run time,
    which a ``step > 0 ? i < stop : i > stop`` test hides."""
    cursor, stop, step = args[0]
    it = sig.args[0].yield_type
    cur = memref.load(cursor, [])
    memref.store(arith.addi(cur, step), cursor, [])
    count = _count_slots(ctx).get(cursor)
    zero = ctx.const(it, 0)
    if count is None:       # an iterator that came through a block argument: compare with stop
        lt = arith.CmpIPredicate.slt if it.signed else arith.CmpIPredicate.ult
        gt = arith.CmpIPredicate.sgt if it.signed else arith.CmpIPredicate.ugt
        up = arith.cmpi(gt, step, zero)
        return (cur, arith.select(up, arith.cmpi(lt, cur, stop), arith.cmpi(gt, cur, stop)))
    left = memref.load(count, [])
    memref.store(arith.subi(left, ctx.const(it, 1)), count, [])
    gt = arith.CmpIPredicate.sgt if it.signed else arith.CmpIPredicate.ugt
    return (cur, arith.cmpi(gt, left, zero))


@lower(len, types.RangeType)
def lower_range_len(ctx, sig, args):
    start, stop, step = args[0]
    it = sig.args[0].dtype
    return ctx.cast(_trip_count(ctx, it, start, stop, step), it, sig.return_type)


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
