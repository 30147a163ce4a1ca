"""Builtins on scalars: int/float/bool/complex conversions, min, max, round, divmod, pow (abs is in
test_operators' unary grid)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kinds import COMPLEX, NP_FLOATS, REAL, is_python, pairs, samples
from oracle import check_many, numba_of

import numlir


def oracle_for(fn, *kinds):
    return fn.py_func if is_python(*kinds) else numba_of(fn.py_func)


# -- conversions -----------------------------------------------------------------------------------
@numlir.njit
def to_float_bool_complex(x):
    return float(x), bool(x), complex(x)


@numlir.njit
def to_int(x):
    return int(x)


@pytest.mark.parametrize("k", REAL, ids=lambda k: k.__name__)
def test_real_conversions(k):
    # Numba's typing has no float(bool) or complex(bool): numlir must reject them too
    oracle = numba_of(to_float_bool_complex.py_func) if k is bool else oracle_for(
        to_float_bool_complex, k)
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


# -- two-argument builtins, one compile per kind pair ----------------------------------------------
@numlir.njit
def pair_builtins(a, b, d, p, e):
    """min/max/complex of (a, b), divmod of a by the nonzero d, pow(p, e)."""
    return min(a, b), max(a, b), complex(a, b), divmod(a, d), pow(p, e)


def _small(kind, values):
    return [kind(v) for v in values]


_PAIR_KINDS = [int, float, np.int8, np.uint64, np.float32]


@pytest.mark.parametrize("ka,kb", pairs(_PAIR_KINDS))
def test_two_argument_builtins(ka, kb):
    # mixed kinds: Numba unifies min/max's result type (min(1, 2.5) is a float): Numba is the
    # oracle; pow of small operands only (its corners are test_operators' business)
    same_python_kind = ka is kb and is_python(ka)
    oracle = pair_builtins.py_func if same_python_kind else numba_of(pair_builtins.py_func)
    ab = list(itertools.product(samples(ka), samples(kb)))
    ds = [v for v in samples(kb) if v != 0]
    bases = (0, 1, 2, 3) + (() if ka is np.uint64 else (-2,))
    pe = list(itertools.product(_small(ka, bases), _small(kb, (0, 1, 2, 3))))
    rows = [ab[i] + (ds[i % len(ds)],) + pe[i % len(pe)] for i in range(len(ab))]
    check_many(pair_builtins, oracle, rows)


# -- min / max -------------------------------------------------------------------------------------
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


@pytest.mark.parametrize("ka,kb", pairs([bool], [bool, int, float]) + pairs([int], [bool]))
def test_min_max_bool(ka, kb):
    oracle = minmax2.py_func if ka is kb else numba_of(minmax2.py_func)
    check_many(minmax2, oracle, list(itertools.product(samples(ka), samples(kb))))


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


# -- round -----------------------------------------------------------------------------------------
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
    with np.errstate(over="ignore"):
        xs = [k(v) for v in (2.675, 1.005, -0.125, 123.456, 1e300, -0.0, float("inf"),
                             float("nan"), 5e-324, 0.5)]
    # Numba rounds by scaling (not CPython's correctly rounded decimal algorithm), and rounds a
    # float32 after narrowing the scaled value: Numba is the oracle
    check_many(round2, numba_of(round2.py_func), list(itertools.product(xs, [-2, 0, 1, 2, 25])))


@given(st.floats(), st.integers(-30, 30))
def test_round_ndigits_random(x, n):
    check_many(round2, numba_of(round2.py_func), [(x, n)])


@pytest.mark.parametrize("x", [0.5, 1.5, 2.5, -2.5, 0.125, 1234.5678, 0.1, -7.25])
def test_round_ndigits_python(x):
    # away from decimal ties that binary floats cannot hold, Python agrees with the scaling
    check_many(round2, round2.py_func, [(x, n) for n in (-2, -1, 0, 1, 2, 3)])
