"""Whole-array reductions (``np.sum(x)``, ``x.sum()``, ``prod``, ``mean``, ``max``, ``min``) as one
``linalg.generic`` with reduction iterators; an elementwise expression argument fuses into it
(``np.sum(a * b)`` reads ``a`` and ``b`` once and allocates nothing). Forms with ``axis``/``dtype``
go through Numba's implementations."""
from __future__ import annotations

import itertools
import operator

import numpy as np
from mlir import ir
from mlir.dialects import arith
from numba.core import types

from numlir.lowering import array_views as av
from numlir.lowering import lazy_arrays as la
from numlir.lowering.fusion import fusible
from numlir.lowering.registry import lower

Arr = types.Array


def _REASSOC():
    from mlir import ir
    return ir.Attribute.parse("#arith.fastmath<reassoc>")


def _fold(ctx, arrty, arr, accty, op, start):
    """``op``-fold of every element of ``arr`` (lazy or not), converted to ``accty``."""
    lazy = la.as_leaf(arrty, arr)
    sig = ctx.tir_typing_context().resolve_function_type(op, (accty, accty), {})
    key = ctx.resolve_op(op, sig)

    def merge(acc, v):
        if isinstance(accty, types.Float):
            # reassociation lets LLVM keep several partial sums in vector lanes (NumPy's own
            # pairwise summation is not sequential either)
            make = arith.AddFOp if op is operator.add else arith.MulFOp
            return make(acc, v, fastmath=_REASSOC()).result
        out = ctx.call_rule(key, sig, [ctx.cast(acc, accty, sig.args[0]),
                                       ctx.cast(v, accty, sig.args[1])])
        return ctx.cast(out, sig.return_type, accty)

    def step(acc, value):
        return merge(acc, ctx.cast(value, arrty.dtype, accty))
    return la.reduce(ctx, lazy, accty, ctx.const(accty, start), step, merge), lazy


def _whole(*keys):
    """Register for ``key(array)`` with any further arguments left out or None (Numba's
    overloads type ``np.sum(a)`` as ``(array, omitted(None), omitted(None))``)."""
    def deco(rule):
        for key in keys:
            for extra in range(4):
                for combo in itertools.product((types.Omitted, types.NoneType), repeat=extra):
                    lower(key, Arr, *combo)(rule)
        return fusible(rule)
    return deco


@_whole(np.sum, "array.sum", (Arr, "sum"))
def array_sum(ctx, sig, args):
    return _fold(ctx, sig.args[0], args[0], sig.return_type, operator.add, 0)[0]


@_whole(np.prod, "array.prod", (Arr, "prod"))
def array_prod(ctx, sig, args):
    return _fold(ctx, sig.args[0], args[0], sig.return_type, operator.mul, 1)[0]


@_whole(np.mean, "array.mean", (Arr, "mean"))
def array_mean(ctx, sig, args):
    rt = sig.return_type
    total, lazy = _fold(ctx, sig.args[0], args[0], rt, operator.add, 0)
    count = ctx.cast(av.to_int64(av.product(lazy.sizes)), types.int64, rt)
    if isinstance(rt, types.Complex):
        from mlir.dialects import complex as cplx
        return cplx.div(total, count)
    return arith.divf(total, count)


def _extreme(ctx, sig, args, largest):
    """max/min of every element; NaN wins (NumPy), ValueError on an empty array."""
    arrty, rt = sig.args[0], sig.return_type
    if isinstance(rt, types.Complex):
        from numlir.errors import UnsupportedError
        raise UnsupportedError("max/min of complex arrays", sig.args, loc=ctx.loc)
    lazy = la.as_leaf(arrty, args[0])
    empty = arith.cmpi(av.P.eq, av.product(lazy.sizes), av.cindex(0))
    name = "maximum" if largest else "minimum"
    ctx.raise_if(empty, ValueError,
                 f"zero-size array to reduction operation {name} which has no identity")
    if isinstance(rt, types.Float):
        start, pick = (-np.inf if largest else np.inf), (arith.maximumf if largest
                                                         else arith.minimumf)
    elif isinstance(rt, types.Boolean):
        rt = types.int8
        start, pick = (0 if largest else 1), (arith.maxui if largest else arith.minui)
    elif rt.signed:
        start = -(1 << (rt.bitwidth - 1)) if largest else (1 << (rt.bitwidth - 1)) - 1
        pick = arith.maxsi if largest else arith.minsi
    else:
        start, pick = (0 if largest else (1 << rt.bitwidth) - 1), (arith.maxui if largest
                                                                   else arith.minui)

    def step(acc, value):
        return pick(acc, ctx.cast(value, arrty.dtype, rt))

    def fold():
        return la.reduce(ctx, lazy, rt, ctx.const(rt, start), step, pick)
    out = None
    if isinstance(rt, types.Float) and not getattr(ctx, "parallel", False):
        out = _extreme_by_lanes(ctx, rt, lazy, largest, fold)
    return ctx.cast(fold() if out is None else out, rt, sig.return_type)


def _extreme_by_lanes(ctx, rt, lazy, largest, fold):
    """A float max/min with the axis reductions' per-lane running values (LLVM does not
    vectorize a fold of NaN-propagating maxima: one value at a time, ~7x NumPy's time), when
    every array leaf of the expression is C-contiguous (or 1-d) with its full rank: the elements
    are then read at one flat index, when no leaf is broadcast at run time (else ``fold()``, the
    one-value fold, runs). None when the leaves do not qualify. The caller checked for
    emptiness."""
    from mlir.dialects import scf

    from numlir.lowering import datamodel as dm
    from numlir.lowering.array_methods import reshape
    from numlir.lowering.reduction_lines import line_extreme
    ndim = len(lazy.sizes)
    arrays = [(t, v) for t, v in lazy.leaves if isinstance(t, Arr)]
    if ndim == 0 or not arrays or not all(t.ndim == ndim and (t.layout == "C" or ndim == 1)
                             for t, _ in arrays):
        return None
    n = av.product(lazy.sizes)
    plain = la.unstretched(lazy, arrays)
    dtype = la.elem_type(lazy.ty)
    with ctx.deferred_errors():        # no branches inside the regions below
        if_op = scf.IfOp(plain, [dm.scalar_type(rt)], has_else=True)
        with ir.InsertionPoint(if_op.then_block):
            flats = {}
            for t, v in arrays:
                if id(v) not in flats:
                    flats[id(v)] = v if ndim == 1 else reshape(
                        ctx, t, v, [av.product(av.metadata(v).sizes)], Arr(t.dtype, 1, "C"))

            def element(k):
                vals = [av.load_elem(ctx, flats[id(v)], [k], t.dtype) if isinstance(t, Arr)
                        else v for t, v in lazy.leaves]
                return ctx.cast(lazy.fn(vals), dtype, rt)
            scf.YieldOp([line_extreme(rt, element, av.cindex(0), n, largest)])
        with ir.InsertionPoint(if_op.else_block):
            scf.YieldOp([fold()])
    return if_op.results[0]


@_whole(np.max, np.amax, "array.max", (Arr, "max"))
def array_max(ctx, sig, args):
    return _extreme(ctx, sig, args, True)


@_whole(np.min, np.amin, "array.min", (Arr, "min"))
def array_min(ctx, sig, args):
    return _extreme(ctx, sig, args, False)
