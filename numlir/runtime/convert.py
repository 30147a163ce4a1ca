"""Python-side conversion of argument values to an explicit signature's types (slow path only)."""
from __future__ import annotations

import numpy as np
from numba.core import types


def _wrap(value, bits, signed):
    """``value`` reduced modulo 2**bits, as a C cast to that integer type does."""
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def convert_value(value, ty):
    """``value`` as a Python/NumPy object whose ``typeof`` is ``ty``.

    Integers wrap and floats truncate toward zero like C casts (so the result always fits ``ty``
    and the native entry accepts it); floats narrow with IEEE rounding (overflow gives inf).
    """
    if isinstance(ty, types.BaseTuple):
        return tuple(convert_value(v, t) for v, t in zip(value, ty))
    if isinstance(ty, types.Boolean):
        return bool(value)
    if isinstance(ty, types.Integer):
        wrapped = _wrap(int(value), ty.bitwidth, ty.signed)
        return wrapped if ty == types.int64 else np.dtype(str(ty)).type(wrapped)
    if ty == types.float64:
        return float(value)
    if ty == types.complex128:
        return complex(value)
    if isinstance(ty, (types.Float, types.Complex)):
        with np.errstate(over="ignore"):
            return np.dtype(str(ty)).type(value)
    return value
