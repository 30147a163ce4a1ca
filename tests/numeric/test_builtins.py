"""Builtins on scalars: int/float/bool/complex conversions, abs, min, max, round, divmod, pow."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kinds import ALL, COMPLEX, NP_FLOATS, REAL, is_python, pairs, samples
from oracle import check_many, numba_of

import numlir


def oracle_for(fn, *kinds):
    return fn.py_func if is_python(*kinds) else numba_of(fn.py_func)


@numlir.njit
def to_float_bool_complex(x):
    return float(x), bool(x), complex(x)


@numlir.njit
def to_int(x):
    return int(x)


@pytest.mark.parametrize("k", REAL, ids=lambda k: k.__name__)
def test_real_conversions(k):
    # Numba's typing has no float(bool) or complex(bool): numlir must reject them too
    oracle = numba_of(to_float_bool_complex.py_func) if k is bool else oracle_for(to_float_bool_complex, k)
    check_many(to_float_bool_complex, oracle, [(v,) for v in samples(k)])
    # int() of inf/nan raises in Python and is undefined in Numba: finite values only
    finite = [v for v in samples(k) if np.isfinite(v) and abs(float(v)) < 2**63]
    check_many(to_int, oracle_for(to_int, k), [(v,) for v in finite])


@pytest.mark.parametrize("k", COMPLEX, ids=lambda k: k.__name__)
def test_complex_conversions(k):
    # float(complex) raises TypeError in Python and is a typing error in Numba
    check_many(to_float_bool_complex, numba_of(to_float_bool_complex.py_func),
               [(v,) for v in samples(k)])


@given(st.floats(min_value=-9.2e18, max_value=9.2e18))
def test_int_of_float_truncates(x):
    check_many(to_int, to_int.py_func, [(x,), (-x,)])


@numlir.njit
def make_complex(a, b):
    return complex(a, b)


@pytest.mark.parametrize("ka,kb", pairs([int, float, np.int32, np.uint64, np.float32]))
def test_complex_of_two(ka, kb):
    check_many(make_complex, oracle_for(make_complex, ka, kb),
               list(itertools.product(samples(ka), samples(kb))))


@numlir.njit
def absolute(x):
    return abs(x)


@pytest.mark.parametrize("k", ALL, ids=lambda k: k.__name__)
def test_abs(k):
    check_many(absolute, oracle_for(absolute, k), [(v,) for v in samples(k)])


# -- min / max ----------------------------------------------------------------------------------------
@numlir.njit
def minmax2(a, b):
    return min(a, b), max(a, b)


@numlir.njit
def minmax3(a, b, c):
    return min(a, b, c), max(a, b, c)


@numlir.njit
def minmax_tuple(a, b, c):
    t = (a, b, c)
    return min(t), max(t)


_MINMAX_KINDS = [bool, int, float, np.int8, np.uint64, np.float32]


@pytest.mark.parametrize("ka,kb", pairs(_MINMAX_KINDS))
def test_min_max_two(ka, kb):
    # mixed kinds: Numba unifies the result type (min(True, 2) is an int), Python returns an operand
    oracle = minmax2.py_func if ka is kb and is_python(ka) else numba_of(minmax2.py_func)
    check_many(minmax2, oracle,
               list(itertools.product(samples(ka), samples(kb))))


@pytest.mark.parametrize("kinds", [(int, int, int), (float, float, float), (bool, bool, bool),
                                   (int, float, bool), (float, np.int16, np.float32)],
                         ids=lambda ks: "-".join(k.__name__ for k in ks))
def test_min_max_three_and_tuple(kinds):
    vals = [samples(k)[:6] for k in kinds]
    args = list(itertools.product(*vals))
    same_kind = len(set(kinds)) == 1
    for fn in (minmax3, minmax_tuple):
        check_many(fn, fn.py_func if same_kind else numba_of(fn.py_func), args)


@given(st.lists(st.floats(), min_size=3, max_size=3))
def test_min_max_nan_order(xs):
    # the first of equal or unordered values wins, as in Python
    check_many(minmax3, minmax3.py_func, [tuple(xs)])


# -- round ------------------------------------------------------------------------------------------
@numlir.njit
def round1(x):
    return round(x)


@numlir.njit
def round2(x, n):
    return round(x, n)


@pytest.mark.parametrize("k", [float] + NP_FLOATS + [int, np.int16], ids=lambda k: k.__name__)
def test_round_one_arg(k):
    vals = [k(v) for v in (0.5, 1.5, 2.5, -0.5, -2.5, 3.7, -3.7, 0.0, 1e15 + 0.5)] \
        if k in (float,) + tuple(NP_FLOATS) else samples(k)
    check_many(round1, oracle_for(round1, k), [(v,) for v in vals])


@pytest.mark.parametrize("k", [float] + NP_FLOATS, ids=lambda k: k.__name__)
def test_round_ndigits(k):
    xs = [k(v) for v in (2.675, 1.005, -0.125, 123.456, 1e300, -0.0, float("inf"), float("nan"),
                         5e-324, 0.5)]
    # Numba rounds by scaling (not CPython's correctly rounded decimal algorithm): Numba is the oracle
    check_many(round2, numba_of(round2.py_func), list(itertools.product(xs, [-2, 0, 1, 2, 25])))


@given(st.floats(), st.integers(-30, 30))
def test_round_ndigits_random(x, n):
    check_many(round2, numba_of(round2.py_func), [(x, n)])


@pytest.mark.parametrize("x", [0.5, 1.5, 2.5, -2.5, 0.125, 1234.5678, 0.1, -7.25])
def test_round_ndigits_python(x):
    # away from decimal ties that binary floats cannot hold, Python agrees with the scaling
    check_many(round2, round2.py_func, [(x, n) for n in (-2, -1, 0, 1, 2, 3)])


# -- divmod / pow builtins ----------------------------------------------------------------------------
@numlir.njit
def divmod_pow(a, b):
    return divmod(a, b), pow(a, b)


@pytest.mark.parametrize("ka,kb", pairs([int, float, np.int32, np.uint8, np.float32]))
def test_divmod_and_pow(ka, kb):
    # Numba is the oracle (int ** int wraps; a negative base ** fractional is nan, not complex);
    # small positive b: negative or huge exponents are test_operators' business
    bs = [v for v in samples(kb) if 0 < v <= 100]
    check_many(divmod_pow, numba_of(divmod_pow.py_func), list(itertools.product(samples(ka), bs)))
