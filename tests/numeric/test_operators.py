"""Every scalar operator over every pair of input kinds: Python is the oracle for Python-typed inputs,
Numba (``numba.njit``) for sized NumPy scalars, whose result types Numba's typing decides."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kinds import (ALL, COMPLEX, INTEGRAL, NP_INTS, NP_SINT, REAL, is_python, nonzero, pairs,
                   samples)
from oracle import check_many, numba_of

import numlir


# One function per family of operators (one compile per signature); in-place forms ride along.
@numlir.njit
def real_ops(a, b):
    c = a
    c += b
    d = a
    d -= b
    e = a
    e *= b
    return (a + b, a - b, a * b, c, d, e,
            a == b, a != b, a < b, a <= b, a > b, a >= b)


@numlir.njit
def complex_ops(a, b):
    c = a
    c += b
    d = a
    d -= b
    e = a
    e *= b
    return a + b, a - b, a * b, c, d, e, a == b, a != b


@numlir.njit
def divide(a, b):
    c = a
    c /= b
    d = a
    d //= b
    e = a
    e %= b
    return a / b, a // b, a % b, divmod(a, b), c, d, e


@numlir.njit
def divide_complex(a, b):
    c = a
    c /= b
    return a / b, c


@numlir.njit
def int_ops(a, b, n):
    """Bitwise operators of a and b, shifts of a by n."""
    c = a
    c &= b
    d = a
    d |= b
    e = a
    e ^= b
    f = a
    f <<= n
    g = a
    g >>= n
    return a & b, a | b, a ^ b, c, d, e, a << n, a >> n, f, g


@numlir.njit
def power(a, b):
    c = a
    c **= b
    return a ** b, c


def run_grid(fn, ka, kb, values_a, values_b, rel=0.0, ulps=0):
    """Python oracle when both kinds are Python's, Numba otherwise."""
    oracle = fn.py_func if is_python(ka, kb) else numba_of(fn.py_func)
    check_many(fn, oracle, list(itertools.product(values_a, values_b)), rel=rel, ulps=ulps)


_COMPLEX_PAIRS = pairs(ALL, keep=lambda a, b: a in COMPLEX or b in COMPLEX)


@pytest.mark.parametrize("ka,kb", pairs(REAL))
def test_real_arith_compare(ka, kb):
    run_grid(real_ops, ka, kb, samples(ka), samples(kb))


@pytest.mark.parametrize("ka,kb", _COMPLEX_PAIRS)
def test_complex_arith_equality(ka, kb):
    run_grid(complex_ops, ka, kb, samples(ka), samples(kb))


@pytest.mark.parametrize("ka,kb", pairs(REAL))
def test_divide_real(ka, kb):
    run_grid(divide, ka, kb, samples(ka), nonzero(samples(kb)))


@pytest.mark.parametrize("ka,kb", _COMPLEX_PAIRS)
def test_divide_complex(ka, kb):
    # complex division: the algorithm (Smith's) is the same, the rounding may not be
    run_grid(divide_complex, ka, kb, samples(ka), nonzero(samples(kb)), rel=1e-15, ulps=2)


def _shift_counts(kind):
    # counts below every result width: larger or negative counts are undefined in Numba
    return [kind(v) for v in (0, 1, 3, 7)] if kind is not bool else [False, True]


@pytest.mark.parametrize("ka,kb", pairs(INTEGRAL))
def test_bitwise_and_shifts(ka, kb):
    oracle = int_ops.py_func if is_python(ka, kb) else numba_of(int_ops.py_func)
    args = [(a, b, n) for a, b in itertools.product(samples(ka), samples(kb))
            for n in _shift_counts(kb)]
    check_many(int_ops, oracle, args)


def _exponents(kind):
    if kind is bool:
        return [False, True]
    if kind in COMPLEX:
        return [kind(v) for v in (0, 1, 2, 0.5, 1 + 1j)]
    if kind is float or kind in (np.float32, np.float64):
        return [kind(v) for v in (0.0, -0.0, 1.0, 2.0, 0.5, -1.5, 3.0, float("inf"), float("nan"))]
    signed = kind is int or np.iinfo(kind).min < 0
    return [kind(v) for v in (0, 1, 2, 3, 7) + ((-1, -2, -3) if signed else ())]


def _bases(kind):
    if kind is bool or kind in COMPLEX:
        return samples(kind)
    if kind is float or kind in (np.float32, np.float64):
        return [kind(v) for v in (-2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, float("inf"), float("nan"))]
    signed = kind is int or np.iinfo(kind).min < 0
    return [kind(v) for v in (0, 1, 2, 3, 10) + ((-1, -2, -3) if signed else ())]


@pytest.mark.parametrize("ka,kb", pairs(ALL))
def test_power(ka, kb):
    # Numba is the oracle for every kind: int ** negative int is 0 (unless the base is +-1) and a
    # negative float base with a fractional exponent is nan, where Python gives a float or complex
    complex_pow = ka in COMPLEX or kb in COMPLEX
    bases = _bases(ka)
    if np.complex64 in (ka, kb):
        # Numba's numba_cpowf rebuilds its result as ``re + I*im``, which turns the real part into
        # nan whenever the imaginary part is inf or nan: a Numba artefact numlir does not copy
        bases = [v for v in bases if np.isfinite(v)]
    check_many(power, numba_of(power.py_func), list(itertools.product(bases, _exponents(kb))),
               rel=1e-14 if complex_pow else 0.0, ulps=4 if complex_pow else 0)


@pytest.mark.parametrize("ka,kb", pairs([bool, int, float]))
def test_power_python(ka, kb):
    # where Python and Numba agree (non-negative exponents, bases >= 0) Python is the oracle
    bases = [v for v in _bases(ka) if not v < 0]
    exps = [v for v in _exponents(kb) if not v < 0 and v == v]
    check_many(power, power.py_func, list(itertools.product(bases, exps)))


# -- division and modulo by zero: type and message as in Numba ------------------------------------
@numlir.njit
def truediv(a, b):
    return a / b


@numlir.njit
def floordiv(a, b):
    return a // b


@numlir.njit
def mod(a, b):
    return a % b


@numlir.njit
def divmod_(a, b):
    return divmod(a, b)


@numlir.njit
def ipow(a, b):
    return a ** b


# the kinds whose messages differ: int/int, float/float, mixed, unsigned, 32-bit float, bool
_ZERO_PAIRS = [pytest.param(a, b, id=f"{a.__name__}-{b.__name__}") for a, b in [
    (int, int), (int, float), (float, int), (float, float), (bool, bool), (np.uint64, np.uint64),
    (np.uint64, int), (int, np.uint64), (np.int8, np.int8), (np.float32, np.float32),
    (np.float32, int)]]


@pytest.mark.parametrize("fn", [truediv, floordiv, mod, divmod_], ids=lambda f: f.__name__)
@pytest.mark.parametrize("ka,kb", _ZERO_PAIRS)
def test_division_by_zero(fn, ka, kb):
    zeros = [kb(0)] + ([kb(-0.0)] if kb in (float, np.float32) else [])
    check_many(fn, numba_of(fn.py_func), list(itertools.product(samples(ka)[:3], zeros)))


@pytest.mark.parametrize("kb", [complex, np.complex64, int, float])
def test_complex_division_by_zero(kb):
    check_many(truediv, numba_of(truediv.py_func), [(1 + 2j, kb(0)), (np.complex64(1), kb(0))])


@pytest.mark.parametrize("k", [int, np.int32, np.int64])
def test_zero_to_negative_power(k):
    check_many(ipow, numba_of(ipow.py_func), [(k(0), k(-1)), (k(0), k(-2))])


# -- unary operators -------------------------------------------------------------------------------
@numlir.njit
def unary(a):
    return -a, +a, not a, abs(a)


@numlir.njit
def invert(a):
    return ~a


@pytest.mark.parametrize("k", ALL, ids=lambda k: k.__name__)
def test_unary(k):
    oracle = unary.py_func if is_python(k) else numba_of(unary.py_func)
    check_many(unary, oracle, [(v,) for v in samples(k)])


@pytest.mark.parametrize("k", INTEGRAL, ids=lambda k: k.__name__)
def test_invert(k):
    # ~bool follows Numba (NumPy's logical not: ~True is False; Python says -2): the frontend types it
    oracle = invert.py_func if k is int else numba_of(invert.py_func)
    check_many(invert, oracle, [(v,) for v in samples(k)])


# -- integer overflow wraps around as in Numba -------------------------------------------------------
_INT64_EDGES = [2**63 - 1, -(2**63), 2**62, -(2**62) - 3, 3037000500]


def test_int64_overflow_wraps():
    check_many(real_ops, numba_of(real_ops.py_func), list(itertools.product(_INT64_EDGES, repeat=2)))
    check_many(unary, numba_of(unary.py_func), [(v,) for v in _INT64_EDGES])


@pytest.mark.parametrize("k", NP_SINT + [np.uint64], ids=lambda k: k.__name__)
def test_sized_overflow_wraps(k):
    info = np.iinfo(k)
    edges = [k(info.max), k(info.min), k(info.max // 2 + 1)]
    check_many(real_ops, numba_of(real_ops.py_func), list(itertools.product(edges, repeat=2)))
    check_many(divide, numba_of(divide.py_func),
               [(k(info.min), k(-1) if info.min < 0 else k(1)), (k(info.max), k(info.max))])


# -- property tests on the workhorse types against Python ---------------------------------------------
_i64 = st.integers(-(2**63), 2**63 - 1)
_small = st.integers(-(2**31), 2**31)
_f64 = st.floats(allow_nan=True, allow_infinity=True)


@given(_small, _small.filter(bool))
def test_int_floor_semantics(a, b):
    check_many(divide, divide.py_func, [(a, b), (-a, b), (a, -b)])


@given(_f64, _f64.filter(bool))
def test_float_floor_semantics(a, b):
    check_many(divide, divide.py_func, [(a, b), (-a, b), (a, -b)])


@given(_i64, st.floats(allow_nan=False, width=64, min_value=-1e18, max_value=1e18).filter(bool))
def test_mixed_int_float(a, b):
    check_many(divide, divide.py_func, [(a, b)] + ([(float(a), int(b))] if int(b) else []))
    check_many(real_ops, real_ops.py_func, [(a, b)])


@given(_i64, _i64)
def test_int64_full_range(a, b):
    # wrap-around is Numba's semantics: Numba is the oracle over the whole int64 range
    check_many(int_ops, numba_of(int_ops.py_func), [(a, b, b % 64)])
    check_many(real_ops, numba_of(real_ops.py_func), [(a, b)])
    if b:
        check_many(divide, numba_of(divide.py_func), [(a, b)])


@pytest.mark.parametrize("k", NP_INTS, ids=lambda k: k.__name__)
def test_sized_int_division_random(k):
    rng = np.random.default_rng(1)
    info = np.iinfo(k)
    vals = rng.integers(int(info.min), int(info.max), size=(40, 2), endpoint=True, dtype=k)
    check_many(divide, numba_of(divide.py_func), [(a, b) for a, b in vals if b != 0])
