"""NumPy arrays used as compile-time constants (module globals, closure variables, constants in
Numba's implementations such as ``np.kaiser``'s coefficients): a private constant
``memref.global`` per value, viewed with the array's shape. Numba types them read-only, so the
data is never written; nothing is copied at run time."""
from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import memref
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm


def array_constant(ctx, ty, value):
    """The lowered value of Numba array type ``ty`` holding the ndarray ``value``."""
    if isinstance(ty.dtype, (types.Complex, types.NPDatetime, types.NPTimedelta)) or \
            not isinstance(ty.dtype, (types.Number, types.Boolean)):
        raise UnsupportedError(f"array constants of {ty.dtype}", (ty,), loc=ctx.loc)
    order = "F" if ty.layout == "F" else "C"
    flat = np.asarray(value).ravel(order=order)
    if isinstance(ty.dtype, types.Boolean):
        flat = flat.astype(np.int8)           # bool arrays are stored as bytes
    elem = dm.element_type(ty.dtype)
    n = flat.size
    gtype = ir.MemRefType.get([n], elem)
    # one global per (value, type) and module; the cache keeps the value alive
    cache = ctx.mod.__dict__.setdefault("array_constants", {})
    key = (id(value), ty)
    if key not in cache:
        name = ctx.mod.unique_name("nl_array_const")
        attr = ir.DenseElementsAttr.get(np.ascontiguousarray(flat),
                                        type=ir.RankedTensorType.get([n], elem))
        with ir.InsertionPoint.at_block_begin(ctx.mod.module.body), ir.Location.unknown():
            memref.GlobalOp(sym_name=name, type_=ir.TypeAttr.get(gtype), initial_value=attr,
                            constant=True, sym_visibility="private",
                            alignment=ir.IntegerAttr.get(ir.IntegerType.get_signless(64), 64))
        cache[key] = (name, value)
    name = cache[key][0]
    buf = memref.get_global(gtype, name)
    base = memref.cast(ir.MemRefType.get([dm.DYN], elem), buf)
    sizes = [av.cindex(int(s)) for s in np.shape(value)]
    return av.view(ty, av.metadata(base).base, av.cindex(0), sizes,
                   av.contiguous_strides(sizes, order))
