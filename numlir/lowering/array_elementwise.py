"""Elementwise operators on arrays with NumPy broadcasting, as lazy array expressions that fuse
into one ``linalg.generic`` (see ``lazy_arrays.py`` and ``fusion.py``).

The loop form is the array issue's baseline: each operator allocates its result. The fused,
vectorized linalg lowering of whole expressions (the array-expression issue) replaces it.
"""
from __future__ import annotations

import operator

from mlir import ir
from mlir.dialects import arith
from numba.core import types, typing

from numlir.errors import UnsupportedError
from numlir.frontend import nep50
from numlir.lowering import array_views as av
from numlir.lowering import lazy_arrays as la
from numlir.lowering.fusion import fusible
from numlir.lowering.registry import lower

Arr = types.Array
# operators whose scalar rules never branch (safe inside a loop body); NumPy's semantics for these
# match Python's on scalars
_BINARY = (operator.add, operator.sub, operator.mul, operator.eq, operator.ne, operator.lt,
           operator.le, operator.gt, operator.ge, operator.and_, operator.or_, operator.xor,
           operator.lshift, operator.rshift)
_UNARY = (operator.neg, operator.pos, operator.invert)


def broadcast_shape(ctx, shapes):
    """NumPy's broadcast of several shapes (lists of index values); ValueError if incompatible."""
    ndim = max((len(s) for s in shapes), default=0)   # no array operand: a 0-d result
    out = []
    one = av.cindex(1)
    for d in range(ndim):
        size = one
        for s in shapes:
            k = d - (ndim - len(s))
            if k < 0:
                continue
            size = arith.select(arith.cmpi(av.P.eq, s[k], one), size, s[k])
        for s in shapes:
            k = d - (ndim - len(s))
            if k < 0:
                continue
            ok = arith.ori(arith.cmpi(av.P.eq, s[k], one), arith.cmpi(av.P.eq, s[k], size))
            ctx.raise_if(arith.xori(ok, arith.constant(ir.IntegerType.get_signless(1), 1)),
                         ValueError, "operands could not be broadcast together")
        out.append(size)
    return out


def lazy_elementwise(ctx, resty, operands, scalar_fn):
    """A lazy ``resty`` array: ``scalar_fn(*elements)`` over the broadcast of ``operands``, a list
    of (Numba type, value) with arrays (lazy or not) and scalars mixed. The shapes are checked
    now; the elements are computed when the walker materializes the expression."""
    if not isinstance(resty, Arr):
        # Numba types operators on 0-d arrays alone as scalars: compute the element now
        vals = [av.load_elem(ctx, la.materialize(ctx, v) if isinstance(v, la.LazyArray) else v,
                             [], t.dtype) if isinstance(t, Arr) else v for t, v in operands]
        return scalar_fn(vals)
    shapes = [la.shape_of(v) for t, v in operands if isinstance(t, Arr)]
    sizes = broadcast_shape(ctx, shapes)
    return la.build(ctx, resty, operands, sizes, scalar_fn)


def elementwise(ctx, resty, operands, scalar_fn):
    """Like :func:`lazy_elementwise`, computed into a new array at once (a memref)."""
    return la.materialize(ctx, lazy_elementwise(ctx, resty, operands, scalar_fn))


def _scalar_types(argtypes):
    return tuple(t.dtype if isinstance(t, Arr) else t for t in argtypes)


def _elementwise_rule(op):
    def rule(ctx, sig, args):
        resty = sig.return_type
        tctx = ctx.tir_typing_context()
        # Python scalars are weak (NEP 50): int32_array + 1 adds in int32
        stypes = tuple(nep50.adjust(list(_scalar_types(sig.args)), sig.args))
        ssig = tctx.resolve_function_type(op, stypes, {})
        if ssig is None:
            raise UnsupportedError(f"elementwise {op.__name__}", sig.args, loc=ctx.loc)
        key = ctx.resolve_op(op, ssig)

        def scalar_fn(vals):
            conv = [ctx.cast(v, t, st) for v, t, st in zip(vals, _scalar_types(sig.args),
                                                           ssig.args)]
            return ctx.cast(ctx.call_rule(key, ssig, conv), ssig.return_type,
                            la.elem_type(resty))
        return lazy_elementwise(ctx, resty, list(zip(sig.args, args)), scalar_fn)
    return fusible(rule)


for _op in _BINARY:
    for _pats in ((Arr, Arr), (Arr, types.Number), (types.Number, Arr), (Arr, types.Boolean),
                  (types.Boolean, Arr)):
        lower(_op, *_pats)(_elementwise_rule(_op))
for _op in _UNARY:
    lower(_op, Arr)(_elementwise_rule(_op))


@lower(operator.truediv, Arr, Arr)
@lower(operator.truediv, Arr, types.Number)
@lower(operator.truediv, types.Number, Arr)
@fusible
def array_truediv(ctx, sig, args):
    """NumPy true division: a float result, inf/nan on division by zero (no exception)."""
    ft = la.elem_type(sig.return_type)

    def scalar_fn(vals):
        a, b = (ctx.cast(v, t, ft) for v, t in zip(vals, _scalar_types(sig.args)))
        if isinstance(ft, types.Complex):
            from mlir.dialects import complex as cplx
            return cplx.div(a, b)
        return arith.divf(a, b)
    return lazy_elementwise(ctx, sig.return_type, list(zip(sig.args, args)), scalar_fn)


__all__ = ["broadcast_shape", "elementwise", "lazy_elementwise", "typing"]
