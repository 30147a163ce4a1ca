"""Advanced indexing: boolean masks and integer index arrays (get and set), and ``np.nonzero``.

Forms (as far as Numba types them): a mask with the array's shape (``a[a > 0]``, flattened in C
order), and one index array among basic indices -- an integer array of any shape, or a 1-d mask
standing for its true positions -- at any place (``a[idx]``, ``a[idx, 1]``, ``a[1:, idx]``,
``a[..., idx]``, ``a[mask]`` on rows). With one index array NumPy puts its axes where it stands.
Results are new C-ordered arrays; assignments write through the basic view of the target.
"""
from __future__ import annotations

import operator

import numpy as np
from mlir import ir
from mlir.dialects import arith, memref, scf
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import arrays as basic
from numlir.lowering import datamodel as dm
from numlir.lowering import lazy_arrays as la
from numlir.lowering.fusion import fusible
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


def _is_full_mask(arrty, idxty):
    return isinstance(idxty.dtype, types.Boolean) and idxty.ndim == arrty.ndim


# -- a mask with the array's shape ----------------------------------------------------------------
def _mask_get(ctx, sig, arr, idx):
    arrty, idxty = sig.args
    if sig.return_type.ndim != 1:
        # Numba types a multi-dimensional mask as integer indexing (its advanced indexing is
        # limited to one index array); refuse rather than compute another shape
        raise UnsupportedError("indexing with a multi-dimensional boolean mask", sig.args,
                               loc=ctx.loc)
    _check_mask_shape(ctx, arr, idx)
    n = _count_true(ctx, idxty, idx)
    out = av.allocate(ctx, sig.return_type, [n])
    pos = av.new_cursor(ctx)

    def body(ivs):
        if_op = scf.IfOp(av.load_elem(ctx, idx, ivs, idxty.dtype))
        with ir.InsertionPoint(if_op.then_block):
            p = memref.load(pos, [])
            av.store_elem(ctx, av.load_elem(ctx, arr, ivs, arrty.dtype), out, [p], arrty.dtype)
            memref.store(arith.addi(p, av.cindex(1)), pos, [])
            scf.YieldOp([])
    av.loop_nest(av.metadata(arr).sizes, body)
    return out


def _mask_set(ctx, sig, arr, idx, val):
    arrty, idxty, valty = sig.args
    _check_mask_shape(ctx, arr, idx)
    pos = av.new_cursor(ctx)

    def body(ivs):
        if_op = scf.IfOp(av.load_elem(ctx, idx, ivs, idxty.dtype))
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


# -- one index array among basic indices ----------------------------------------------------------
class _Advanced:
    """``a[items]`` with one index array among integers, slices, ``...`` and ``None``: the basic
    view of ``a`` with a full slice in the array's place, the view axis the array indexes, and the
    positions it picks along that axis (an integer array's values, or a 1-d mask's true places)."""

    def __init__(self, ctx, arrty, arr, items):
        [p] = [k for k, (t, _) in enumerate(items) if isinstance(t, Arr)]
        self.idxty, self.idx = items[p]
        if isinstance(self.idxty.dtype, types.Boolean) and self.idxty.ndim != 1:
            raise UnsupportedError("a multi-dimensional boolean mask with other indices",
                                   (arrty,) + tuple(t for t, _ in items), loc=ctx.loc)
        if not isinstance(self.idxty.dtype, (types.Boolean, types.Integer)):
            raise UnsupportedError(f"indexing with an array of {self.idxty.dtype}",
                                   (arrty, self.idxty), loc=ctx.loc)
        full = tuple(ctx.const(types.int64, k) for k in (0, av.INT64_MAX, 1))
        tupty = types.Tuple([types.slice3_type if k == p else t for k, (t, _) in enumerate(items)])
        vals = [full if k == p else v for k, (_, v) in enumerate(items)]
        _, meta, offset, sizes, strides = basic.basic_index(ctx, arrty, arr, tupty,
                                                      dm.make_tuple(tupty, vals))
        self.view = av.view(Arr(arrty.dtype, len(sizes), "A"), meta.base, offset, sizes, strides)
        self.axis = _axes_before(arrty, tupty.types, p)
        self.axis_size = sizes[self.axis]
        if isinstance(self.idxty.dtype, types.Boolean):
            ctx.raise_if(arith.cmpi(av.P.ne, av.metadata(self.idx).sizes[0], self.axis_size),
                         IndexError, "boolean index did not match indexed array")
            self.picks = _true_positions(ctx, self.idxty, self.idx)
        else:
            _check_int_index(ctx, self.idxty, self.idx, self.axis_size)
            self.picks = None
        self.pick_sizes = av.metadata(self.idx if self.picks is None else self.picks).sizes
        # NumPy counts integers as advanced indices too: the picked axes stand where the index
        # array is when those are adjacent, else they come first
        adv = [k for k, (t, _) in enumerate(items)
               if isinstance(dm.strip_literal(t), (types.Integer, Arr))]
        self.out_axis = self.axis if adv == list(range(adv[0], adv[-1] + 1)) else 0
        rest = sizes[:self.axis] + sizes[self.axis + 1:]
        self.sizes = rest[:self.out_axis] + self.pick_sizes + rest[self.out_axis:]

    def source(self, ctx, ivs):
        """Indices into the view of the result element at ``ivs``."""
        q, o = len(self.pick_sizes), self.out_axis
        inner, rest = ivs[o:o + q], ivs[:o] + ivs[o + q:]
        if self.picks is not None:
            pos = memref.load(self.picks, inner)
        else:
            pos = _wrapped(ctx, self.idxty, av.load_elem(ctx, self.idx, inner, self.idxty.dtype),
                           self.axis_size)
        return rest[:self.axis] + [pos] + rest[self.axis:]


def _axes_before(arrty, tys, p):
    """How many view axes the basic indices before position ``p`` produce."""
    consumed = sum(1 for t in tys if isinstance(dm.strip_literal(t), (types.Integer,
                                                                       types.SliceType)))
    n = 0
    for t in tys[:p]:
        t = dm.strip_literal(t)
        if isinstance(t, (types.SliceType, types.NoneType)):
            n += 1
        elif isinstance(t, types.EllipsisType):
            n += arrty.ndim - consumed
    return n


def _wrapped(ctx, idxty, raw, size):
    """An element of an integer index array as an index (negative values count from the end)."""
    i = arith.index_cast(ir.IndexType.get(), ctx.cast(raw, idxty.dtype, types.int64))
    return arith.select(arith.cmpi(av.P.slt, i, av.cindex(0)), arith.addi(i, size), i)


def _check_int_index(ctx, idxty, idx, size):
    """Integer index arrays are always bounds-checked (NumPy raises IndexError)."""
    i8 = ir.IntegerType.get_signless(8)
    bad = ctx.entry_alloca(ir.MemRefType.get([], i8))
    memref.store(arith.constant(i8, 0), bad, [])

    def body(ivs):
        raw = av.load_elem(ctx, idx, ivs, idxty.dtype)
        i = arith.index_cast(ir.IndexType.get(), ctx.cast(raw, idxty.dtype, types.int64))
        out = arith.ori(arith.cmpi(av.P.sge, i, size),
                        arith.cmpi(av.P.slt, i, arith.subi(av.cindex(0), size)))
        memref.store(arith.ori(memref.load(bad, []), arith.extui(i8, out)), bad, [])
    av.loop_nest(av.metadata(idx).sizes, body)
    flag = arith.cmpi(av.P.ne, memref.load(bad, []), arith.constant(i8, 0))
    ctx.raise_if(flag, IndexError, "index out of bounds")


def _true_positions(ctx, maskty, mask):
    """A new 1-d ``index`` buffer holding the positions of the true elements of a 1-d mask."""
    n = _count_true(ctx, maskty, mask)
    out = memref.alloc(ir.MemRefType.get([dm.DYN], ir.IndexType.get()), [n], [])
    pos = av.new_cursor(ctx)

    def body(ivs):
        if_op = scf.IfOp(av.load_elem(ctx, mask, ivs, maskty.dtype))
        with ir.InsertionPoint(if_op.then_block):
            p = memref.load(pos, [])
            memref.store(ivs[0], out, [p])
            memref.store(arith.addi(p, av.cindex(1)), pos, [])
            scf.YieldOp([])
    av.loop_nest(av.metadata(mask).sizes, body)
    return out


def _gather(ctx, sig, arr, items):
    arrty = sig.args[0]
    adv = _Advanced(ctx, arrty, arr, items)
    out = av.allocate(ctx, sig.return_type, adv.sizes)

    def body(ivs):
        x = av.load_elem(ctx, adv.view, adv.source(ctx, ivs), arrty.dtype)
        av.store_elem(ctx, x, out, ivs, arrty.dtype)
    av.loop_nest(adv.sizes, body)
    return out


def _scatter(ctx, sig, arr, items, val):
    arrty, _, valty = sig.args
    adv = _Advanced(ctx, arrty, arr, items)
    src = None
    if isinstance(valty, Arr):      # read before any write when it lives in the target's buffer
        src = basic._unaliased(ctx, valty, basic.broadcast_to(ctx, valty, val, adv.sizes), arr,
                                 adv.sizes)

    def body(ivs):
        if src is None:
            v = ctx.cast(val, valty, arrty.dtype)
        else:
            v = ctx.cast(av.load_elem(ctx, src, ivs, valty.dtype), valty.dtype, arrty.dtype)
        av.store_elem(ctx, v, adv.view, adv.source(ctx, ivs), arrty.dtype)
    av.loop_nest(adv.sizes, body)


def _items(idxty, idxval):
    if isinstance(idxty, types.BaseTuple):
        return list(zip(idxty.types, dm.tuple_items(idxty, idxval)))
    return [(idxty, idxval)]


def _getitem_0d_indices(ctx, sig, args):
    arrty, idxty = sig.args
    items = []
    for t, v in _items(idxty, args[1]):
        if isinstance(t, Arr):
            if t.ndim != 0 or not isinstance(t.dtype, types.Integer):
                raise UnsupportedError("this index", sig.args, loc=ctx.loc)
            t, v = t.dtype, av.load_elem(ctx, v, [], t.dtype)
        items.append((t, v))
    if isinstance(idxty, types.BaseTuple):
        newty = types.Tuple([t for t, _ in items])
        newval = dm.make_tuple(newty, [v for _, v in items])
    else:
        (newty, newval), = items
    return basic.array_getitem(ctx, sig.replace(args=(arrty, newty)), [args[0], newval])


# -- rules ----------------------------------------------------------------------------------------
@lower(operator.getitem, Arr, Arr)
@lower(operator.getitem, Arr, types.BaseTuple)
def array_fancy_getitem(ctx, sig, args):
    arrty, idxty = sig.args
    if not isinstance(sig.return_type, Arr):
        # 0-d integer index arrays (``a[x]`` for ``x`` from np.nditer) index like integers
        return _getitem_0d_indices(ctx, sig, args)
    if isinstance(idxty, Arr) and _is_full_mask(arrty, idxty):
        return _mask_get(ctx, sig, args[0], args[1])
    items = _items(idxty, args[1])
    if not any(isinstance(t, Arr) for t, _ in items):
        return basic.array_getitem(ctx, sig, args)
    if sum(isinstance(t, Arr) for t, _ in items) > 1:
        raise UnsupportedError("more than one index array", sig.args, loc=ctx.loc)
    return _gather(ctx, sig, args[0], items)


@lower(operator.setitem, Arr, Arr, types.Any)
@lower(operator.setitem, Arr, types.BaseTuple, types.Any)
@fusible
def array_fancy_setitem(ctx, sig, args):
    arrty, idxty, valty = sig.args
    items = _items(idxty, args[1])
    if not any(isinstance(t, Arr) for t, _ in items):
        return basic.array_setitem(ctx, sig, args)   # basic indices: expressions fuse in
    if not arrty.mutable:
        raise UnsupportedError("writing to a read-only array", sig.args, loc=ctx.loc)
    if sum(isinstance(t, Arr) for t, _ in items) > 1:
        raise UnsupportedError("assignment through more than one index array", sig.args,
                               loc=ctx.loc)
    val = la.materialize(ctx, args[2]) if isinstance(args[2], la.LazyArray) else args[2]
    if isinstance(idxty, Arr) and _is_full_mask(arrty, idxty):
        _mask_set(ctx, sig, args[0], args[1], val)
    else:
        _scatter(ctx, sig, args[0], items, val)
    return None


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
