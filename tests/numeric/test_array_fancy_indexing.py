"""Elementwise comparisons, boolean-mask and integer-array indexing and np.nonzero against NumPy.
Results of advanced indexing are copies: they never share memory with the input.
New arrays from comparisons and np.nonzero follow Numba's memory order (C), not NumPy's ('K'; and
NumPy's nonzero returns views of one (n, ndim) array), so their strides are not compared."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from test_array_support import LAYOUTS, check, check_mutating, layout

import numlir


@numlir.njit
def compare_scalar(a, x):
    return a > x, a >= x, a < x, a <= x, a == x, a != x, x < a, x == a


@numlir.njit
def compare_arrays(a, b):
    return a > b, a >= b, a < b, a <= b, a == b, a != b


@numlir.njit
def equal_only(a, b):
    return a == b, a != b


@numlir.njit
def mask_literal(a):
    return a[a > 3]


@numlir.njit
def mask_get(a, m):
    return a[m]


@numlir.njit
def mask_set(a, m, v):
    a[m] = v


@numlir.njit
def mask_set_where_negative(a):
    a[a < 0] = 0


@numlir.njit
def take(a, idx):
    return a[idx]


@numlir.njit
def take_then_col(a, idx):
    return a[idx, 1]


@numlir.njit
def put(a, idx, v):
    a[idx] = v


@numlir.njit
def nonzero_of(a):
    return np.nonzero(a)


@numlir.njit
def primes_below(n):
    flags = np.ones(n, np.bool_)
    flags[:2] = False
    for i in range(2, n):
        if flags[i]:
            for j in range(i * i, n, i):
                flags[j] = False
    return np.nonzero(flags)[0]


CMP_DTYPES = [np.bool_, np.int8, np.uint64, np.int64, np.float32, np.float64]


# -- comparisons ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", CMP_DTYPES, ids=lambda d: np.dtype(d).name)
def test_compare_with_scalar(dtype):
    # (comparisons compile slowly: few signatures per dtype)
    a = layout((3, 4), dtype, "T" if dtype in (np.int64, np.float64) else "C")
    for x in (0, 3, -2):
        if np.dtype(dtype).kind == "u" and x < 0:
            continue
        check(compare_scalar, a, x, strides=False)
    if np.dtype(dtype).kind == "f":
        check(compare_scalar, a, -1.5, strides=False)


@pytest.mark.parametrize("lay", ["C", "T", "broadcast"])
def test_compare_arrays(lay):
    a = layout((4, 5), np.float64, lay)
    check(compare_arrays, a, layout((4, 5), np.float64, "C", start=3), strides=False)
    check(compare_arrays, a, layout((5,), np.float64, "strided", start=2),   # broadcast rows
          strides=False)
    check(compare_arrays, a, a, strides=False)


def test_compare_nan():
    nan = np.array([np.nan, 1.0, np.nan])
    check(compare_arrays, nan, np.array([np.nan, 1.0, 0.0]))
    check(compare_scalar, nan, np.nan, strides=False)


def test_compare_complex_equality():
    a = layout((6,), np.complex128, "strided")
    check(equal_only, a, a[::-1].copy())
    check(equal_only, a, 1j)


# -- boolean masks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lay", LAYOUTS)
def test_mask_1d(lay):
    a = layout((9,), np.float64, lay)
    check(mask_literal, a)
    for m in (a > 0, np.zeros(9, np.bool_), np.ones(9, np.bool_), a[::-1] < 1):
        check(mask_get, a, m)
    check(mask_get, a, layout((9,), np.bool_, lay))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64, np.float32, np.complex128],
                         ids=lambda d: np.dtype(d).name)
def test_mask_1d_dtypes(dtype):
    a = layout((7,), dtype, "C")
    check(mask_get, a, layout((7,), np.bool_, "strided"))


@pytest.mark.parametrize("lay", ["C", "F", "strided"])
def test_mask_set_1d(lay):
    check_mutating(mask_set, lambda: (layout((8,), np.int32, lay),
                                      layout((8,), np.bool_, "C"), -5))
    check_mutating(mask_set_where_negative, lambda: (layout((8,), np.float64, lay),))


def test_mask_rows_of_2d():
    a = layout((3, 4), np.float64, "C")
    check(mask_get, a, np.array([True, False, True]))


def test_mask_2d_does_not_crash():
    res = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import numpy as np, numlir
        @numlir.njit
        def f(a):
            return a[a > 5]
        a = np.arange(12.0).reshape(3, 4)
        try:
            r = f(a)
            assert (r == a[a > 5]).all(), r
            print("OK")
        except TypeError as e:
            print("OK", type(e).__name__)
        """)], capture_output=True, text=True, timeout=120, env=dict(os.environ), check=False)
    assert res.returncode == 0 and "OK" in res.stdout, res.stderr[-2000:]


# -- integer arrays ------------------------------------------------------------------------------
@pytest.mark.parametrize("lay", LAYOUTS)
def test_take_1d(lay):
    a = layout((8,), np.float64, lay)
    for idx in ([0, -1, 3, 3], [7, 6, 5, 4, 3, 2, 1, 0], [], [2]):
        check(take, a, np.array(idx, dtype=np.int64))
    check(take, a, np.array([1, 5, 1], np.int32)[::-1])
    check(take, a, np.array([1, 5, 1], np.uint8))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint64, np.float32, np.complex128],
                         ids=lambda d: np.dtype(d).name)
def test_take_1d_dtypes(dtype):
    check(take, layout((6,), dtype, "strided"), np.array([5, 0, -2, 0]))


def test_take_rows_of_2d():
    check(take, layout((3, 4), np.float64, "C"), np.array([2, 0, 2]))


def test_take_with_integer():
    check(take_then_col, layout((3, 4), np.float64, "C"), np.array([2, 0]))


def test_put_1d():
    check_mutating(put, lambda: (layout((6,), np.float64, "C"), np.array([1, -1, 3]), 9.5))


# -- np.nonzero --------------------------------------------------------------------------------
@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_nonzero(nd, lay):
    shape = {1: (9,), 2: (3, 4), 3: (2, 3, 4)}[nd]
    check(nonzero_of, layout(shape, np.int64, lay), strides=False)
    check(nonzero_of, layout(shape, np.int64, lay) > 2, strides=False)


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.float32, np.complex128],
                         ids=lambda d: np.dtype(d).name)
def test_nonzero_dtypes(dtype):
    a = layout((5, 3), dtype, "F")
    check(nonzero_of, a, strides=False)
    check(nonzero_of, np.zeros((2, 2), dtype), strides=False)


def test_sieve():
    for n in (2, 3, 30, 1000):
        check(primes_below, n)


def test_take_rows_negative_and_3d():
    check(take, layout((4, 2, 3), np.int64, "C"), np.array([-1, 0, 3, -4]))
    check(take, layout((4, 3), np.float64, "F"), np.array([1, 1]))


def test_put_rows_of_2d_with_broadcast_value():
    check_mutating(put, lambda: (layout((4, 3), np.float64, "C"), np.array([0, -1]),
                                 np.array([1.5, 2.5, 3.5])))
