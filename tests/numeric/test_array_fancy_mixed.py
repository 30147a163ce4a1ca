"""One index array among basic indices (``a[idx, 1]``, ``a[1:, idx]``, ``a[..., idx]``,
``a[mask]`` on rows, n-d integer index arrays), get and set, against NumPy. Results are new
C-ordered arrays (Numba's order; NumPy may order them otherwise), so strides are not compared."""
from __future__ import annotations

import numpy as np
import pytest
from test_array_support import check, check_mutating, layout

import numlir


@numlir.njit
def forms_2d(a, i):
    return a[i, 1], a[1:, i], a[i, :], a[:, i], a[-1, i], a[None, i]


@numlir.njit
def forms_3d(a, i):
    return a[i, 1], a[1, i], a[:, i, 1:], a[..., i], a[i, ::-1, 0], a[0, :, i]


@numlir.njit
def take(a, i):
    return a[i]


@numlir.njit
def set_col(a, i, v):
    a[i, 1] = v


@numlir.njit
def set_cols(a, i, v):
    a[1:, i] = v


@numlir.njit
def set_last_axis(a, i, v):
    a[..., i] = v


@numlir.njit
def put(a, i, v):
    a[i] = v


@numlir.njit
def put_sum(a, i, b):
    a[:, i] = b + 1.0


@numlir.njit
def swap_rows(a, i):
    a[i] = a[::-1]


LAYS = ["C", "F", "strided", "T"]


@pytest.mark.parametrize("lay", LAYS)
def test_mixed_get_2d(lay):
    a = layout((3, 4), np.float64, lay)
    check(forms_2d, a, np.array([2, 0, -1]), strides=False)
    check(forms_2d, a, np.array([], np.int64), strides=False)


@pytest.mark.parametrize("lay", LAYS)
def test_mixed_get_3d(lay):
    a = layout((2, 3, 4), np.int32, lay)
    check(forms_3d, a, np.array([1, 0, 1], np.int8), strides=False)


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.complex128], ids=lambda d: d.__name__)
def test_mixed_get_dtypes(dtype):
    check(forms_2d, layout((3, 4), dtype, "strided"), np.array([0, 2]), strides=False)


def test_rows_by_mask():
    a = layout((4, 3), np.float64, "F")
    for m in ([True, False, True, True], [False] * 4, [True] * 4):
        check(take, a, np.array(m), strides=False)
    check(take, layout((3, 2, 2), np.int64, "strided"), np.array([False, True, True]),
          strides=False)


def test_masks_with_other_indices():
    a = layout((3, 4), np.float64, "T")
    check(forms_2d, a, np.array([True, False, True, True]), strides=False)   # masks axis 1 / 0
    check(forms_3d, layout((2, 3, 4), np.float64, "C"), np.array([False, True]), strides=False)


def test_nd_integer_index_array():
    a = layout((3, 4), np.float64, "C")
    check(take, a, np.array([[0, 1], [2, -3]]), strides=False)
    check(forms_2d, a, np.array([[0, 1, 1], [2, 0, 1]]), strides=False)


def test_errors_match_numpy():
    a = layout((3, 4), np.float64, "C")
    check(forms_2d, a, np.array([0, 3]))          # 3 is out of bounds for axis 0 (size 3)
    check(forms_2d, a, np.array([0, -5]))
    check(take, a, np.array([True, False]))       # mask length differs from the axis


@pytest.mark.parametrize("lay", ["C", "F", "strided"])
def test_mixed_set(lay):
    check_mutating(set_col, lambda: (layout((3, 4), np.float64, lay), np.array([2, 0]), 7.5))
    check_mutating(set_col, lambda: (layout((3, 4), np.float64, lay), np.array([2, -3]),
                                     np.array([1.0, 2.0])))
    check_mutating(set_cols, lambda: (layout((3, 4), np.int64, lay), np.array([3, 1]),
                                      np.array([[5, 6], [7, 8]])))
    check_mutating(set_cols, lambda: (layout((3, 4), np.int64, lay),
                                      np.array([True, False, False, True]), np.array([9, 10])))
    check_mutating(set_last_axis, lambda: (layout((2, 3, 4), np.float32, lay), np.array([0, 3]),
                                           np.array([[1.0], [2.0], [3.0]])))


def test_mask_and_nd_index_set():
    check_mutating(put, lambda: (layout((3, 4), np.float64, "C"), np.array([True, False, True]),
                                 np.arange(4.0)))
    check_mutating(put, lambda: (layout((3, 4), np.float64, "F"), np.array([[0, 1], [2, 0]]),
                                 -1.0))
    check_mutating(put_sum, lambda: (layout((3, 4), np.float64, "C"), np.array([1, 2]),
                                     np.ones((3, 2))))


def test_set_reads_the_old_values():
    check_mutating(swap_rows, lambda: (layout((3, 2), np.int64, "C"), np.array([1, 2, 0])))


def test_set_errors_match_numpy():
    check_mutating(set_col, lambda: (layout((3, 4), np.float64, "C"), np.array([3]), 1.0))
    check_mutating(set_col, lambda: (layout((3, 4), np.float64, "C"), np.array([0, 1]),
                                     np.array([1.0, 2.0, 3.0])))


def test_read_only_target_is_refused():
    a = layout((3, 4), np.float64, "broadcast")
    with pytest.raises((numlir.UnsupportedError, TypeError, ValueError)):
        set_col(a, np.array([0]), 1.0)
