"""Python-side conversion of argument values to an explicit signature's types (slow path only)."""
from __future__ import annotations

import numpy as np
from numba.core import types


def convert_value(value, ty):
    """``value`` as a Python/NumPy object whose ``typeof`` is ``ty`` (ints wrap like C casts)."""
    if isinstance(ty, types.BaseTuple):
        return tuple(convert_value(v, t) for v, t in zip(value, ty))
    if ty == types.int64:
        return int(np.int64(value)) if not isinstance(value, (int, bool)) else int(value)
    if ty == types.float64:
        return float(value)
    if ty == types.complex128:
        return complex(value)
    if ty == types.boolean:
        return bool(value)
    if isinstance(ty, (types.Integer, types.Float, types.Complex)):
        return np.dtype(str(ty)).type(value)
    return value
