"""The ``math`` module against Python (rel 1e-14 / 2 ulp): where CPython raises ValueError or
OverflowError (domain and range errors) numlir returns what Numba returns (nan, inf), so Numba is
the oracle for those inputs; float32 inputs are compared with Numba at float32 precision."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import check_many, numba_of, python_then_numba

import numlir

INF, NAN = math.inf, math.nan
FLOATS = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, 3.5, -3.5, 10.0, 100.0, 710.0, -710.0, 1e-300,
          5e-324, -5e-324, 1e-8, -1e-8, 0.1, 0.9999999, math.pi, 1e16, 1e300, -1e300, INF, -INF,
          NAN]
INTS = [0, 1, -1, 2, 7, -30, 10**6, 2**53 + 1]
FLOAT_TOL = dict(rel=1e-14, ulps=2)
F32_TOL = dict(rel=3e-7)           # 2-3 ulp of float32


# CPython has its own gamma/lgamma (Lanczos); Numba and numlir call libm's, which differ from it by
# more than rounding near the zeros of lgamma: Numba is their oracle, Python a loose check
LIBM_NOT_CPYTHON = {math.gamma, math.lgamma}


def _compiled(pyfn, arity):
    """One numlir function per math function (compiled once per argument types)."""
    if arity == 1:
        def call(x):
            return pyfn(x)
    else:
        def call(x, y):
            return pyfn(x, y)
    call.__name__ = call.__qualname__ = f"call_{pyfn.__name__}"
    return numlir.njit(call)


UNARY = [math.sqrt, math.exp, math.expm1, math.log, math.log2, math.log10, math.log1p, math.sin,
         math.cos, math.tan, math.asin, math.acos, math.atan, math.sinh, math.cosh, math.tanh,
         math.asinh, math.acosh, math.atanh, math.erf, math.erfc, math.gamma, math.lgamma,
         math.fabs, math.degrees, math.radians, math.exp2, math.isnan, math.isinf, math.isfinite]
UNARY_C = {f: _compiled(f, 1) for f in UNARY}


def _oracle(fn, c):
    return numba_of(c.py_func) if fn in LIBM_NOT_CPYTHON else python_then_numba(c)


@pytest.mark.parametrize("fn", UNARY, ids=lambda f: f.__name__)
def test_unary_float64(fn):
    c = UNARY_C[fn]
    check_many(c, _oracle(fn, c), [(x,) for x in FLOATS], **FLOAT_TOL)


@pytest.mark.parametrize("fn", sorted(LIBM_NOT_CPYTHON, key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)
def test_libm_close_to_cpython(fn):
    c = UNARY_C[fn]
    xs = [x for x in FLOATS if math.isfinite(x) and 0 < abs(x) < 170 and x != -1.0]
    check_many(c, python_then_numba(c), [(x,) for x in xs], rel=1e-8)


@pytest.mark.parametrize("fn", UNARY, ids=lambda f: f.__name__)
def test_unary_int_argument(fn):
    c = UNARY_C[fn]      # Numba types math.f(int) as float64 (bools too for the predicates)
    check_many(c, _oracle(fn, c), [(x,) for x in INTS], **FLOAT_TOL)


@pytest.mark.parametrize("fn", UNARY, ids=lambda f: f.__name__)
def test_unary_float32(fn):
    c = UNARY_C[fn]
    with np.errstate(over="ignore"):
        xs = [(np.float32(x),) for x in FLOATS]
    check_many(c, numba_of(c.py_func), xs, **F32_TOL)


_wide = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("fn", [math.sqrt, math.exp, math.log, math.sin, math.cos, math.tan,
                                math.atan, math.tanh, math.expm1, math.log1p, math.erf,
                                math.lgamma, math.asinh],
                         ids=lambda f: f.__name__)
@given(x=_wide)
def test_unary_random(fn, x):
    c = UNARY_C[fn]
    check_many(c, _oracle(fn, c), [(x,), (x * 1e-300,), (x % 1000.0,)], **FLOAT_TOL)


# -- float -> int rounding -------------------------------------------------------------------------
ROUNDING = [math.floor, math.ceil, math.trunc]
ROUNDING_C = {f: _compiled(f, 1) for f in ROUNDING}
_FINITE = [x for x in FLOATS if math.isfinite(x) and abs(x) < 2**63]


@pytest.mark.parametrize("fn", ROUNDING, ids=lambda f: f.__name__)
def test_rounding(fn):
    # inf/nan raise in Python and are undefined in Numba: finite inputs only
    c = ROUNDING_C[fn]
    xs = _FINITE + [2.5, -2.5, 1e15 + 0.5] + INTS
    check_many(c, c.py_func, [(x,) for x in xs])
    check_many(c, numba_of(c.py_func), [(np.float32(x),) for x in _FINITE if abs(x) < 1e30])


# -- two arguments ---------------------------------------------------------------------------------
# (Numba does not type math.log(x, base), math.fmod or math.cbrt: numlir, typed by Numba, neither)
BINARY = [math.atan2, math.copysign, math.hypot, math.pow, math.nextafter]
BINARY_C = {f: _compiled(f, 2) for f in BINARY}
_PAIR_VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.0, 1e300, 1e-300, INF, -INF, NAN]


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_float64(fn):
    c = BINARY_C[fn]
    check_many(c, python_then_numba(c), list(itertools.product(_PAIR_VALUES, repeat=2)),
               **FLOAT_TOL)


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_mixed_int(fn):
    c = BINARY_C[fn]
    vals = [0, 3, -2, 1]
    args = list(itertools.product(vals, [0.5, -3.0, 2.0])) + list(itertools.product(vals, vals))
    check_many(c, python_then_numba(c), args, **FLOAT_TOL)


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__name__)
def test_binary_float32(fn):
    c = BINARY_C[fn]
    with np.errstate(over="ignore"):
        args = [(np.float32(a), np.float32(b))
                for a, b in itertools.product(_PAIR_VALUES, repeat=2)]
    check_many(c, numba_of(c.py_func), args, **F32_TOL)


@pytest.mark.parametrize("k", [int, np.int32, np.int64])
def test_pow_int_exponent_rounds_like_numba(k):
    # math.pow(float, int) is Numba's exact-by-squaring power, not libm pow
    c = BINARY_C[math.pow]
    args = [(b, k(e)) for b in (1.1, -1.7, 3.3, 0.0, -0.0, 2.0) for e in (0, 1, 7, 13, -3, -1)]
    check_many(c, numba_of(c.py_func), args)


@numlir.njit
def ldexp(x, e):
    return math.ldexp(x, e)


@pytest.mark.parametrize("k", [int, np.int32])
def test_ldexp(k):
    args = [(x, k(e)) for x in (0.0, -0.0, 1.0, -0.75, 3.5, 5e-324, 1e300, INF, NAN)
            for e in (0, 1, -1, 10, -1074, 1023, 2000, -2000)]
    # Python's ldexp rejects NumPy ints: Numba is the oracle for them
    check_many(ldexp, python_then_numba(ldexp) if k is int else numba_of(ldexp.py_func), args)


@numlir.njit
def frexp(x):
    return math.frexp(x)


def test_frexp():
    xs = [0.0, -0.0, 1.0, -0.75, 3.5, 1e-310, 5e-324, 1e300, 2.0**-1022, 0.1]
    check_many(frexp, frexp.py_func, [(x,) for x in xs])
    check_many(frexp, numba_of(frexp.py_func), [(x,) for x in (INF, -INF, NAN)])
    check_many(frexp, numba_of(frexp.py_func), [(np.float32(x),) for x in xs[:5] + [INF, NAN]])


@numlir.njit
def gcd(a, b):
    return math.gcd(a, b)


@given(st.integers(-(2**62), 2**62), st.integers(-(2**62), 2**62))
def test_gcd(a, b):
    check_many(gcd, gcd.py_func, [(a, b), (a, 0), (0, b)])


def test_gcd_sized():
    check_many(gcd, numba_of(gcd.py_func),
               [(np.uint64(2**63), np.uint64(2**62 * 3)), (np.int32(-12), np.int32(18)),
                (np.uint8(0), np.uint8(0))])


@numlir.njit
def constants():
    return math.pi, math.e, math.tau, math.inf, math.nan


def test_constants():
    check_many(constants, constants.py_func, [()])
