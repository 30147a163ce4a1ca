"""Rules keyed by objects of Numba's implementation modules (``numba.np.*``,
``numba.cpython.builtins``): the intrinsics Numba's Python implementations bottom out in. Loaded
only after typing has needed Numba's full registries (importing these modules costs ~0.5 s)."""
from __future__ import annotations

from mlir import ir
from mlir.dialects import math as mmath
from mlir.dialects import memref
from numba.core import types
from numba.cpython import builtins as nb_builtins
from numba.np import arraymath, arrayobj, npyimpl

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import creation  # noqa: F401 (np.empty/np.array ... register on import)
from numlir.lowering import datamodel as dm
from numlir.lowering.array_iteration import _accumulate, _adder
from numlir.lowering.array_methods import lower_array_copy
from numlir.lowering.registry import lower
from numlir.lowering.tuples import register_minmax_intrinsics

Arr = types.Array

register_minmax_intrinsics()
lower(arrayobj._array_copy_intrinsic, Arr)(lower_array_copy)


@lower(nb_builtins.cast_int, types.Any)
def lower_cast_int(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower(npyimpl._make_dtype_object, types.Any)
def lower_make_dtype(ctx, sig, args):
    return None


@lower(arraymath._numpy_sum, Arr, types.Any, types.Any)
def lower_numpy_sum(ctx, sig, args):
    if not isinstance(sig.args[1], (types.NoneType, types.Omitted)):
        raise UnsupportedError("np.sum with an axis", sig.args, loc=ctx.loc)
    rt = sig.return_type
    return _accumulate(ctx, sig.args[0], args[0], ctx.const(rt, 0), _adder(ctx, rt), rt)


@lower(arraymath._numpy_cumsum, Arr, types.Any, types.Any)
def lower_numpy_cumsum(ctx, sig, args):
    arrty, resty = sig.args[0], sig.return_type
    rt = resty.dtype
    meta = av.metadata(args[0])
    out = av.allocate(ctx, resty, meta.sizes)
    slot = ctx.entry_alloca(ir.MemRefType.get([], dm.scalar_type(rt)))
    memref.store(ctx.const(rt, 0), slot, [])
    add = _adder(ctx, rt)

    def body(ivs):
        x = ctx.cast(av.load_elem(ctx, args[0], ivs, arrty.dtype), arrty.dtype, rt)
        acc = add(memref.load(slot, []), x)
        memref.store(acc, slot, [])
        av.store_elem(ctx, acc, out, ivs, rt)
    av.loop_nest(meta.sizes, body)
    return out


@lower(arraymath._np_round_float, types.Float)
def lower_np_round_float(ctx, sig, args):
    """np.round's rounding step: half to even (LLVM's rint in Numba)."""
    return mmath.roundeven(args[0])


@lower("number.item", types.Number)
@lower("number.item", types.Boolean)
def lower_number_item(ctx, sig, args):
    """``x.item()`` of a NumPy scalar: the value itself (Numba's nan-reductions call it)."""
    return ctx.cast(args[0], sig.args[0], sig.return_type)
