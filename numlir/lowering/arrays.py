"""NumPy arrays as memrefs: attributes, ``len``, basic indexing (ints, slices, ``...``, ``None``)
for get and set, iteration, and ``slice`` objects. Creation lives in ``creation.py``."""
from __future__ import annotations

import operator

from mlir import ir
from mlir.dialects import arith, memref
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm
from numlir.lowering import lazy_arrays as la
from numlir.lowering.fusion import fusible
from numlir.lowering.registry import ITERNEXT, lower, lower_cast, lower_getattr

Arr = types.Array


# -- slice objects ---------------------------------------------------------------------------------
@lower(slice, types.Any, varargs=True)
def lower_slice(ctx, sig, args):
    i64 = types.int64
    vals = [None if isinstance(t, (types.NoneType, types.Omitted)) else ctx.cast(v, t, i64)
            for v, t in zip(args, sig.args)]
    while len(vals) < 3:
        vals.append(None)
    if len(sig.args) == 1:              # slice(stop)
        vals = [None, vals[0], None]
    start, stop, step = vals
    if step is None:
        step = ctx.const(i64, 1)
    up = arith.cmpi(arith.CmpIPredicate.sgt, step, ctx.const(i64, 0))
    big, small, zero = ctx.const(i64, av.INT64_MAX), ctx.const(i64, av.INT64_MIN), ctx.const(i64, 0)
    if start is None:
        start = arith.select(up, zero, big)
    if stop is None:
        stop = arith.select(up, big, small)
    return (start, stop, step)


def _slice_member(index):
    # Numba's values: a None start/stop reads as the sentinel for the step's direction
    return lambda ctx, ty, value, resty: value[index]


for _i, _name in enumerate(("start", "stop", "step")):
    lower_getattr(types.SliceType, _name)(_slice_member(_i))


# -- attributes ------------------------------------------------------------------------------------
@lower_getattr(Arr, "shape")
def array_shape(ctx, ty, arr, resty):
    return tuple(av.to_int64(s) for s in av.metadata(arr).sizes)


@lower_getattr(Arr, "strides")
def array_strides(ctx, ty, arr, resty):
    # read from the descriptor: NumPy's strides of length-1 and empty axes need not be the static
    # stride 1 of a 'C'/'F' type
    itemsize = ctx.const(types.int64, ty.dtype.bitwidth // 8 if hasattr(ty.dtype, "bitwidth")
                         else 1)
    return tuple(arith.muli(s, itemsize) for s in av.descriptor_strides(arr, ty.ndim))


@lower_getattr(Arr, "ndim")
def array_ndim(ctx, ty, arr, resty):
    return ctx.const(resty, ty.ndim)


@lower_getattr(Arr, "size")
def array_size(ctx, ty, arr, resty):
    return av.to_int64(av.product(av.metadata(arr).sizes))


@lower_getattr(Arr, "itemsize")
def array_itemsize(ctx, ty, arr, resty):
    from numba.np.numpy_support import as_dtype
    return ctx.const(resty, as_dtype(ty.dtype).itemsize)


@lower_getattr(Arr, "nbytes")
def array_nbytes(ctx, ty, arr, resty):
    from numba.np.numpy_support import as_dtype
    size = av.to_int64(av.product(av.metadata(arr).sizes))
    return arith.muli(size, ctx.const(types.int64, as_dtype(ty.dtype).itemsize))


@lower_getattr(Arr, "T")
def array_transpose_attr(ctx, ty, arr, resty):
    meta = av.metadata(arr)
    return av.view(resty, meta.base, meta.offset, meta.sizes[::-1], meta.strides[::-1])


@lower_getattr(Arr, "flat")
def array_flat(ctx, ty, arr, resty):
    return (av.new_cursor(ctx), arr)


@lower(len, Arr)
def array_len(ctx, sig, args):
    if sig.args[0].ndim == 0:
        raise UnsupportedError("len() of a 0-d array", sig.args, loc=ctx.loc)
    return ctx.cast(av.to_int64(av.metadata(args[0]).sizes[0]), types.int64, sig.return_type)


@lower(len, types.NumpyFlatType)
def flat_len(ctx, sig, args):
    return ctx.cast(av.to_int64(av.product(av.metadata(args[0][1]).sizes)), types.int64,
                    sig.return_type)


# -- indexing --------------------------------------------------------------------------------------
def _index_items(idxty, idxval):
    if isinstance(idxty, types.BaseTuple):
        return list(zip(idxty.types, dm.tuple_items(idxty, idxval)))
    return [(idxty, idxval)]


def _consumes_dim(ty):
    return isinstance(ty, (types.Integer, types.SliceType, types.Boolean))


def basic_index(ctx, arrty, arr, idxty, idxval):
    """Resolve a basic index: ("element", indices) or ("view", meta, offset, sizes, strides)."""
    items = _index_items(idxty, idxval)
    for ty, _ in items:
        if not isinstance(dm.strip_literal(ty), (types.Integer, types.SliceType, types.EllipsisType,
                                                 types.NoneType, types.Boolean)):
            raise UnsupportedError(f"indexing an array with {idxty} (advanced indexing)",
                                   (arrty, idxty), loc=ctx.loc)
    consumed = sum(1 for ty, _ in items if _consumes_dim(dm.strip_literal(ty)))
    if consumed > arrty.ndim:
        raise UnsupportedError(f"{consumed} indices into a {arrty.ndim}-d array", (arrty, idxty),
                               loc=ctx.loc)
    meta = av.metadata(arr)
    check = ctx.mod.boundscheck
    if all(isinstance(dm.strip_literal(t), types.Integer) for t, _ in items) \
            and consumed == arrty.ndim:
        idx = [av.wrap_index(ctx, av.to_index(ctx, v, t), meta.sizes[d], check)
               for d, (t, v) in enumerate(items)]
        return ("element", idx)
    offset, sizes, strides, d = meta.offset, [], [], 0
    for ty, val in items:
        ty = dm.strip_literal(ty)
        if isinstance(ty, types.Integer):
            i = av.wrap_index(ctx, av.to_index(ctx, val, ty), meta.sizes[d], check)
            offset = arith.addi(offset, arith.muli(i, meta.strides[d]))
            d += 1
        elif isinstance(ty, types.SliceType):
            start, stop, step = av.slice_parts(ctx, ty, val)
            start, n, step = av.fix_slice(ctx, start, stop, step, meta.sizes[d])
            offset = arith.addi(offset, arith.muli(start, meta.strides[d]))
            sizes.append(n)
            strides.append(arith.muli(meta.strides[d], step))
            d += 1
        elif isinstance(ty, types.NoneType):
            sizes.append(av.cindex(1))
            strides.append(av.cindex(0))
        elif isinstance(ty, types.EllipsisType):
            for _ in range(arrty.ndim - consumed):
                sizes.append(meta.sizes[d])
                strides.append(meta.strides[d])
                d += 1
    sizes += meta.sizes[d:]
    strides += meta.strides[d:]
    return ("view", meta, offset, sizes, strides)


@lower(operator.getitem, Arr, types.Any)
def array_getitem(ctx, sig, args):
    arrty, idxty = sig.args
    res = basic_index(ctx, arrty, args[0], idxty, args[1])
    if res[0] == "element":
        return ctx.cast(av.load_elem(ctx, args[0], res[1], arrty.dtype), arrty.dtype,
                        sig.return_type)
    _, meta, offset, sizes, strides = res
    resty = sig.return_type
    if not isinstance(resty, Arr):
        # integers with ``...`` still name one element: load it through a 0-d view
        if sizes:
            raise UnsupportedError("this indexing form", sig.args, loc=ctx.loc)
        elem = av.view(types.Array(arrty.dtype, 0, "A"), meta.base, offset, [], [])
        return ctx.cast(av.load_elem(ctx, elem, [], arrty.dtype), arrty.dtype, resty)
    return av.view(resty, meta.base, offset, sizes, strides)


@lower_cast(Arr, Arr)
def array_to_array(ctx, val, fromty, toty):
    """Layout or read-only-ness conversions of the same data (C or F view as 'A', ...)."""
    if fromty.dtype != toty.dtype or fromty.ndim != toty.ndim:
        raise UnsupportedError(f"conversion from {fromty} to {toty}", loc=ctx.loc)
    if toty.layout not in ("A", fromty.layout):
        raise UnsupportedError(f"conversion from {fromty} to {toty}", loc=ctx.loc)
    return memref.cast(dm.memref_type(toty), val)


@lower(operator.setitem, Arr, types.Any, types.Any)
@fusible
def array_setitem(ctx, sig, args):
    arrty, idxty, valty = sig.args
    if not arrty.mutable:
        raise UnsupportedError("writing to a read-only array", sig.args, loc=ctx.loc)
    arr, idx, val = args
    res = basic_index(ctx, arrty, arr, idxty, idx)
    if res[0] == "element":
        if isinstance(val, la.LazyArray):
            val = la.materialize(ctx, val)
        av.store_elem(ctx, ctx.cast(val, valty, arrty.dtype), arr, res[1], arrty.dtype)
        return None
    _, meta, offset, sizes, strides = res
    target_ty = types.Array(arrty.dtype, len(sizes), "A")
    target = av.view(target_ty, meta.base, offset, sizes, strides)
    if isinstance(val, la.LazyArray) and len(val.sizes) > len(sizes):
        val = la.materialize(ctx, val)    # b[:] = ones((1, n)) * 2: NumPy drops leading 1s
    if isinstance(val, la.LazyArray):     # an array expression: computed straight into the view
        from numlir.lowering.array_operators import assign_expression
        assign_expression(ctx, target_ty, target, val)
        return None
    assign_into(ctx, target_ty, target, valty, val)
    return None


def assign_into(ctx, target_ty, target, valty, val):
    """``target[...] = val`` with NumPy broadcasting of a scalar or an array right-hand side."""
    tmeta = av.metadata(target)
    if not isinstance(valty, Arr):
        scalar = ctx.cast(val, valty, target_ty.dtype)
        av.loop_nest(tmeta.sizes, lambda ivs: av.store_elem(ctx, scalar, target, ivs,
                                                            target_ty.dtype))
        return
    src = _unaliased(ctx, valty, broadcast_to(ctx, valty, val, tmeta.sizes), target, tmeta.sizes)

    def body(ivs):
        x = av.load_elem(ctx, src, ivs, valty.dtype)
        av.store_elem(ctx, ctx.cast(x, valty.dtype, target_ty.dtype), target, ivs,
                      target_ty.dtype)
    av.loop_nest(tmeta.sizes, body)


def _unaliased(ctx, valty, src, target, sizes):
    """``src``, or a temporary copy of it when it lives in ``target``'s buffer (``a[1:] = a[:-1]``
    must read the old values, as NumPy does)."""
    from mlir.dialects import scf
    same = arith.cmpi(arith.CmpIPredicate.eq,
                      memref.extract_aligned_pointer_as_index(src),
                      memref.extract_aligned_pointer_as_index(target))
    if_op = scf.IfOp(same, [src.type], has_else=True)
    with ir.InsertionPoint(if_op.then_block):
        tmpty = types.Array(valty.dtype, len(sizes), "C")
        tmp = av.allocate(ctx, tmpty, sizes)

        def copy(ivs):
            av.store_elem(ctx, av.load_elem(ctx, src, ivs, valty.dtype), tmp, ivs, valty.dtype)
        av.loop_nest(sizes, copy)
        scf.YieldOp([memref.cast(src.type, tmp)])
    with ir.InsertionPoint(if_op.else_block):
        scf.YieldOp([src])
    return if_op.results[0]


def broadcast_to(ctx, srcty, src, sizes):
    """A view of ``src`` with shape ``sizes`` (stride 0 on broadcast dimensions; as NumPy's
    assignment, leading size-1 dimensions of ``src`` beyond ``sizes`` are dropped)."""
    meta = av.metadata(src)
    n, m = len(sizes), srcty.ndim
    one = av.cindex(1)
    msg = "could not broadcast input array into the assigned shape"
    for k in range(m - n):
        ctx.raise_if(arith.cmpi(arith.CmpIPredicate.ne, meta.sizes[k], one), ValueError, msg)
    src_sizes, src_strides = meta.sizes[max(m - n, 0):], meta.strides[max(m - n, 0):]
    m = min(m, n)
    new_strides = []
    for d in range(n):
        k = d - (n - m)
        if k < 0:
            new_strides.append(av.cindex(0))
            continue
        size_k = src_sizes[k]
        is_one = arith.cmpi(arith.CmpIPredicate.eq, size_k, one)
        ok = arith.ori(is_one, arith.cmpi(arith.CmpIPredicate.eq, size_k, sizes[d]))
        ctx.raise_if(arith.xori(ok, arith.constant(ir.IntegerType.get_signless(1), 1)),
                     ValueError, msg)
        new_strides.append(arith.select(is_one, av.cindex(0), src_strides[k]))
    return av.view(types.Array(srcty.dtype, n, "A"), meta.base, meta.offset, sizes, new_strides)


# -- flat access (used by Numba's np.ones/np.full implementations) ---------------------------------
@lower(operator.setitem, types.NumpyFlatType, types.Integer, types.Any)
def flat_setitem(ctx, sig, args):
    flatty, idxty, valty = sig.args
    arrty = flatty.array_type
    arr = args[0][1]
    meta = av.metadata(arr)
    idx = av.unravel(av.to_index(ctx, args[1], idxty), meta.sizes)
    av.store_elem(ctx, ctx.cast(args[2], valty, arrty.dtype), arr, idx, arrty.dtype)


@lower(operator.getitem, types.NumpyFlatType, types.Integer)
def flat_getitem(ctx, sig, args):
    flatty, idxty = sig.args
    arr = args[0][1]
    meta = av.metadata(arr)
    idx = av.unravel(av.to_index(ctx, args[1], idxty), meta.sizes)
    dtype = flatty.array_type.dtype
    return ctx.cast(av.load_elem(ctx, arr, idx, dtype), dtype, sig.return_type)


# -- iteration -------------------------------------------------------------------------------------
@dm.register_model(types.ArrayIterator)
def _array_iter_model(ty):
    return av.cursor_model(ty.array_type)


lower(iter, Arr)(av.start_iteration)


@lower(ITERNEXT, types.ArrayIterator)
def array_next(ctx, sig, args):
    cursor, arr = args[0]
    arrty = sig.args[0].array_type
    meta = av.metadata(arr)
    ok, safe = av.advance(cursor, meta.sizes[0])
    yield_ty = sig.args[0].yield_type
    if arrty.ndim == 1:
        # the load is guarded by ``ok``: an empty array never reads
        item = _guarded_load(ctx, arr, safe, ok, arrty.dtype)
        return tuple(dm.flatten(yield_ty, ctx.cast(item, arrty.dtype, yield_ty)) + [ok])
    offset = arith.addi(meta.offset, arith.muli(safe, meta.strides[0]))
    sub = av.view(yield_ty, meta.base, offset, meta.sizes[1:], meta.strides[1:])
    return (sub, ok)


def _guarded_load(ctx, arr, index, ok, dtype):
    from mlir.dialects import scf
    op = scf.IfOp(ok, [dm.scalar_type(dtype)], has_else=True)
    with ir.InsertionPoint(op.then_block):
        scf.YieldOp([av.load_elem(ctx, arr, [index], dtype)])
    with ir.InsertionPoint(op.else_block):
        scf.YieldOp([ctx.const(dtype, 0)])
    return op.results[0]
