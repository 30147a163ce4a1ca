"""Joining arrays: ``np.concatenate``, ``np.stack``, ``np.hstack``/``vstack``/``dstack``,
``np.column_stack`` of tuples of arrays. Numba types them (its intrinsics ``np_concatenate``,
``np_stack_common``, ``_np_hstack`` ... give the result type); the rules here emit the copies: each
input is viewed with the result's rank (a size-1 dimension inserted where a stack adds one) and
copied into its slab of the new array along the (run-time) axis."""
from __future__ import annotations

from mlir.dialects import arith
from numba.core import types
from numba.np import arrayobj

from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm
from numlir.lowering.axis_reductions import normalize_axis
from numlir.lowering.registry import lower

Arr = types.Array
P = arith.CmpIPredicate


class _Part:
    """One input seen with the result's rank: its memref and (index) sizes and strides."""

    def __init__(self, arrty, arr, sizes, strides):
        self.arrty, self.arr, self.sizes, self.strides = arrty, arr, sizes, strides

    def source(self):
        meta = av.metadata(self.arr)
        ty = Arr(self.arrty.dtype, len(self.sizes), "A")
        return ty, av.view(ty, meta.base, meta.offset, self.sizes, self.strides)


def _parts(tupty, tup):
    out = []
    for t, a in zip(tupty.types, dm.tuple_items(tupty, tup)):
        meta = av.metadata(a)
        out.append(_Part(t, a, list(meta.sizes), list(meta.strides)))
    return out


def _insert_dim(part, ax, nd_out):
    """``part`` with a size-1 dimension inserted at the run-time position ``ax``."""
    sizes, strides = [], []
    for d in range(nd_out):
        here = arith.cmpi(P.eq, ax, av.cindex(d))
        before = arith.cmpi(P.ult, av.cindex(d), ax)
        s_b = part.sizes[d] if d < len(part.sizes) else av.cindex(1)
        s_a = part.sizes[d - 1] if d > 0 else av.cindex(1)
        t_b = part.strides[d] if d < len(part.strides) else av.cindex(0)
        t_a = part.strides[d - 1] if d > 0 else av.cindex(0)
        sizes.append(arith.select(here, av.cindex(1), arith.select(before, s_b, s_a)))
        strides.append(arith.select(here, av.cindex(0), arith.select(before, t_b, t_a)))
    return _Part(part.arrty, part.arr, sizes, strides)


def _at_axis(values, ax):
    out = values[0]
    for d in range(1, len(values)):
        out = arith.select(arith.cmpi(P.eq, ax, av.cindex(d)), values[d], out)
    return out


def _concatenate(ctx, resty, parts, ax, what):
    """A new array of type ``resty``: ``parts`` (all of its rank) joined along ``ax``."""
    nd = resty.ndim
    first = parts[0]
    sizes = []
    for d in range(nd):
        here = arith.cmpi(P.eq, ax, av.cindex(d))
        total = first.sizes[d]
        bad = arith.constant(dm.scalar_type(types.boolean), 0)
        for p in parts[1:]:
            total = arith.addi(total, p.sizes[d])
            bad = arith.ori(bad, arith.cmpi(P.ne, p.sizes[d], first.sizes[d]))
        ctx.raise_if(arith.andi(bad, arith.xori(here, ctx.const(types.boolean, True))),
                     ValueError, f"{what}: input sizes over dimension {d} do not match")
        sizes.append(arith.select(here, total, first.sizes[d]))
    out = av.allocate(ctx, resty, sizes)
    ometa = av.metadata(out)
    step = _at_axis(ometa.strides, ax)
    start = av.cindex(0)
    for p in parts:
        srcty, src = p.source()
        dst = av.view(Arr(resty.dtype, nd, "A"), ometa.base, arith.muli(start, step), p.sizes,
                      ometa.strides)

        def body(ivs, src=src, srcty=srcty, dst=dst):
            x = ctx.cast(av.load_elem(ctx, src, ivs, srcty.dtype), srcty.dtype, resty.dtype)
            av.store_elem(ctx, x, dst, ivs, resty.dtype)
        av.loop_nest(p.sizes, body)
        start = arith.addi(start, _at_axis(p.sizes, ax))
    return out


def _stack(ctx, resty, parts, ax, what):
    first = parts[0]
    for p in parts[1:]:
        bad = arith.constant(dm.scalar_type(types.boolean), 0)
        for s, s0 in zip(p.sizes, first.sizes):
            bad = arith.ori(bad, arith.cmpi(P.ne, s, s0))
        ctx.raise_if(bad, ValueError, f"{what}: all input arrays must have the same shape")
    return _concatenate(ctx, resty, [_insert_dim(p, ax, resty.ndim) for p in parts], ax, what)


@lower(arrayobj.np_concatenate, types.BaseTuple, types.Integer)
def lower_concatenate(ctx, sig, args):
    resty = sig.return_type
    ax = normalize_axis(ctx, args[1], sig.args[1], resty.ndim)
    return _concatenate(ctx, resty, _parts(sig.args[0], args[0]), ax, "np.concatenate()")


@lower(arrayobj.np_stack_common, types.BaseTuple, types.Integer)
def lower_stack(ctx, sig, args):
    resty = sig.return_type
    ax = normalize_axis(ctx, args[1], sig.args[1], resty.ndim)
    return _stack(ctx, resty, _parts(sig.args[0], args[0]), ax, "np.stack()")


def _fixed_join(ctx, sig, args, stack_axis, concat_axis, what, min_nd):
    """hstack/vstack/dstack: inputs of rank < ``min_nd`` are stacked along ``stack_axis`` (after
    NumPy's atleast_Nd promotion for 0-d inputs), others concatenated along ``concat_axis``."""
    tupty, resty = sig.args[0], sig.return_type
    parts = _parts(tupty, args[0])
    nd_in = tupty.types[0].ndim
    if nd_in >= min_nd:
        return _concatenate(ctx, resty, parts, av.cindex(concat_axis), what)
    if nd_in == 0:       # 0-d inputs are joined like 1-element 1-d arrays
        parts = [_Part(p.arrty, p.arr, [av.cindex(1)], [av.cindex(0)]) for p in parts]
        nd_in = 1
    nd_stack = nd_in + 1
    stackty = Arr(resty.dtype, nd_stack, resty.layout)
    ax = av.cindex(min(stack_axis, nd_stack - 1))
    if nd_stack == resty.ndim:
        return _stack(ctx, resty, parts, ax, what)
    # the result has more dimensions: stack, then view with leading/trailing size-1 dims
    out = _stack(ctx, stackty, parts, ax, what)
    meta = av.metadata(out)
    sizes, strides = list(meta.sizes), list(meta.strides)
    while len(sizes) < resty.ndim:
        sizes.insert(0, av.cindex(1))
        strides.insert(0, av.cindex(0))
    return av.view(resty, meta.base, meta.offset, sizes,
                   av.contiguous_strides(sizes, "F" if resty.layout == "F" else "C"))


@lower(arrayobj._np_hstack, types.BaseTuple)
def lower_hstack(ctx, sig, args):
    tupty = sig.args[0]
    if tupty.types[0].ndim == 0:
        parts = [_Part(p.arrty, p.arr, [av.cindex(1)], [av.cindex(0)])
                 for p in _parts(tupty, args[0])]
        return _concatenate(ctx, sig.return_type, parts, av.cindex(0), "np.hstack()")
    axis = 0 if tupty.types[0].ndim == 1 else 1
    return _concatenate(ctx, sig.return_type, _parts(tupty, args[0]), av.cindex(axis),
                        "np.hstack()")


@lower(arrayobj._np_vstack, types.BaseTuple)
def lower_vstack(ctx, sig, args):
    tupty = sig.args[0]
    if tupty.types[0].ndim == 0:      # (N, 1)
        parts = [_Part(p.arrty, p.arr, [av.cindex(1), av.cindex(1)], [av.cindex(0)] * 2)
                 for p in _parts(tupty, args[0])]
        return _concatenate(ctx, sig.return_type, parts, av.cindex(0), "np.vstack()")
    return _fixed_join(ctx, sig, args, 0, 0, "np.vstack()", 2)


@lower(arrayobj._np_dstack, types.BaseTuple)
def lower_dstack(ctx, sig, args):
    tupty = sig.args[0]
    nd_in = tupty.types[0].ndim
    parts = _parts(tupty, args[0])
    if nd_in <= 1:     # (1, n, N): each input is a (1, n, 1) slab
        parts = [_Part(p.arrty, p.arr, [av.cindex(1)] + (p.sizes or [av.cindex(1)])
                       + [av.cindex(1)],
                       [av.cindex(0)] + (p.strides or [av.cindex(0)]) + [av.cindex(0)])
                 for p in parts]
        return _concatenate(ctx, sig.return_type, parts, av.cindex(2), "np.dstack()")
    if nd_in == 2:
        return _stack(ctx, sig.return_type, parts, av.cindex(2), "np.dstack()")
    return _concatenate(ctx, sig.return_type, parts, av.cindex(2), "np.dstack()")


@lower(arrayobj.np_column_stack, types.BaseTuple)
def lower_column_stack(ctx, sig, args):
    tupty = sig.args[0]
    parts = []
    for p in _parts(tupty, args[0]):
        if p.arrty.ndim == 1:          # a 1-d input is a column
            p = _Part(p.arrty, p.arr, [p.sizes[0], av.cindex(1)], [p.strides[0], av.cindex(0)])
        parts.append(p)
    return _concatenate(ctx, sig.return_type, parts, av.cindex(1), "np.column_stack()")
