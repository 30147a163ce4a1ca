"""Advanced indexing: boolean masks and integer index arrays (get and set), and ``np.nonzero``."""
from __future__ import annotations

import operator

import numpy as np
from mlir import ir
from mlir.dialects import arith, memref, scf
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering.arrays import broadcast_to
from numlir.lowering.registry import lower

Arr = types.Array


def _count_true(ctx, maskty, mask):
    meta = av.metadata(mask)
    counter = av.new_cursor(ctx)

    def body(ivs):
        bit = av.load_elem(ctx, mask, ivs, maskty.dtype)
        c = memref.load(counter, [])
        memref.store(arith.select(bit, arith.addi(c, av.cindex(1)), c), counter, [])
    av.loop_nest(meta.sizes, body)
    return memref.load(counter, [])


def _check_mask_shape(ctx, arr, mask):
    for a, m in zip(av.metadata(arr).sizes, av.metadata(mask).sizes):
        ctx.raise_if(arith.cmpi(av.P.ne, a, m), IndexError,
                     "boolean index did not match indexed array")


@lower(operator.getitem, Arr, Arr)
def array_fancy_getitem(ctx, sig, args):
    arrty, idxty = sig.args
    arr, idx = args
    if isinstance(idxty.dtype, types.Boolean) and idxty.ndim == arrty.ndim:
        if sig.return_type.ndim != 1:
            # Numba types a multi-dimensional mask as integer indexing (its advanced indexing is
            # limited to one 1-d index array); refuse rather than compute another shape
            raise UnsupportedError("indexing with a multi-dimensional boolean mask", sig.args,
                                   loc=ctx.loc)
        _check_mask_shape(ctx, arr, idx)
        n = _count_true(ctx, idxty, idx)
        out = av.allocate(ctx, sig.return_type, [n])
        pos = av.new_cursor(ctx)

        def body(ivs):
            bit = av.load_elem(ctx, idx, ivs, idxty.dtype)
            if_op = scf.IfOp(bit)
            with ir.InsertionPoint(if_op.then_block):
                p = memref.load(pos, [])
                av.store_elem(ctx, av.load_elem(ctx, arr, ivs, arrty.dtype), out, [p],
                              arrty.dtype)
                memref.store(arith.addi(p, av.cindex(1)), pos, [])
                scf.YieldOp([])
        av.loop_nest(av.metadata(arr).sizes, body)
        return out
    if (isinstance(idxty.dtype, types.Integer) and idxty.ndim == 1
            and isinstance(sig.return_type, Arr) and sig.return_type.ndim == arrty.ndim):
        # a[idx]: rows of ``a`` picked by a 1-d integer array (any ndim of ``a``)
        meta = av.metadata(arr)
        n = av.metadata(idx).sizes[0]
        out = av.allocate(ctx, sig.return_type, [n] + meta.sizes[1:])
        _check_int_index(ctx, idxty, idx, meta.sizes[0])

        def gather(ivs):
            i = _row(ctx, idxty, idx, ivs[0], meta.sizes[0])
            av.store_elem(ctx, av.load_elem(ctx, arr, [i] + ivs[1:], arrty.dtype), out, ivs,
                          arrty.dtype)
        av.loop_nest([n] + meta.sizes[1:], gather)
        return out
    raise UnsupportedError("this advanced indexing form", sig.args, loc=ctx.loc)


def _row(ctx, idxty, idx, k, size):
    """``idx[k]`` as an index into a dimension of ``size`` (negative values count from the end)."""
    raw = av.load_elem(ctx, idx, [k], idxty.dtype)
    i = arith.index_cast(ir.IndexType.get(), ctx.cast(raw, idxty.dtype, types.int64))
    return arith.select(arith.cmpi(av.P.slt, i, av.cindex(0)), arith.addi(i, size), i)


def _check_int_index(ctx, idxty, idx, size):
    """Integer index arrays are always bounds-checked (NumPy raises IndexError)."""
    bad = ctx.entry_alloca(ir.MemRefType.get([], ir.IntegerType.get_signless(8)))
    i8 = ir.IntegerType.get_signless(8)
    memref.store(arith.constant(i8, 0), bad, [])
    n = av.metadata(idx).sizes[0]

    def body(ivs):
        raw = av.load_elem(ctx, idx, ivs, idxty.dtype)
        i = arith.index_cast(ir.IndexType.get(), ctx.cast(raw, idxty.dtype, types.int64))
        out = arith.ori(arith.cmpi(av.P.sge, i, size),
                        arith.cmpi(av.P.slt, i, arith.subi(av.cindex(0), size)))
        memref.store(arith.ori(memref.load(bad, []), arith.extui(i8, out)), bad, [])
    av.loop_nest([n], body)
    flag = arith.cmpi(av.P.ne, memref.load(bad, []), arith.constant(i8, 0))
    ctx.raise_if(flag, IndexError, "index out of bounds")


@lower(operator.setitem, Arr, Arr, types.Any)
def array_fancy_setitem(ctx, sig, args):
    arrty, idxty, valty = sig.args
    arr, idx, val = args
    if isinstance(idxty.dtype, types.Integer) and idxty.ndim == 1:
        return _scatter_rows(ctx, sig, args)
    if not (isinstance(idxty.dtype, types.Boolean) and idxty.ndim == arrty.ndim):
        raise UnsupportedError("this advanced index assignment", sig.args, loc=ctx.loc)
    _check_mask_shape(ctx, arr, idx)
    pos = av.new_cursor(ctx)

    def body(ivs):
        bit = av.load_elem(ctx, idx, ivs, idxty.dtype)
        if_op = scf.IfOp(bit)
        with ir.InsertionPoint(if_op.then_block):
            if isinstance(valty, Arr):
                p = memref.load(pos, [])
                v = av.load_elem(ctx, val, [p], valty.dtype)
                memref.store(arith.addi(p, av.cindex(1)), pos, [])
                v = ctx.cast(v, valty.dtype, arrty.dtype)
            else:
                v = ctx.cast(val, valty, arrty.dtype)
            av.store_elem(ctx, v, arr, ivs, arrty.dtype)
            scf.YieldOp([])
    av.loop_nest(av.metadata(arr).sizes, body)


def _scatter_rows(ctx, sig, args):
    """``a[idx] = v``: rows of ``a`` picked by a 1-d integer array, ``v`` broadcast to them."""
    arrty, idxty, valty = sig.args
    arr, idx, val = args
    if not arrty.mutable:
        raise UnsupportedError("writing to a read-only array", sig.args, loc=ctx.loc)
    meta = av.metadata(arr)
    sizes = [av.metadata(idx).sizes[0]] + meta.sizes[1:]
    _check_int_index(ctx, idxty, idx, meta.sizes[0])
    src = broadcast_to(ctx, valty, val, sizes) if isinstance(valty, Arr) else None

    def body(ivs):
        i = _row(ctx, idxty, idx, ivs[0], meta.sizes[0])
        if src is None:
            v = ctx.cast(val, valty, arrty.dtype)
        else:
            v = ctx.cast(av.load_elem(ctx, src, ivs, valty.dtype), valty.dtype, arrty.dtype)
        av.store_elem(ctx, v, arr, [i] + ivs[1:], arrty.dtype)
    av.loop_nest(sizes, body)


@lower(np.nonzero, Arr)
@lower("array.nonzero", Arr)
def array_nonzero(ctx, sig, args):
    """Indices of the non-zero elements, one int64 array per dimension (C order)."""
    arrty = sig.args[0]
    arr = args[0]
    meta = av.metadata(arr)
    outty = sig.return_type.dtype if isinstance(sig.return_type, types.UniTuple) else None
    counter = av.new_cursor(ctx)

    def is_nonzero(ivs):
        v = av.load_elem(ctx, arr, ivs, arrty.dtype)
        return ctx.cast(v, arrty.dtype, types.boolean)

    def count(ivs):
        c = memref.load(counter, [])
        memref.store(arith.select(is_nonzero(ivs), arith.addi(c, av.cindex(1)), c), counter, [])
    av.loop_nest(meta.sizes, count)
    n = memref.load(counter, [])
    outs = [av.allocate(ctx, outty, [n]) for _ in range(max(arrty.ndim, 1))]
    memref.store(av.cindex(0), counter, [])

    def fill(ivs):
        if_op = scf.IfOp(is_nonzero(ivs))
        with ir.InsertionPoint(if_op.then_block):
            p = memref.load(counter, [])
            for out, iv in zip(outs, ivs or [av.cindex(0)]):
                av.store_elem(ctx, ctx.cast(av.to_int64(iv), types.int64, outty.dtype), out, [p],
                              outty.dtype)
            memref.store(arith.addi(p, av.cindex(1)), counter, [])
            scf.YieldOp([])
    av.loop_nest(meta.sizes, fill)
    return tuple(outs)
