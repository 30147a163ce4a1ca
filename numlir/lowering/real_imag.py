"""``.real`` and ``.imag`` of arrays of real numbers (``np.real``, ``np.imag``, ``np.isreal``,
``np.iscomplex``, ``np.corrcoef`` reach them): the array itself, and a new array of zeros (NumPy
gives a read-only one; Numba types it read-only). Complex arrays would need a view with another
element type, which a memref cannot express: they stay unsupported."""
from __future__ import annotations

from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering.registry import lower_getattr

Arr = types.Array


def _real_only(ty, attr):
    if isinstance(ty.dtype, types.Complex):
        raise UnsupportedError(f"the attribute '.{attr}' of {ty} (a complex array)", (ty,))


@lower_getattr(Arr, "real")
def lower_array_real(ctx, ty, value, result_type):
    _real_only(ty, "real")
    return ctx.cast(value, ty, result_type)


@lower_getattr(Arr, "imag")
def lower_array_imag(ctx, ty, value, result_type):
    _real_only(ty, "imag")
    sizes = av.metadata(value).sizes
    out = av.allocate(ctx, result_type, sizes)
    zero = ctx.const(result_type.dtype, 0)
    av.loop_nest(sizes, lambda ivs: av.store_elem(ctx, zero, out, ivs, result_type.dtype))
    return out
