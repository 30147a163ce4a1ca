"""``np.dot`` / ``@`` / ``np.matmul`` on float and complex arrays of 1 or 2 dimensions (float32/64
matrices through BLAS when the strides allow), ``np.vdot``, and 3-argument ``np.where``, as explicit
loop nests (i-k-j order: unit-stride inner loop on C data). ``np.matmul``, which Numba does not
type, is typed here for the numlir target: 1-d and 2-d numeric arrays, NumPy's result dtype."""
from __future__ import annotations

import operator

import numpy as np
from mlir.dialects import arith, memref
from mlir.dialects import complex as cplx
from numba.core import types
from numba.core.typing.templates import AbstractTemplate, infer_global, signature
from numba.np.numpy_support import as_dtype, from_dtype

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import blas
from numlir.lowering.array_elementwise import lazy_elementwise
from numlir.lowering.fusion import fusible
from numlir.lowering.registry import lower

Arr = types.Array


def _ops(dtype):
    if isinstance(dtype, types.Complex):
        return cplx.add, cplx.mul
    if isinstance(dtype, types.Float):
        return arith.addf, arith.mulf
    return arith.addi, arith.muli


def _check(ctx, a, b, what):
    ctx.raise_if(arith.cmpi(av.P.ne, a, b), ValueError, what)


@lower(np.dot, Arr, Arr)
@lower(np.matmul, Arr, Arr)
@lower(operator.matmul, Arr, Arr)
def lower_dot(ctx, sig, args):
    (aty, bty), rt = sig.args, sig.return_type
    dtype = rt.dtype if isinstance(rt, Arr) else rt
    add, mul = _ops(dtype)
    a, b = args
    ma, mb = av.metadata(a), av.metadata(b)
    msg = "shapes not aligned for matrix product"

    def elem(arr, ty, idx):
        return ctx.cast(av.load_elem(ctx, arr, idx, ty.dtype), ty.dtype, dtype)

    if aty.ndim == 1 and bty.ndim == 1:
        _check(ctx, ma.sizes[0], mb.sizes[0], msg)
        acc = ctx.entry_alloca(memref_type_of(dtype))
        memref.store(ctx.const(dtype, 0), acc, [])
        av.loop_nest([ma.sizes[0]], lambda ivs: memref.store(
            add(memref.load(acc, []), mul(elem(a, aty, ivs), elem(b, bty, ivs))), acc, []))
        return memref.load(acc, [])
    if aty.ndim > 2 or bty.ndim > 2:
        raise UnsupportedError("matrix products of arrays with more than 2 dimensions", sig.args,
                               loc=ctx.loc)
    # promote vectors to matrices: (k,) @ (k, n) and (m, k) @ (k,)
    m = ma.sizes[0] if aty.ndim == 2 else av.cindex(1)
    k = ma.sizes[-1]
    n = mb.sizes[1] if bty.ndim == 2 else av.cindex(1)
    _check(ctx, k, mb.sizes[0], msg)
    out_sizes = [s for s, keep in ((m, aty.ndim == 2), (n, bty.ndim == 2)) if keep]
    out = av.allocate(ctx, rt, out_sizes)

    def out_idx(i, j):
        return [x for x, keep in ((i, aty.ndim == 2), (j, bty.ndim == 2)) if keep]

    def loops():
        av.loop_nest(out_sizes,
                     lambda ivs: av.store_elem(ctx, ctx.const(dtype, 0), out, ivs, dtype))

        def body(ivs):
            i, kk, j = ivs
            x = elem(a, aty, [i, kk] if aty.ndim == 2 else [kk])
            y = elem(b, bty, [kk, j] if bty.ndim == 2 else [kk])
            idx = out_idx(i, j)
            av.store_elem(ctx, add(av.load_elem(ctx, out, idx, dtype), mul(x, y)), out, idx,
                          dtype)
        av.loop_nest([m, k, n], body)

    if (aty.ndim == 2 and aty.dtype == dtype and bty.dtype == dtype and rt.layout == "C"
            and blas.available(dtype)):
        one = av.cindex(1)
        b_sizes = mb.sizes if bty.ndim == 2 else [k, one]
        b_strides = mb.strides if bty.ndim == 2 else [mb.strides[0], one]
        blas.gemm_if_possible(ctx, dtype, a, ma.sizes, ma.strides, b, b_sizes, b_strides, out,
                              m, n, k, loops)
    else:
        loops()
    return out


class _MatmulTemplate(AbstractTemplate):
    """np.matmul(a, b) of 1-d/2-d integer, float or complex arrays (NumPy's promoted dtype)."""
    key = np.matmul
    metadata = {"target": "numlir"}

    def generic(self, args, kws):
        if kws or len(args) != 2 or not all(isinstance(a, Arr) for a in args):
            return None
        a, b = args
        if not all(a.ndim in (1, 2) for a in args) or not all(
                isinstance(t.dtype, (types.Integer, types.Float, types.Complex)) for t in args):
            return None
        dtype = from_dtype(np.promote_types(as_dtype(a.dtype), as_dtype(b.dtype)))
        ndim = (a.ndim == 2) + (b.ndim == 2)
        return signature(Arr(dtype, ndim, "C") if ndim else dtype, a, b)


infer_global(np.matmul, types.Function(_MatmulTemplate))


@lower(np.vdot, Arr, Arr)
def lower_vdot(ctx, sig, args):
    """sum(conj(a) * b) over two 1-d arrays of one length (Numba's typing: same dtype)."""
    (aty, bty), dtype = sig.args, sig.return_type
    add, mul = _ops(dtype)
    a, b = args
    n = av.metadata(a).sizes[0]
    _check(ctx, n, av.metadata(b).sizes[0], "np.vdot: arrays of different lengths")
    acc = ctx.entry_alloca(memref_type_of(dtype))
    memref.store(ctx.const(dtype, 0), acc, [])

    def body(ivs):
        x = ctx.cast(av.load_elem(ctx, a, ivs, aty.dtype), aty.dtype, dtype)
        if isinstance(dtype, types.Complex):
            x = cplx.conj(x)
        y = ctx.cast(av.load_elem(ctx, b, ivs, bty.dtype), bty.dtype, dtype)
        memref.store(add(memref.load(acc, []), mul(x, y)), acc, [])
    av.loop_nest([n], body)
    return memref.load(acc, [])


def memref_type_of(dtype):
    from mlir import ir

    from numlir.lowering import datamodel as dm
    return ir.MemRefType.get([], dm.scalar_type(dtype))


@lower(np.where, types.Any, types.Any, types.Any)
@fusible
def lower_where3(ctx, sig, args):
    condty, xty, yty = sig.args
    rt = sig.return_type
    if not isinstance(rt, Arr):
        raise UnsupportedError("np.where on scalars", sig.args, loc=ctx.loc)

    def pick(vals):
        c, x, y = vals
        c = ctx.cast(c, condty.dtype if isinstance(condty, Arr) else condty, types.boolean)
        x = ctx.cast(x, xty.dtype if isinstance(xty, Arr) else xty, rt.dtype)
        y = ctx.cast(y, yty.dtype if isinstance(yty, Arr) else yty, rt.dtype)
        return arith.select(c, x, y)
    return lazy_elementwise(ctx, rt, list(zip(sig.args, args)), pick)
