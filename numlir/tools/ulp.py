"""Distance in units in the last place between floating-point arrays of one dtype.

Floats map to integers that keep their order (``-0.0`` and ``+0.0`` both to 0); the distance is
the difference of those integers: 0 for equal values, 1 between neighbours (also across zero:
the smallest denormals of either sign are 2 apart). Two NaNs are 0 apart, a NaN and a number
``HUGE``.
"""
from __future__ import annotations

import numpy as np

_INT = {np.dtype(np.float64): (np.int64, 63), np.dtype(np.float32): (np.int32, 31)}
HUGE = np.iinfo(np.int64).max


def _ordered(x):
    itype, sign_bit = _INT[x.dtype]
    bits = x.view(itype).astype(np.int64)
    magnitude = bits & ((1 << sign_bit) - 1)
    return np.where(bits < 0, -magnitude, magnitude)


def ulp_distance(got, want):
    """Elementwise ulp distance (int64 array) of ``got`` from ``want`` (same float dtype)."""
    got, want = np.asarray(got), np.asarray(want)
    if got.dtype != want.dtype or got.dtype not in _INT:
        raise TypeError(f"ulp_distance needs two float32 or float64 arrays, got {got.dtype} "
                        f"and {want.dtype}")
    a, b = _ordered(got), _ordered(want)
    same_side = (a >= 0) == (b >= 0)
    # across zero: |a| + |b|, exact below 2**53 (in float64 so that it cannot wrap around)
    across = np.minimum(np.abs(a).astype(np.float64) + np.abs(b), float(2 ** 62))
    with np.errstate(over="ignore"):
        dist = np.where(same_side, np.abs(a - b), across.astype(np.int64))
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    dist = np.where(nan_got | nan_want, HUGE, dist)
    return np.where(nan_got & nan_want, 0, dist)


def max_ulp(got, want):
    dist = ulp_distance(got, want)
    return int(dist.max()) if dist.size else 0
