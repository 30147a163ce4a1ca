"""Array creation. Numba's ``np.empty/zeros/ones/full(_like)``, ``np.arange``, ``np.eye`` ... are
Python ``@overload`` implementations; they bottom out in the intrinsics lowered here."""
from __future__ import annotations

from mlir.dialects import arith
from numba.core import types
from numba.np import arrayobj

from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm
from numlir.lowering.registry import lower


def shape_sizes(ctx, shapety, shape):
    """Index values of a shape given as an int or a tuple of ints; negative sizes raise."""
    if isinstance(shapety, types.BaseTuple):
        items = list(zip(shapety.types, dm.tuple_items(shapety, shape)))
    else:
        items = [(shapety, shape)]
    sizes = [av.to_index(ctx, v, t) for t, v in items]
    out = []
    for s in sizes:
        negative = arith.cmpi(arith.CmpIPredicate.slt, s, av.cindex(0))
        ctx.raise_if(negative, ValueError, "negative dimensions not allowed")
        # clamp the (unreachable) negative case too: a constant negative size would otherwise be
        # folded into an invalid static memref type. maxsi, not a select on ``negative``: the
        # canonicalizer propagates the branch condition into the successor and would undo it
        out.append(arith.maxsi(s, av.cindex(0)))
    return out


def new_array(ctx, resty, sizes):
    return av.allocate(ctx, resty, sizes)


@lower(arrayobj.numpy_empty_nd, types.Any, types.Any, types.Any)
def lower_empty_nd(ctx, sig, args):
    return new_array(ctx, sig.return_type, shape_sizes(ctx, sig.args[0], args[0]))


@lower(arrayobj.numpy_empty_like_nd, types.Any, types.Any, types.Any)
def lower_empty_like_nd(ctx, sig, args):
    prototy = sig.args[0]
    if isinstance(prototy, types.Array):
        sizes = av.metadata(args[0]).sizes
    else:
        sizes = []
    return new_array(ctx, sig.return_type, sizes)


@lower(arrayobj._zero_fill_array_method, types.Array)
def lower_zero_fill(ctx, sig, args):
    from numlir.lowering.arrays import assign_into
    arrty = sig.args[0]
    assign_into(ctx, arrty, args[0], arrty.dtype, ctx.const(arrty.dtype, 0))
