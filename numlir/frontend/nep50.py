"""NumPy 2 promotion (NEP 50) for ufuncs and array operators typed for the numlir target.

Numba types ``int32_array * 2`` as int64 and ``float32_array * 2.5`` as float64 (NumPy 1's rules
without value-based casting). NumPy 2 treats Python scalars as *weak*: they take the array's dtype
when their kind allows (``int32``, ``float32``), and only raise the kind otherwise (an integer array
times a Python float is float64). At run time a Python int and an ``np.int64`` both arrive as
int64, so numlir treats every int64/float64/complex128/bool scalar mixed with arrays as a Python
scalar (the common case: literals and values computed in Python); other scalar types (int8,
float32 ...) can only come from NumPy scalars and stay strong.

Integer inputs mixed with float ones are promoted as NumPy does (``float32_array + int64_array``
is float64; Numba's loop search lets any integer cast to any float and gives float32).

The ufunc typing template (``Numpy_rules_ufunc._handle_inputs``, shared by ufunc calls and the
array operators) is wrapped; the wrapper changes nothing unless the numlir target is typing.
"""
from __future__ import annotations

import numpy as np
from numba.core import target_extension as te
from numba.core import types

_WEAK = (types.int64, types.float64, types.complex128, types.boolean)
_installed = False


def _python_scalar(ty):
    ty = ty.literal_type if isinstance(ty, types.Literal) else ty
    return ty if ty in _WEAK else None


def _result_dtype(numba_types):
    """NumPy's ``result_type`` of Numba scalar types (a NumPy dtype that Numba has a type for),
    or None if there is none."""
    from numba.np.numpy_support import as_dtype, from_dtype
    try:
        dtype = np.result_type(*[as_dtype(t) for t in numba_types])
        from_dtype(dtype)
    except (NotImplementedError, TypeError):
        return None
    return dtype


def weak_type(array_dtypes, scalar):
    """The type a Python scalar of Numba type ``scalar`` takes next to arrays of
    ``array_dtypes`` (Numba scalar types), or None when it stays as it is."""
    py = _python_scalar(scalar)
    if py is None or not array_dtypes:
        return None
    from numba.np.numpy_support import from_dtype
    arr = _result_dtype(array_dtypes)
    if arr is None:
        return None
    kind = arr.kind
    if py == types.boolean:
        return from_dtype(arr)
    if py == types.int64:
        return from_dtype(arr) if kind in "iufc" else None
    if py == types.float64:
        return from_dtype(arr) if kind in "fc" else None
    if kind == "c":                              # complex scalar
        return from_dtype(arr)
    if kind == "f":
        return from_dtype(np.result_type(arr, np.complex64))
    return None


def adjust(base_types, args):
    """``base_types`` (scalar types per input) with Python scalars made weak."""
    arrays = [b for a, b in zip(args, base_types) if isinstance(a, types.ArrayCompatible)]
    if not arrays:
        return base_types
    out = []
    for a, b in zip(args, base_types):
        weak = None if isinstance(a, types.ArrayCompatible) else weak_type(arrays, b)
        out.append(weak if weak is not None else b)
    return out


def install():
    """Wrap Numba's ufunc input handling (once)."""
    global _installed
    if _installed:
        return
    from numba.core.typing.npydecl import Numpy_rules_ufunc
    original = Numpy_rules_ufunc._handle_inputs.__func__

    def _handle_inputs(cls, ufunc, args, kws):
        base_types, explicit_outputs, ndims, layout = original(cls, ufunc, args, kws)
        if te.current_target() == "numlir":
            nin = ufunc.nin
            args_in = [a.as_array if isinstance(a, types.ArrayCompatible) else a
                       for a in args[:nin]]
            inputs = _mixed_kinds(ufunc, adjust(list(base_types[:nin]), args_in))
            base_types = inputs + list(base_types[nin:])
        return base_types, explicit_outputs, ndims, layout

    Numpy_rules_ufunc._handle_inputs = classmethod(_handle_inputs)
    _install_where()
    _installed = True


def _homogeneous(ufunc):
    """Whether every loop of ``ufunc`` takes all its inputs in one type (add, less, hypot ...,
    not ldexp)."""
    return all(len(set(t.split("->")[0])) == 1 for t in ufunc.types
               if not set(t) & set("OmM"))        # object and datetime loops aside


def _mixed_kinds(ufunc, base):
    """Integer inputs mixed with float/complex ones take NumPy's promoted type: Numba's loop
    search lets any integer cast to any float (float32_array + int64_array would be float32;
    NumPy gives float64)."""
    if ufunc.nin < 2 or not _homogeneous(ufunc):
        return base
    ints = [t for t in base if isinstance(t, types.Integer)]
    if not ints or not any(isinstance(t, (types.Float, types.Complex)) for t in base):
        return base
    from numba.np.numpy_support import from_dtype
    promoted = _result_dtype(base)
    if promoted is None:
        return base
    return [from_dtype(promoted) if isinstance(t, types.Integer) else t for t in base]


def _install_where():
    """``np.where(cond, array, 2.5)``: NumPy 2 gives the array's dtype (float32 stays float32);
    Numba's overload promotes with float64. The resolved signature's result dtype is adjusted
    (the numlir rule casts both branches to it)."""
    from numba.core.typing.context import BaseContext
    original = BaseContext.resolve_function_type

    def resolve_function_type(self, func, args, kws):
        sig = original(self, func, args, kws)
        if (sig is not None and not kws and len(args) == 3
                and getattr(func, "typing_key", None) is np.where
                and te.current_target() == "numlir"):
            sig = _weak_where(sig, args)
        return sig

    BaseContext.resolve_function_type = resolve_function_type


def _weak_where(sig, args):
    rt = sig.return_type
    branches = [a.as_array if isinstance(a, types.ArrayCompatible) else a for a in args[1:]]
    if not isinstance(rt, types.Array) or all(isinstance(b, types.Array) for b in branches):
        return sig
    base = [b.dtype if isinstance(b, types.Array) else b for b in branches]
    weak = adjust(base, branches)
    if weak == base:
        return sig
    from numba.np.numpy_support import from_dtype
    dtype = _result_dtype(weak)
    if dtype is None:
        return sig
    return sig.replace(return_type=rt.copy(dtype=from_dtype(dtype)))
