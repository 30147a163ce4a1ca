"""Whole-array ``max``/``min`` of float arrays (run with per-lane running values) against NumPy:
lengths around the lane count, NaN and infinities at every position class, C, F and strided
layouts, float32, the empty-array ValueError."""
import numpy as np
import pytest

import numlir


@numlir.njit
def extremes(x):
    return np.max(x), np.min(x), x.max(), x.min(), np.amax(x), np.amin(x)


def _same(got, want):
    # values only: a float32 result comes back as a Python float, as from Numba
    for g, w in zip(got, want):
        if np.isnan(w):
            assert np.isnan(g)
        else:
            assert g == w


@pytest.mark.parametrize("n", [1, 2, 15, 16, 17, 31, 33, 100])
@pytest.mark.parametrize("special", [None, "nan_first", "nan_last", "nan_mid", "inf", "-inf"])
def test_lengths_and_specials(n, special):
    x = np.random.default_rng(n).standard_normal(n)
    where = {"nan_first": 0, "nan_last": n - 1, "nan_mid": n // 2}
    if special in where:
        x[where[special]] = np.nan
    elif special:
        x[n // 3] = float(special)
    _same(extremes(x), extremes.py_func(x))


@pytest.mark.parametrize("make", [
    lambda a: a.reshape(6, 7),                       # C
    lambda a: np.asfortranarray(a.reshape(6, 7)),    # F
    lambda a: a[::3],                                # strided 1-d
    lambda a: a.reshape(6, 7)[:, ::2],               # strided 2-d
    lambda a: a.reshape(2, 3, 7),                    # 3-d C
])
def test_layouts(make):
    a = np.random.default_rng(3).standard_normal(42)
    x = make(a)
    _same(extremes(x), extremes.py_func(x))
    x = make(a.copy())
    x.flat[5] = np.nan
    _same(extremes(x), extremes.py_func(x))


def test_float32_and_signed_zeros():
    x = np.array([0.0, -0.0, -1.5, 2.5, -0.0], dtype=np.float32)
    _same(extremes(x), extremes.py_func(x))


def test_empty_raises():
    with pytest.raises(ValueError, match="zero-size array"):
        extremes(np.empty(0))


@numlir.njit
def expr_extremes(a, b):
    return np.max(a - b), np.min(a * b), (a + 1.0).max(), np.amin(np.sqrt(np.abs(a)) - b)


@pytest.mark.parametrize("shapes", [((37,), (37,)), ((5, 8), (5, 8)), ((5, 8), (8,)),
                                    ((5, 1), (1, 8)), ((1,), (1,))])
@pytest.mark.parametrize("nan_at", [None, 0, -1])
def test_expressions(shapes, nan_at):
    a = np.random.default_rng(7).standard_normal(shapes[0])
    b = np.random.default_rng(8).standard_normal(shapes[1])
    if nan_at is not None:
        a.flat[nan_at] = np.nan
    _same(expr_extremes(a, b), expr_extremes.py_func(a, b))


@pytest.mark.parametrize("make", [np.asfortranarray, lambda x: x[:, ::2]])
def test_expressions_other_layouts(make):
    a = make(np.random.default_rng(9).standard_normal((6, 10)))
    b = make(np.random.default_rng(10).standard_normal((6, 10)))
    _same(expr_extremes(a, b), expr_extremes.py_func(a, b))


def test_expression_float32():
    a = np.random.default_rng(11).standard_normal(50).astype(np.float32)
    b = np.random.default_rng(12).standard_normal(50).astype(np.float32)
    _same(expr_extremes(a, b), expr_extremes.py_func(a, b))


def test_zero_d():
    a = np.array(2.5)
    _same(extremes(a), extremes.py_func(a))
