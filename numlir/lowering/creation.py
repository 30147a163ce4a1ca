"""Array creation. Numba's ``np.empty/zeros/ones/full(_like)``, ``np.arange``, ``np.eye`` ... are
Python ``@overload`` implementations; they bottom out in the intrinsics lowered here."""
from __future__ import annotations

import numpy as np
from mlir.dialects import arith
from numba.core import types, utils
from numba.core.typing.npydecl import parse_dtype, parse_shape
from numba.core.typing.templates import AbstractTemplate, infer_global, signature
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


# -- np.empty / np.zeros / np.ones typed here ------------------------------------------------------
# Numba's are @overload implementations calling one another (np.zeros: np.empty, then a fill;
# np.ones: a loop over ``arr.flat``); typing them runs Numba's frontend on each (~20 ms the first
# time in a process). These numlir-target templates come first for the numlir target; what they
# do not claim falls through to Numba's.
def _shape_dtype(shape, dtype=None):
    """The Python signature the templates fold calls by."""


_PYSIG = utils.pysignature(_shape_dtype)


def _parsed_dtype(dtype, default):
    """The Numba dtype a ``dtype`` argument's type names (``default`` when absent or None);
    None for what the templates leave to Numba."""
    if dtype is None or isinstance(dtype, (types.NoneType, types.Omitted)):
        return default
    if isinstance(dtype, (types.DTypeSpec, types.TypeRef, types.StringLiteral)):
        return parse_dtype(dtype)
    return None


def _creation_dtype(dtype):
    if isinstance(dtype, types.Function) and dtype.typing_key is float:
        return types.float64
    return _parsed_dtype(dtype, types.float64)


class _CreationTemplate(AbstractTemplate):
    metadata = {"target": "numlir"}

    def generic(self, args, kws):
        if len(args) > 2 or set(kws) - {"shape", "dtype"}:
            return None
        try:
            bound = _PYSIG.bind(*args, **kws)
        except TypeError:
            return None
        shape, dtype = bound.arguments.get("shape"), bound.arguments.get("dtype")
        ndim = parse_shape(shape) if shape is not None else None
        nb_dtype = _creation_dtype(dtype)
        if ndim is None or nb_dtype is None:
            return None
        argtys = (shape,) if "dtype" not in bound.arguments else (shape, dtype)
        return signature(types.Array(nb_dtype, ndim, "C"), *argtys).replace(pysig=_PYSIG)


def _filled_array(ctx, arrty, sizes, fill):
    """A new ``arrty`` array of ``sizes``, every element ``fill`` (None: left as allocated)."""
    arr = new_array(ctx, arrty, sizes)
    if fill is not None:
        from numlir.lowering.arrays import assign_into
        assign_into(ctx, arrty, arr, arrty.dtype, ctx.const(arrty.dtype, fill))
    return arr


def _creation_rule(fill):
    def rule(ctx, sig, args):
        return _filled_array(ctx, sig.return_type, shape_sizes(ctx, sig.args[0], args[0]), fill)
    return rule


for _fn, _fill in ((np.empty, None), (np.zeros, 0), (np.ones, 1)):
    _template = type(f"_Numlir_{_fn.__name__}", (_CreationTemplate,), {"key": _fn})
    infer_global(_fn, types.Function(_template))
    lower(_fn, types.Any)(_creation_rule(_fill))
    lower(_fn, types.Any, types.Any)(_creation_rule(_fill))


# -- np.empty_like / zeros_like / ones_like of arrays, likewise --------------------------------
def _arr_dtype(arr, dtype=None):
    """empty_like's Python signature."""


def _a_dtype(a, dtype=None):
    """zeros_like's and ones_like's Python signature."""


class _LikeTemplate(AbstractTemplate):
    metadata = {"target": "numlir"}
    pysig = None

    def generic(self, args, kws):
        try:
            bound = self.pysig.bind(*args, **kws)
        except TypeError:
            return None
        proto = bound.arguments.get(next(iter(self.pysig.parameters)))
        dtype = bound.arguments.get("dtype")
        if not isinstance(proto, types.Array):
            return None       # scalars and sequences: Numba's implementation
        nb_dtype = _parsed_dtype(dtype, proto.dtype)
        if nb_dtype is None:
            return None
        # Numba's result type: the prototype's layout, C for 'A'
        retty = proto.copy(dtype=nb_dtype, layout="C" if proto.layout == "A" else proto.layout,
                           readonly=False)
        argtys = (proto,) if "dtype" not in bound.arguments else (proto, dtype)
        return signature(retty, *argtys).replace(pysig=self.pysig)


def _like_rule(fill):
    def rule(ctx, sig, args):
        return _filled_array(ctx, sig.return_type, av.metadata(args[0]).sizes, fill)
    return rule


for _fn, _fill, _sig in ((np.empty_like, None, _arr_dtype), (np.zeros_like, 0, _a_dtype),
                         (np.ones_like, 1, _a_dtype)):
    _template = type(f"_Numlir_{_fn.__name__}", (_LikeTemplate,),
                     {"key": _fn, "pysig": utils.pysignature(_sig)})
    infer_global(_fn, types.Function(_template))
    lower(_fn, types.Array)(_like_rule(_fill))
    lower(_fn, types.Array, types.Any)(_like_rule(_fill))
