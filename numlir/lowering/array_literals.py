"""``np.array``/``np.asarray`` of list and tuple displays (and of arrays), built in place: the
values of a list display are known where it is built (``core.VirtualList``)."""
from __future__ import annotations

import numpy as np
from numba.core import types

from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm
from numlir.lowering.registry import lower


def _nested_items(ty, value):
    """(shape, [(Numba type, lowered scalar)] in C order) of a nested list/tuple display."""
    from numlir.lowering.core import VirtualList
    if isinstance(value, VirtualList):
        parts = [_nested_items(t, v) for t, v in zip(value.item_types, value.items)]
    elif isinstance(ty, types.BaseTuple):
        parts = [_nested_items(t, v) for t, v in zip(ty.types, dm.tuple_items(ty, value))]
    else:
        return [], [(ty, value)]
    shapes = {tuple(p[0]) for p in parts}
    if len(shapes) > 1:
        raise ValueError("setting an array element with a sequence: inhomogeneous shape")
    inner = list(shapes.pop()) if parts else []
    return [len(parts)] + inner, [x for p in parts for x in p[1]]


@lower(np.array, types.Any)
@lower(np.array, types.Any, types.Any)
@lower(np.asarray, types.List)
@lower(np.asarray, types.List, types.Any)
def lower_np_array(ctx, sig, args):
    srcty, resty = sig.args[0], sig.return_type
    if isinstance(srcty, types.Array):
        from numlir.lowering.array_methods import copy_array
        return copy_array(ctx, srcty, args[0], resty)
    try:
        shape, items = _nested_items(srcty, args[0])
    except ValueError as err:
        from numlir.errors import UnsupportedError
        raise UnsupportedError("np.array of this sequence", sig.args, loc=ctx.loc,
                               detail=str(err)) from None
    out = av.allocate(ctx, resty, [av.cindex(n) for n in shape])
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    for flat, (ty, val) in enumerate(items):
        idx = [av.cindex((flat // strides[d]) % shape[d]) for d in range(len(shape))]
        av.store_elem(ctx, ctx.cast(val, ty, resty.dtype), out, idx, resty.dtype)
    return out


@lower(len, types.List)
def lower_list_len(ctx, sig, args):
    from numlir.lowering.core import VirtualList
    if not isinstance(args[0], VirtualList):
        from numlir.errors import UnsupportedError
        raise UnsupportedError("len() of a run-time list", sig.args, loc=ctx.loc)
    return ctx.const(sig.return_type, len(args[0].items))
