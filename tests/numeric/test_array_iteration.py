"""Iteration over arrays against NumPy: ``for x in a`` (elements of 1-d arrays, row views of n-d
arrays), nested loops, writes through iterated rows, ``enumerate(a)`` and ``np.ndenumerate(a)``
over every layout and dtype class; iterating a 0-d array is a TypeError."""
from __future__ import annotations

import numpy as np
import pytest
from test_array_support import DTYPE_IDS, DTYPES, LAYOUTS, check, check_mutating, layout

import numlir


@numlir.njit
def collect_1d(a):
    out = np.empty(a.shape[0], a.dtype)
    i = 0
    for x in a:
        out[i] = x
        i += 1
    return out, i


@numlir.njit
def weighted_sum(a):
    s = 0.0
    k = 1.0
    for x in a:
        s += x * k
        k += 0.5
    return s


@numlir.njit
def rows_2d(a):
    out = np.zeros((a.shape[0], a.shape[1]), a.dtype)
    i = 0
    for row in a:
        j = 0
        for x in row:
            out[i, j] = x
            j += 1  # noqa: SIM113 -- plain iteration is under test
        i += 1  # noqa: SIM113 -- plain iteration is under test
    return out


@numlir.njit
def last_row(a):
    r = a[0]
    for row in a:
        r = row
    return r       # a view of the argument


@numlir.njit
def row_sums_3d(a):
    out = np.zeros(a.shape[0])
    i = 0
    for plane in a:
        for row in plane:
            for x in row:
                out[i] += x
        i += 1  # noqa: SIM113 -- plain iteration is under test
    return out


@numlir.njit
def write_rows(a):
    k = 0
    for row in a:
        row[0] = k
        row[1:] = 10 * k
        row[-1] = row[0] - 1
        k += 1  # noqa: SIM113 -- plain iteration is under test


@numlir.njit
def write_rows_simple(a):
    k = 0
    for row in a:
        row[0] = k
        k += 1  # noqa: SIM113 -- plain iteration is under test


@numlir.njit
def nd_enum(a):
    s = 0.0
    n = 0
    for idx, x in np.ndenumerate(a):
        w = 1
        for k in idx:
            w = w * 3 + k
        s += w * x
        n += 1
    return s, n


@numlir.njit
def nd_enum_sum(a):
    s = 0.0
    n = 0
    for idx, x in np.ndenumerate(a):
        s += x * (len(idx) + 1)
        n += 1
    return s, n


@numlir.njit
def nd_enum_first(a):
    for idx, x in np.ndenumerate(a):
        if x > 3:
            return idx, x
    return idx, x


@numlir.njit
def py_enumerate(a):
    s = 0.0
    last = -1
    for i, x in enumerate(a):
        s += i * x
        last = i
    return s, last


@numlir.njit
def enumerate_rows(a):
    out = np.zeros(a.shape[0])
    for i, row in enumerate(a):
        out[i] = row[-1] * (i + 1)
    return out


@numlir.njit
def iterate_0d(a):
    s = 0.0
    for x in a:
        s += x
    return s


@pytest.mark.parametrize("lay", LAYOUTS)
def test_for_over_1d(lay):
    a = layout((7,), np.float64, lay)
    check(collect_1d, a)
    check(weighted_sum, a)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_for_over_1d_every_dtype(dtype):
    check(collect_1d, layout((6,), dtype, "strided"))
    check(rows_2d, layout((3, 4), dtype, "F"))


@pytest.mark.parametrize("lay", LAYOUTS)
def test_for_over_rows(lay):
    a = layout((4, 5), np.float64, lay)
    check(rows_2d, a)
    check(row_sums_3d, layout((3, 4, 5), np.float64, lay))


@pytest.mark.parametrize("lay", ["C", "F", "strided"])
def test_row_variable_unified_with_view(lay):
    check(last_row, layout((4, 5), np.float64, lay))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0)], ids=str)
def test_empty(shape):
    a = np.zeros(shape)
    if len(shape) == 1:
        check(collect_1d, a)
        check(weighted_sum, a)
    else:
        check(rows_2d, a)


@pytest.mark.parametrize("lay", ["C", "F", "strided", "T"])
def test_writes_through_rows(lay):
    check_mutating(write_rows_simple, lambda: (layout((4, 5), np.int64, lay),))
    check_mutating(write_rows, lambda: (layout((4, 5), np.float64, lay),))


@pytest.mark.parametrize("nd,lay", [(0, "C")] + [(nd, lay) for nd in (1, 2) for lay in LAYOUTS]
                         + [(3, "F"), (3, "T"), (4, "strided")])
def test_ndenumerate(nd, lay):
    shape = {0: (), 1: (6,), 2: (3, 4), 3: (2, 3, 4), 4: (2, 2, 3, 2)}[nd]
    a = layout(shape, np.float64, lay)
    if nd:
        check(nd_enum, a)           # 0-d: test_ndenumerate_0d_loop_over_index
    check(nd_enum_sum, a)
    check(nd_enum_first, a)


def test_ndenumerate_0d_loop_over_index():
    check(nd_enum, np.array(2.5))
    check(nd_enum, np.array(7, np.int8))


@numlir.njit
def loop_over_shape(a):
    w = 1
    for n in a.shape:
        w = w * 10 + n
    for s in a.strides:
        w = w * 10 + s
    return w


@pytest.mark.parametrize("shape", [(), (3,), (2, 5)], ids=str)
def test_loop_over_shape_tuple(shape):
    check(loop_over_shape, np.zeros(shape))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_ndenumerate_every_dtype(dtype):
    a = layout((3, 4), dtype, "T")
    if np.dtype(dtype).kind == "c":
        return      # nd_enum_first compares x > 3
    check(nd_enum_first, a)


@pytest.mark.parametrize("lay", LAYOUTS)
def test_enumerate(lay):
    check(py_enumerate, layout((7,), np.float64, lay))
    check(enumerate_rows, layout((4, 5), np.float64, lay))
    check(py_enumerate, np.zeros(0))


def test_iterating_0d_is_a_typeerror():
    with pytest.raises(TypeError):
        iter(np.array(1.0))
    with pytest.raises(TypeError):
        iterate_0d(np.array(1.0))
