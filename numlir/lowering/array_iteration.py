"""Whole-array iteration primitives that Numba's NumPy implementations are written in terms of:
``np.nditer`` (one array), ``a.flat`` iteration, ``np.ndindex``, ``a.item()``, and the sum/cumsum
intrinsics (sorting: ``sorting.py``)."""
from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import arith, memref
from numba.core import types

from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm
from numlir.lowering.registry import ITERNEXT, lower

Arr = types.Array


def _element_offset(meta, idx):
    off = meta.offset
    for i, s in zip(idx, meta.strides):
        off = arith.addi(off, arith.muli(i, s))
    return off


def _unravel(cur, sizes):
    """The index of the flat position ``cur``, computed before the validity is tested: with a
    size-0 dimension (no valid position) divide by 1, not 0 (x86 traps on division by zero)."""
    one = av.cindex(1)
    return av.unravel(cur, [arith.maxui(s, one) for s in sizes])


# -- np.nditer over one array: 0-d views in C order ------------------------------------------------
@dm.register_model(types.NumpyNdIterType)
def _nditer_model(ty):
    if len(ty.arrays) != 1:
        raise KeyError(ty)
    return av.cursor_model(ty.arrays[0])


lower(np.nditer, Arr)(av.start_iteration)


@lower(ITERNEXT, types.NumpyNdIterType)
def lower_nditer_next(ctx, sig, args):
    cursor, arr = args[0]
    meta = av.metadata(arr)
    ok, cur = av.advance(cursor, av.product(meta.sizes))
    idx = _unravel(cur, meta.sizes) if meta.sizes else []
    view = av.view(sig.args[0].yield_type, meta.base, _element_offset(meta, idx), [], [])
    return (view, ok)


@lower("array.item", Arr)
def lower_item(ctx, sig, args):
    meta = av.metadata(args[0])
    ctx.raise_if(arith.cmpi(av.P.ne, av.product(meta.sizes), av.cindex(1)), ValueError,
                 "item(): can only convert an array of size 1 to a Python scalar")
    zeros = [av.cindex(0)] * sig.args[0].ndim
    return ctx.cast(av.load_elem(ctx, args[0], zeros, sig.args[0].dtype), sig.args[0].dtype,
                    sig.return_type)


# -- a.flat iteration: scalars in C order ----------------------------------------------------------
# ``a.flat`` is its own iterator (datamodel: a cursor and the array); ``iter`` is the identity
def _flat_next(ctx, sig, args, arrty):
    cursor, arr = args[0]
    meta = av.metadata(arr)
    ok, cur = av.advance(cursor, av.product(meta.sizes))
    idx = _unravel(cur, meta.sizes)
    from numlir.lowering.arrays import _guarded_load
    if arrty.ndim == 1:
        item = _guarded_load(ctx, arr, idx[0], ok, arrty.dtype)
    else:
        item = av.load_elem(ctx, arr, idx, arrty.dtype)
    return tuple(dm.flatten(arrty.dtype, item) + [ok])


@lower(ITERNEXT, types.NumpyFlatType)
def lower_flat_next(ctx, sig, args):
    return _flat_next(ctx, sig, args, sig.args[0].array_type)


# -- np.ndindex ------------------------------------------------------------------------------------
@dm.register_model(types.NumpyNdIndexType)
def _ndindex_model(ty):
    i64 = ir.IntegerType.get_signless(64)
    return [ir.MemRefType.get([], ir.IndexType.get())] + [i64] * ty.ndim


@lower(np.ndindex, types.BaseTuple)
@lower(np.ndindex, types.Integer, varargs=True)
def lower_ndindex(ctx, sig, args):
    if len(sig.args) == 1 and isinstance(sig.args[0], types.BaseTuple):
        tupty = sig.args[0]
        dims = [ctx.cast(v, t, types.int64) for t, v in zip(tupty.types,
                                                              dm.tuple_items(tupty, args[0]))]
    else:
        dims = [ctx.cast(v, t, types.int64) for t, v in zip(sig.args, args)]
    return tuple([av.new_cursor(ctx)] + dims)


@lower(ITERNEXT, types.NumpyNdIndexType)
def lower_ndindex_next(ctx, sig, args):
    cursor, dims = args[0][0], args[0][1:]
    sizes = [arith.index_cast(ir.IndexType.get(), d) for d in dims]
    ok, cur = av.advance(cursor, av.product(sizes))
    idx = _unravel(cur, sizes) if sizes else []
    return tuple([av.to_int64(i) for i in idx] + [ok])


# -- reductions Numba implements as intrinsics -----------------------------------------------------
def _accumulate(ctx, arrty, arr, init, step, acc_ty):
    """Fold ``step(acc, element)`` over all elements (C order) starting from ``init``."""
    meta = av.metadata(arr)
    slot = ctx.entry_alloca(ir.MemRefType.get([], dm.scalar_type(acc_ty)))
    memref.store(init, slot, [])

    def body(ivs):
        x = ctx.cast(av.load_elem(ctx, arr, ivs, arrty.dtype), arrty.dtype, acc_ty)
        memref.store(step(memref.load(slot, []), x), slot, [])
    av.loop_nest(meta.sizes, body)
    return memref.load(slot, [])


def _adder(ctx, ty):
    if isinstance(ty, types.Boolean):
        return arith.ori
    if isinstance(ty, types.Float):
        return arith.addf
    if isinstance(ty, types.Complex):
        from mlir.dialects import complex as cplx
        return cplx.add
    return arith.addi
