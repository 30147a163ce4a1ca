"""Array methods and conversions: copy, reshape, ravel/flatten, transpose, astype, view, the
``.real``/``.imag``/``.flags`` attributes, and the ``enumerate``/``np.ndenumerate`` iterators."""
from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import arith, memref, scf
from numba.core import types, typing

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm
from numlir.lowering.arrays import assign_into
from numlir.lowering.registry import ITERNEXT, lower, lower_getattr
from numlir.lowering.tuples import select_item

Arr = types.Array


def copy_array(ctx, srcty, src, resty):
    """A new array of type ``resty`` (C or F order) holding ``src`` converted to its dtype."""
    meta = av.metadata(src)
    out = av.allocate(ctx, resty, meta.sizes)
    assign_into(ctx, resty, out, srcty, src)
    return out


@lower("array.copy", Arr)
def lower_array_copy(ctx, sig, args):
    return copy_array(ctx, sig.args[0], args[0], sig.return_type)


@lower("array.astype", Arr, types.Any)
def lower_astype(ctx, sig, args):
    return copy_array(ctx, sig.args[0], args[0], sig.return_type)


def _shape_args(ctx, sig, args):
    """reshape's new shape, given as one tuple or as separate integers."""
    if len(sig.args) == 2 and isinstance(sig.args[1], types.BaseTuple):
        tupty = sig.args[1]
        return [av.to_index(ctx, v, t) for t, v in zip(tupty.types, dm.tuple_items(tupty, args[1]))]
    return [av.to_index(ctx, v, t) for t, v in zip(sig.args[1:], args[1:])]


def _new_sizes(ctx, total, new_sizes):
    """reshape's target sizes with one -1 entry inferred; ValueError unless the size is kept."""
    minus1 = arith.constant(ir.IndexType.get(), -1)
    known = av.cindex(1)
    for s in new_sizes:
        known = arith.muli(known, arith.select(arith.cmpi(av.P.eq, s, minus1), av.cindex(1), s))
    safe_known = arith.select(arith.cmpi(av.P.eq, known, av.cindex(0)), av.cindex(1), known)
    inferred = arith.divsi(total, safe_known)
    sizes = [arith.select(arith.cmpi(av.P.eq, s, minus1), inferred, s) for s in new_sizes]
    ctx.raise_if(arith.cmpi(av.P.ne, av.product(sizes), total), ValueError,
                 "cannot reshape array: total size of new array must be unchanged")
    return sizes


def reshape_view(ctx, srcty, src, new_sizes, resty):
    """``src.reshape(new_sizes)`` for a C-contiguous ``src`` (one -1 entry is inferred)."""
    meta = av.metadata(src)
    sizes = _new_sizes(ctx, av.product(meta.sizes), new_sizes)
    return av.view(resty, meta.base, meta.offset, sizes, av.contiguous_strides(sizes, "C"))


def _c_contiguous(ty):
    return ty.layout == "C" or ty.ndim == 0 or (ty.ndim == 1 and ty.layout == "F")


def _nocopy_strides(old_sizes, old_strides, new_sizes, out, scratch):
    """Whether an array of ``old_sizes``/``old_strides`` (elements) can be viewed in C order with
    ``new_sizes``, NumPy's rule (``_attempt_nocopy_reshape``); if so the strides are put in
    ``out``. Runs of old axes that merge into new ones must be contiguous among themselves.
    ``scratch`` (two per old axis) is the caller's stack buffer: a small array allocated here
    would become a stack allocation inside the caller's loops once inlined."""
    n = len(old_sizes)
    m = len(new_sizes)
    total = 1
    for k in range(m):
        total *= new_sizes[k]
    if total == 0:                          # no elements: any strides do, take C order's
        acc = 1
        for k in range(m - 1, -1, -1):
            out[k] = acc
            acc *= max(new_sizes[k], 1)
        return True
    dims, strides = scratch[:n], scratch[n:]    # the old axes without the length-1 ones
    kept = 0
    for k in range(n):
        if old_sizes[k] != 1:
            dims[kept] = old_sizes[k]
            strides[kept] = old_strides[k]
            kept += 1
    oi, oj, ni, nj = 0, 1, 0, 1             # old axes [oi, oj) become new axes [ni, nj)
    while ni < m and oi < kept:
        new_run, old_run = new_sizes[ni], dims[oi]
        while new_run != old_run:
            if new_run < old_run:
                new_run *= new_sizes[nj]
                nj += 1
            else:
                old_run *= dims[oj]
                oj += 1
        for k in range(oi, oj - 1):
            if strides[k] != dims[k + 1] * strides[k + 1]:
                return False
        out[nj - 1] = strides[oj - 1]
        for k in range(nj - 1, ni, -1):
            out[k - 1] = out[k] * new_sizes[k]
        ni, nj = nj, nj + 1
        oi, oj = oj, oj + 1
    last = out[ni - 1] if ni >= 1 else 1    # trailing length-1 axes
    for k in range(ni, m):
        out[k] = last
    return True


def _reshape_strided(ctx, srcty, src, sizes, resty):
    """NumPy's reshape of non-C-contiguous data: a view when the strides allow the new shape
    (``_nocopy_strides``), else a view of a C-ordered copy."""
    meta = av.metadata(src)
    m = len(sizes)
    i64 = types.int64
    old_t, new_t = types.UniTuple(i64, srcty.ndim), types.UniTuple(i64, m)
    outty = Arr(i64, 1, "C")
    i64_mlir = ir.IntegerType.get_signless(64)
    # stack buffers in the entry block: one slot each, even when the reshape is in a loop
    out = memref.cast(dm.memref_type(outty), ctx.entry_alloca(ir.MemRefType.get([m], i64_mlir)))
    scratch = memref.cast(dm.memref_type(outty),
                          ctx.entry_alloca(ir.MemRefType.get([2 * srcty.ndim], i64_mlir)))
    ok = ctx.call_python(
        _nocopy_strides, typing.signature(types.boolean, old_t, old_t, new_t, outty, outty),
        [dm.make_tuple(old_t, [av.to_int64(s) for s in meta.sizes]),
         dm.make_tuple(old_t, [av.to_int64(s) for s in meta.strides]),
         dm.make_tuple(new_t, [av.to_int64(s) for s in sizes]), out, scratch])
    if_op = scf.IfOp(ok, [dm.memref_type(resty)], has_else=True)
    with ir.InsertionPoint(if_op.then_block):
        strides = [av.load_elem(ctx, out, [av.cindex(k)], i64) for k in range(m)]
        strides = [arith.index_cast(ir.IndexType.get(), s) for s in strides]
        scf.YieldOp([av.view(resty, meta.base, meta.offset, sizes, strides)])
    with ir.InsertionPoint(if_op.else_block):
        # (inside a region: copied without assign_into, whose checks would branch)
        ctype = srcty.copy(layout="C", readonly=False)
        copied = av.allocate(ctx, ctype, meta.sizes)
        av.loop_nest(meta.sizes, lambda ivs: memref.store(memref.load(src, ivs), copied, ivs))
        copy = av.metadata(copied)
        scf.YieldOp([av.view(resty, copy.base, copy.offset, sizes,
                             av.contiguous_strides(sizes, "C"))])
    return if_op.results[0]


def reshape(ctx, srcty, src, sizes, resty, always_copy=False):
    """NumPy's (C-order) reshape: a view of C-contiguous data; for other data a view where the
    strides allow it and ``resty`` can hold it ('A', or a 1-d result of F data), else a
    C-ordered copy reshaped."""
    if not always_copy and _c_contiguous(srcty):
        return reshape_view(ctx, srcty, src, sizes, resty)
    if not always_copy and (resty.layout == "A" or srcty.layout == "F" and resty.ndim <= 1):
        meta = av.metadata(src)
        sizes = _new_sizes(ctx, av.product(meta.sizes), sizes)
        if not sizes:       # one element: always a view
            return av.view(resty, meta.base, meta.offset, [], [])
        return _reshape_strided(ctx, srcty, src, sizes, resty)
    ctype = srcty.copy(layout="C", readonly=False)
    src, srcty = copy_array(ctx, srcty, src, ctype), ctype
    return reshape_view(ctx, srcty, src, sizes, resty)


@lower("array.reshape", Arr, types.Any, varargs=True)
def lower_reshape(ctx, sig, args):
    return reshape(ctx, sig.args[0], args[0], _shape_args(ctx, sig, args), sig.return_type)


def _ravel(ctx, sig, args, always_copy):
    meta = av.metadata(args[0])
    return reshape(ctx, sig.args[0], args[0], [av.product(meta.sizes)], sig.return_type,
                   always_copy)


lower("array.ravel", Arr)(lambda ctx, sig, args: _ravel(ctx, sig, args, False))
lower(np.ravel, Arr)(lambda ctx, sig, args: _ravel(ctx, sig, args, False))
lower("array.flatten", Arr)(lambda ctx, sig, args: _ravel(ctx, sig, args, True))


@lower("array.transpose", Arr, types.Any, varargs=True)
def lower_transpose(ctx, sig, args):
    srcty = sig.args[0]
    meta = av.metadata(args[0])
    if len(sig.args) == 1 or isinstance(sig.args[1], types.NoneType):
        return av.view(sig.return_type, meta.base, meta.offset, meta.sizes[::-1],
                       meta.strides[::-1])
    if isinstance(sig.args[1], types.BaseTuple):
        axty, axes = sig.args[1], args[1]
    else:
        axty = types.UniTuple(types.int64, len(sig.args) - 1)
        axes = dm.make_tuple(axty, [ctx.cast(v, t, types.int64)
                                    for v, t in zip(args[1:], sig.args[1:])])
    if not isinstance(axty, types.UniTuple) or len(axty) != srcty.ndim:
        raise UnsupportedError("transpose with these axes", sig.args, loc=ctx.loc)
    axty64 = types.UniTuple(types.int64, len(axty))
    axes = ctx.cast(axes, axty, axty64)
    sizes_t = dm.make_tuple(types.UniTuple(types.int64, srcty.ndim),
                            [av.to_int64(s) for s in meta.sizes])
    strides_t = dm.make_tuple(types.UniTuple(types.int64, srcty.ndim),
                              [av.to_int64(s) for s in meta.strides])
    new_sizes, new_strides = [], []
    for ax in dm.tuple_items(axty64, axes):
        new_sizes.append(arith.index_cast(ir.IndexType.get(),
                                          select_item(ctx, axty64, sizes_t, ax)))
        new_strides.append(arith.index_cast(ir.IndexType.get(),
                                            select_item(ctx, axty64, strides_t, ax)))
    return av.view(sig.return_type, meta.base, meta.offset, new_sizes, new_strides)


@lower("array.view", Arr, types.Any)
def lower_array_view(ctx, sig, args):
    srcty, resty = sig.args[0], sig.return_type
    from numba.np.numpy_support import as_dtype
    if as_dtype(srcty.dtype).itemsize != as_dtype(resty.dtype).itemsize:
        raise UnsupportedError("view() between dtypes of different sizes", sig.args, loc=ctx.loc)
    from numlir.runtime.array_boxing import descriptor_type
    st = ir.Type.parse(descriptor_type(srcty.ndim))
    raw = ir.Operation.create("builtin.unrealized_conversion_cast", results=[st],
                              operands=[args[0]]).result
    return ir.Operation.create("builtin.unrealized_conversion_cast",
                               results=[dm.memref_type(resty)], operands=[raw]).result


# -- .real / .imag / .flags ---------------------------------------------------------------------
def _descriptor_cast(value, to_type):
    return ir.Operation.create("builtin.unrealized_conversion_cast", results=[to_type],
                               operands=[value]).result


def _complex_part(ctx, ty, arr, resty, imag):
    """A float view of the real or imaginary parts of a complex array: the same buffer, offset
    and strides doubled (in elements of the float type), the imaginary part one further."""
    from mlir.dialects import llvm

    from numlir.runtime.array_boxing import descriptor_type
    st = ir.Type.parse(descriptor_type(ty.ndim))
    d = _descriptor_cast(arr, st)
    i64 = ir.IntegerType.get_signless(64)
    two = arith.constant(i64, 2)
    offset = arith.muli(llvm.extractvalue(i64, d, [2]), two)
    if imag:
        offset = arith.addi(offset, arith.constant(i64, 1))
    d = llvm.insertvalue(d, offset, [2])
    for k in range(ty.ndim):
        d = llvm.insertvalue(d, arith.muli(llvm.extractvalue(i64, d, [4, k]), two), [4, k])
    return _descriptor_cast(d, dm.memref_type(resty))


@lower_getattr(Arr, "real")
def array_real(ctx, ty, arr, resty):
    if isinstance(ty.dtype, types.Complex):
        return _complex_part(ctx, ty, arr, resty, imag=False)
    return arr                  # NumPy: a view of the whole array


@lower_getattr(Arr, "imag")
def array_imag(ctx, ty, arr, resty):
    if isinstance(ty.dtype, types.Complex):
        return _complex_part(ctx, ty, arr, resty, imag=True)
    # NumPy: new read-only zeros (Numba types them like the array; 'A' is filled in C order)
    out = av.allocate(ctx, resty, av.metadata(arr).sizes)
    assign_into(ctx, resty, out, types.int64, ctx.const(types.int64, 0))
    return out


@dm.register_model(types.ArrayFlags)
def _flags_model(ty):
    return [dm.memref_type(ty.array_type)]


@lower_getattr(Arr, "flags")
def array_flags(ctx, ty, arr, resty):
    return arr


def _contiguous(arrty, arr, order):
    """NumPy's flag: strides (as the descriptor holds them) are the packed ones of ``order``,
    ignoring length-1 axes; arrays without elements are contiguous."""
    if arrty.layout == order or arrty.ndim == 0:
        return arith.constant(ir.IntegerType.get_signless(1), 1)
    meta = av.metadata(arr)
    i64 = ir.IntegerType.get_signless(64)
    sizes = [av.to_int64(s) for s in meta.sizes]
    strides = av.descriptor_strides(arr, arrty.ndim)
    dims = range(arrty.ndim - 1, -1, -1) if order == "C" else range(arrty.ndim)
    one, zero = arith.constant(i64, 1), arith.constant(i64, 0)
    ok = arith.constant(ir.IntegerType.get_signless(1), 1)
    empty = arith.constant(ir.IntegerType.get_signless(1), 0)
    expected = one
    for k in dims:
        packed = arith.ori(arith.cmpi(av.P.eq, sizes[k], one),
                           arith.cmpi(av.P.eq, strides[k], expected))
        ok = arith.andi(ok, packed)
        empty = arith.ori(empty, arith.cmpi(av.P.eq, sizes[k], zero))
        expected = arith.muli(expected, sizes[k])
    return arith.ori(ok, empty)


@lower_getattr(types.ArrayFlags, "c_contiguous")
@lower_getattr(types.ArrayFlags, "contiguous")
def array_flags_c(ctx, ty, arr, resty):
    return _contiguous(ty.array_type, arr, "C")


@lower_getattr(types.ArrayFlags, "f_contiguous")
def array_flags_f(ctx, ty, arr, resty):
    return _contiguous(ty.array_type, arr, "F")


# -- iterators -------------------------------------------------------------------------------------
@lower(iter, types.IteratorType)
def iter_of_iterator(ctx, sig, args):
    return args[0]


@dm.register_model(types.EnumerateType)
def _enumerate_model(ty):
    return [ir.MemRefType.get([], ir.IntegerType.get_signless(64))] + dm.leaf_types(ty.source_type)


@lower(enumerate, types.IterableType)
@lower(enumerate, types.IterableType, types.Integer)
def lower_enumerate(ctx, sig, args):
    srcty = sig.return_type.source_type
    it_sig = ctx.tir_typing_context().resolve_function_type(iter, (sig.args[0],), {})
    source = ctx.call_rule(iter, it_sig, [args[0]], what="iteration")
    source = ctx.cast(source, it_sig.return_type, srcty)
    counter = ctx.entry_alloca(ir.MemRefType.get([], ir.IntegerType.get_signless(64)))
    start = (ctx.cast(args[1], sig.args[1], types.int64) if len(args) > 1
             else ctx.const(types.int64, 0))
    memref.store(start, counter, [])
    return tuple([counter] + dm.flatten(srcty, source))


@lower(ITERNEXT, types.EnumerateType)
def lower_enumerate_next(ctx, sig, args):
    enty = sig.args[0]
    counter, rest = args[0][0], args[0][1:]
    srcty = enty.source_type
    source = dm.unflatten(srcty, rest)
    pty = types.Pair(srcty.yield_type, types.boolean)
    pair = ctx.call_rule(ITERNEXT, typing.signature(pty, srcty), [source], what="iteration")
    leaves = dm.flatten(pty, pair)
    n = len(dm.leaf_types(pty.first_type))
    item, ok = dm.unflatten(pty.first_type, leaves[:n]), leaves[n]
    count = memref.load(counter, [])
    memref.store(arith.addi(count, ctx.const(types.int64, 1)), counter, [])
    yty = enty.yield_type
    value = dm.make_tuple(yty, [count, ctx.cast(item, pty.first_type, yty.types[1])])
    return tuple(dm.flatten(yty, value) + [ok])


@dm.register_model(types.NumpyNdEnumerateType)
def _ndenumerate_model(ty):
    return av.cursor_model(ty.array_type)


lower(np.ndenumerate, Arr)(av.start_iteration)


@lower(ITERNEXT, types.NumpyNdEnumerateType)
def lower_ndenumerate_next(ctx, sig, args):
    cursor, arr = args[0]
    arrty = sig.args[0].array_type
    meta = av.metadata(arr)
    ok, safe = av.advance(cursor, av.product(meta.sizes))
    idx = av.unravel(safe, meta.sizes) if arrty.ndim else []
    # an empty array never reads: clamp the indices to 0 when exhausted
    idx = [arith.select(ok, i, av.cindex(0)) for i in idx]
    from numlir.lowering.arrays import _guarded_load
    item = (_guarded_load(ctx, arr, idx[0], ok, arrty.dtype) if arrty.ndim == 1
            else av.load_elem(ctx, arr, idx, arrty.dtype))
    yty = sig.args[0].yield_type
    idxty = yty.types[0]
    value = dm.make_tuple(yty, [dm.make_tuple(idxty, [av.to_int64(i) for i in idx]), item])
    return tuple(dm.flatten(yty, value) + [ok])
