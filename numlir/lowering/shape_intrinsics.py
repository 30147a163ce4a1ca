"""Rules for the small llvmlite-level pieces of Numba's array and tuple implementations that the
NumPy long tail reaches: ``tuple_setitem``, ``normalize_axis``, ``np.expand_dims``'s and
``np.ascontiguousarray``'s intrinsics, ``np.flip``'s slice tuple, tuple concatenation and ``x in
tuple``. Library set: keyed by objects of ``numba.np``/``numba.cpython``."""
from __future__ import annotations

import operator

import numpy as np
from mlir.dialects import arith
from numba.core import inline_closurecall, types
from numba.cpython.unsafe import tuple as unsafe_tuple
from numba.np import arraymath, arrayobj
from numba.np.unsafe import ndarray as unsafe_ndarray

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm
from numlir.lowering.array_methods import copy_array
from numlir.lowering.registry import lower, lower_getattr

P = arith.CmpIPredicate
Arr = types.Array
i64 = types.int64


@lower(unsafe_tuple.tuple_setitem, types.UniTuple, types.Integer, types.Any)
def lower_tuple_setitem(ctx, sig, args):
    """A copy of the tuple with item ``idx`` (a run-time index) replaced."""
    tupty, idxty, valty = sig.args
    tup, idx, val = args
    idx = ctx.cast(idx, idxty, i64)
    val = ctx.cast(val, valty, tupty.dtype)
    new = dm.flatten(tupty.dtype, val)
    items = []
    for k, item in enumerate(dm.tuple_items(tupty, tup)):
        hit = arith.cmpi(P.eq, idx, ctx.const(i64, k))
        old = dm.flatten(tupty.dtype, item)
        items.append(dm.unflatten(tupty.dtype,
                                  [arith.select(hit, n, o) for n, o in zip(new, old)]))
    return dm.make_tuple(sig.return_type, items)


@lower(operator.add, types.BaseTuple, types.BaseTuple)
def lower_tuple_concat(ctx, sig, args):
    (aty, bty), rt = sig.args, sig.return_type
    items = dm.tuple_items(aty, args[0]) + dm.tuple_items(bty, args[1])
    types_in = list(_item_types(aty)) + list(_item_types(bty))
    return dm.make_tuple(rt, [ctx.cast(v, t, et)
                              for v, t, et in zip(items, types_in, _item_types(rt))])


def _item_types(ty):
    return ty.types if hasattr(ty, "types") else [ty.dtype] * ty.count


@lower(operator.contains, types.BaseTuple, types.Any)
def lower_tuple_contains(ctx, sig, args):
    """``x in tup``: ``==`` against each item (as Python, by the items' own ``==``)."""
    tupty, xty = sig.args
    found = ctx.const(types.boolean, False)
    tctx = ctx.tir_typing_context()
    for item, ity in zip(dm.tuple_items(tupty, args[0]), _item_types(tupty)):
        esig = tctx.resolve_function_type(operator.eq, (ity, xty), {})
        if esig is None:
            continue
        conv = [ctx.cast(v, t, st) for v, t, st in zip((item, args[1]), (ity, xty), esig.args)]
        eq = ctx.call_rule(ctx.resolve_op(operator.eq, esig), esig, conv)
        found = arith.ori(found, ctx.cast(eq, esig.return_type, types.boolean))
    return found


@lower(arrayobj._build_flip_slice_tuple, types.IntegerLiteral)
def lower_flip_slices(ctx, sig, args):
    """``(slice(None, None, -1),) * n`` in the slice model (start, stop, step) with None's
    sentinels for a negative step."""
    rt = sig.return_type
    item = (ctx.const(i64, av.INT64_MAX), ctx.const(i64, av.INT64_MIN), ctx.const(i64, -1))
    return dm.make_tuple(rt, [item] * rt.count)


@lower(arrayobj.normalize_axis, types.Any, types.Any, types.Integer, types.Integer)
def lower_normalize_axis(ctx, sig, args):
    """A negative axis counts from the end; out of range raises ValueError (Numba's message)."""
    fname, argname, ndimty, axisty = sig.args
    ndim = ctx.cast(args[2], ndimty, i64)
    axis = ctx.cast(args[3], axisty, i64)
    axis = arith.select(arith.cmpi(P.slt, axis, ctx.const(i64, 0)), arith.addi(axis, ndim), axis)
    bad = arith.ori(arith.cmpi(P.slt, axis, ctx.const(i64, 0)), arith.cmpi(P.sge, axis, ndim))
    msg = (f"{getattr(fname, 'literal_value', '')}: Argument "
           f"{getattr(argname, 'literal_value', '')} out of bounds for dimensions of the array")
    ctx.raise_if(bad, ValueError, msg)
    return ctx.cast(axis, i64, sig.return_type)


@lower(arrayobj.np_expand_dims, Arr, types.Integer)
def lower_expand_dims(ctx, sig, args):
    """A view with a new length-1 axis at ``axis`` (run time, may be negative)."""
    (aty, axty), rt = sig.args, sig.return_type
    n = aty.ndim
    axis = ctx.cast(args[1], axty, i64)
    total = ctx.const(i64, n + 1)
    axis = arith.select(arith.cmpi(P.slt, axis, ctx.const(i64, 0)), arith.addi(axis, total), axis)
    bad = arith.ori(arith.cmpi(P.slt, axis, ctx.const(i64, 0)), arith.cmpi(P.sge, axis, total))
    ctx.raise_if(bad, ValueError,
                 "np.expand_dims: Argument axis out of bounds for dimensions of the array")
    axis = av.to_index(ctx, axis, i64)
    meta = av.metadata(args[0])
    one = av.cindex(1)
    sizes, strides = [], []
    for j in range(n + 1):
        jj = av.cindex(j)
        before = arith.cmpi(P.slt, jj, axis)
        at = arith.cmpi(P.eq, jj, axis)
        # the source dimension j (before the new axis) or j - 1 (after it)
        lo, hi = min(j, n - 1), max(j - 1, 0)
        if n == 0:
            sizes.append(one)
            strides.append(one)
            continue
        size = arith.select(before, meta.sizes[lo], meta.sizes[hi])
        stride = arith.select(before, meta.strides[lo], meta.strides[hi])
        sizes.append(arith.select(at, one, size))
        strides.append(arith.select(at, one, stride))
    return av.view(rt, meta.base, meta.offset, sizes, strides)


@lower(arrayobj._as_layout_array_intrinsic, Arr, types.StringLiteral)
def lower_as_layout(ctx, sig, args):
    """``np.ascontiguousarray``/``asfortranarray``: the array itself when its type already has
    the layout, else a copy in that order."""
    aty, rt = sig.args[0], sig.return_type
    if aty.ndim == 0:
        raise UnsupportedError("np.ascontiguousarray of a 0-d array", sig.args, loc=ctx.loc)
    if aty.layout == rt.layout or aty.ndim == 1 and aty.layout in "CF":
        from mlir.dialects import memref
        return memref.cast(dm.memref_type(rt), args[0])
    return copy_array(ctx, aty, args[0], rt)


# np.atleast_Nd: (minimum ndim, where the missing axes go, in the order they are added)
_ATLEAST = {np.atleast_1d: (1, (0,)), np.atleast_2d: (2, (0, 0)), np.atleast_3d: (3, (0, 0, 2))}


def _atleast_rule(fn):
    minimum, axes = _ATLEAST[fn]

    def rule(ctx, sig, args):
        """Each array viewed with length-1 axes added (NumPy's placement); one array gives an
        array, several a tuple. Keyed by the NumPy function: Numba's intrinsic is per call."""
        argtys, vals = list(sig.args), list(args)
        if len(argtys) == 1 and isinstance(argtys[0], types.BaseTuple):   # the *args tuple
            vals, argtys = dm.tuple_items(argtys[0], vals[0]), list(argtys[0])
        rts = list(sig.return_type) if len(argtys) > 1 else [sig.return_type]
        outs = []
        for aty, val, rt in zip(argtys, vals, rts):
            if not isinstance(aty, Arr):
                raise UnsupportedError(f"np.{fn.__name__} of a non-array", sig.args, loc=ctx.loc)
            meta = av.metadata(val)
            sizes, strides = list(meta.sizes), list(meta.strides)
            for ax in axes[aty.ndim:minimum]:
                sizes.insert(ax, av.cindex(1))
                strides.insert(ax, av.cindex(1))
            outs.append(av.view(rt, meta.base, meta.offset, sizes, strides) if rt.ndim != aty.ndim
                        else ctx.cast(val, aty, rt))
        return outs[0] if len(outs) == 1 else dm.make_tuple(sig.return_type, outs)
    return rule


for _fn in _ATLEAST:
    lower(_fn, Arr, varargs=True)(_atleast_rule(_fn))
    lower(_fn, types.BaseTuple)(_atleast_rule(_fn))


@lower(types.NamedTupleClass, types.Any, varargs=True)
def lower_namedtuple_new(ctx, sig, args):
    """``SomeNamedTuple(*values)`` (``np.finfo``/``np.iinfo`` results in Numba's helpers)."""
    rt = sig.return_type
    return dm.make_tuple(rt, [ctx.cast(v, t, et) for v, t, et in zip(args, sig.args, rt)])


def _namedtuple_field(ctx, ty, value, result_type, attr):
    index = ty.fields.index(attr)
    return ctx.cast(dm.tuple_items(ty, value)[index], ty.types[index], result_type)


# the fields of the named tuples Numba's NumPy helpers build (np.finfo, np.iinfo, MachAr)
for _field in set(arraymath.finfo._fields + arraymath.iinfo._fields
                  + arraymath.MachAr._fields):
    lower_getattr(types.BaseNamedTuple, _field)(
        lambda ctx, ty, value, rt, _f=_field: _namedtuple_field(ctx, ty, value, rt, _f))


@lower(inline_closurecall.length_of_iterator, types.ArrayIterator)
def lower_array_iterator_length(ctx, sig, args):
    """``len`` of an array iterator (array comprehensions): the items it has left."""
    from mlir.dialects import memref
    cursor, arr = args[0]
    left = arith.subi(av.metadata(arr).sizes[0], memref.load(cursor, []))
    return ctx.cast(av.to_int64(left), i64, sig.return_type)


@lower(unsafe_ndarray.empty_inferred, types.UniTuple)
def lower_empty_inferred(ctx, sig, args):
    """The result buffer of an array comprehension (dtype inferred by Numba's typing)."""
    shapety = sig.args[0]
    sizes = [av.to_index(ctx, v, shapety.dtype) for v in dm.tuple_items(shapety, args[0])]
    return av.allocate(ctx, sig.return_type, sizes)


@lower(tuple, types.BaseTuple)
def lower_tuple_of_tuple(ctx, sig, args):
    """``tuple(t)`` of a tuple (``f(x, *t)`` calls build it): the same items."""
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower(arrayobj._numpy_broadcast_to, Arr, types.BaseTuple)
def lower_broadcast_to(ctx, sig, args):
    """A read-only view of ``shape``: the source's dimensions aligned to the right, stride 0
    where it is stretched or missing (``_can_broadcast`` has checked the shapes)."""
    (aty, shapety), rt = sig.args, sig.return_type
    meta = av.metadata(args[0])
    sizes = [av.to_index(ctx, v, t)
             for v, t in zip(dm.tuple_items(shapety, args[1]), _item_types(shapety))]
    lead = len(sizes) - aty.ndim
    zero, one = av.cindex(0), av.cindex(1)
    strides = []
    for j in range(len(sizes)):
        i = j - lead
        if i < 0:
            strides.append(zero)
        else:
            stretched = arith.cmpi(P.eq, meta.sizes[i], one)
            strides.append(arith.select(stretched, zero, meta.strides[i]))
    return av.view(rt, meta.base, meta.offset, sizes, strides)


@lower(arrayobj.get_readonly_array, Arr)
def lower_get_readonly_array(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)
