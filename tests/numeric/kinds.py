"""Input kinds of the scalar grids (Python bool/int/float/complex and sized NumPy scalars) and
sample values for each, edge values included."""
from __future__ import annotations

import numpy as np
import pytest

PY_KINDS = [bool, int, float, complex]
NP_SINT = [np.int8, np.int16, np.int32, np.int64]
NP_UINT = [np.uint8, np.uint16, np.uint32, np.uint64]
NP_INTS = NP_SINT + NP_UINT
NP_FLOATS = [np.float32, np.float64]
NP_COMPLEX = [np.complex64, np.complex128]
ALL = PY_KINDS + NP_INTS + NP_FLOATS + NP_COMPLEX
INTEGRAL = [bool, int] + NP_INTS              # bitwise operators are defined on these
REAL = [bool, int, float] + NP_INTS + NP_FLOATS
COMPLEX = [complex] + NP_COMPLEX

INF, NAN = float("inf"), float("nan")
# Python ints stay small enough that + - * never leave int64 (Python's ints do not wrap; the
# overflow tests cover wrap-around against Numba)
_PY_INTS = [-(2**31) - 5, -7, -1, 0, 1, 3, 2**31 + 7]
_FLOATS = [-2.5, -0.0, 0.0, 0.1, 1.0, 3.75, 1e300, INF, -INF, NAN]
_COMPLEXES = [0j, 1 + 2j, -1.5 + 0.5j, complex(-0.0, -3.0), complex(1e300, 1.0), complex(NAN, 1.0)]


def name(kind):
    return kind.__name__


def samples(kind):
    """Sample values of ``kind``: zero, signs, extremes, inf and nan where they exist."""
    if kind is bool:
        return [False, True]
    if kind is int:
        return list(_PY_INTS)
    if kind is float:
        return list(_FLOATS)
    if kind is complex:
        return list(_COMPLEXES)
    if kind in NP_INTS:
        info = np.iinfo(kind)
        base = [0, 1, 3, 100] + ([-1, -7, -100] if info.min < 0 else [])
        return [kind(v) for v in sorted(set(base + [int(info.min), int(info.max)]))]
    with np.errstate(over="ignore"):      # 1e300 becomes inf in the 32-bit kinds
        return [kind(v) for v in (_FLOATS if kind in NP_FLOATS else _COMPLEXES)]


def nonzero(values):
    return [v for v in values if v != 0]


def pairs(kinds_a, kinds_b=None, keep=None):
    """The (kind, kind) grid as pytest params named ``a-b``; ``keep(a, b)`` filters it."""
    kinds_b = kinds_a if kinds_b is None else kinds_b
    return [pytest.param(a, b, id=f"{name(a)}-{name(b)}") for a in kinds_a for b in kinds_b
            if keep is None or keep(a, b)]


def is_python(*ks):
    return all(k in PY_KINDS for k in ks)
