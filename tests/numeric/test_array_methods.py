"""Array methods against NumPy: copy, reshape (tuple / varargs / -1; a view of C-contiguous arrays,
a copy otherwise), ravel, flatten, transpose (no axes, an axes tuple, varargs), astype (dtype class,
string, np.dtype object), fill and view (same itemsize), over every layout and dtype class; the
results share memory with the argument exactly where NumPy's do."""
from __future__ import annotations

import numpy as np
import pytest
from test_array_support import DTYPE_IDS, DTYPES, LAYOUTS, check, check_mutating, layout, sharing

import numlir

I16 = np.dtype(np.int16)


@numlir.njit
def copy_m(a):
    return a.copy()


@numlir.njit
def reshape_tuple(a, shape):
    return a.reshape(shape)


@numlir.njit
def reshape_forms_12(a):
    return a.reshape((3, 4)), a.reshape(2, 6), a.reshape(-1), a.reshape((2, -1, 3)), a.reshape(12)


@numlir.njit
def reshape_one(a):
    return a.reshape(-1, 3)


def _ravel(a):
    return a.ravel()


def _np_ravel(a):
    return np.ravel(a)


# one dispatcher per layout: numlir hands a C array to an already compiled 'A' specialisation
# (see test_array_views_ownership.py::test_c_array_not_dispatched_to_layout_a_version), which
# would make view-vs-copy results depend on the order of the tests
RAVEL = {lay: (numlir.njit(_ravel), numlir.njit(_np_ravel)) for lay in LAYOUTS}
ravel_m = RAVEL["C"][0]


@numlir.njit
def ravel_c_only(a):
    return a.ravel()


@numlir.njit
def flatten_m(a):
    return a.flatten()


@numlir.njit
def transpose_no_axes(a):
    return a.transpose(), np.transpose(a), a.transpose(None)


@numlir.njit
def transpose_axes_3d(a):
    return (a.transpose((1, 0, 2)), a.transpose(2, 0, 1), a.transpose((0, 2, 1)),
            np.transpose(a, (2, 1, 0)))


@numlir.njit
def transpose_axes_2d(a):
    return a.transpose((1, 0)), a.transpose(0, 1), np.transpose(a, (0, 1))


@numlir.njit
def transpose_runtime_axes(a, axes):
    return a.transpose(axes)


def _astype_forms(a):
    return (a.astype(np.float64), a.astype(np.int32), a.astype("uint8"), a.astype(I16),
            a.astype(np.bool_), a.astype(np.complex128), a.astype(a.dtype))


# one dispatcher per layout (an F array would otherwise run an already compiled 'A' version)
ASTYPE = {lay: numlir.njit(_astype_forms) for lay in ("C", "F", "T")}
astype_forms = ASTYPE["C"]


@numlir.njit
def fill_m(a, v):
    a.fill(v)


@numlir.njit
def view_as_same_size_int(a):
    return a.view(np.int64)


@numlir.njit
def view_forms_1byte(a):
    return a.view(np.uint8), a.view(np.int8), a.view(np.bool_)


@numlir.njit
def view_forms_4byte(a):
    return a.view(np.float32), a.view(np.int32), a.view(np.uint32)


@numlir.njit
def view_forms_8byte(a):
    return a.view(np.float64), a.view(np.int64), a.view(np.uint64)


# -- copy --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("nd", [0, 1, 2, 3])
def test_copy(nd, lay):
    shape = {0: (), 1: (6,), 2: (3, 4), 3: (2, 3, 4)}[nd]
    got = check(copy_m, layout(shape, np.float64, lay))
    assert got.flags.c_contiguous and got.flags.writeable


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_copy_every_dtype(dtype):
    check(copy_m, layout((3, 4), dtype, "T"))


# -- reshape -------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(12,), (3, 4), (2, 3, 2)], ids=str)
def test_reshape_c_contiguous_is_a_view(shape):
    a = layout(shape, np.int64, "C")
    check(reshape_forms_12, a)
    for target in [(12,), (4, 3), (2, 2, 3), (1, 12, 1), (-1,), (6, -1), (-1, 2, 2)]:
        check(reshape_tuple, a, target)


@pytest.mark.parametrize("lay", ["F", "strided", "broadcast"])
def test_reshape_non_c_is_a_copy(lay):
    # every target here changes the memory order of a non-C array: NumPy must copy as well
    a = layout((3, 4), np.int64, lay)
    check(reshape_forms_12, a)
    for target in [(12,), (4, 3), (2, 6), (-1,), (-1, 2)]:
        check(reshape_tuple, a, target)


@pytest.mark.parametrize("lay", ["F", "T"])
def test_reshape_non_c_to_1d(lay):
    a = layout((3, 4), np.float32, lay)
    for target in [(12,), (-1,)]:
        check(reshape_tuple, a, target)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_reshape_every_dtype(dtype):
    check(reshape_forms_12, layout((4, 3), dtype, "C"))
    check(reshape_tuple, layout((4, 3), dtype, "F"), (12,))


@numlir.njit
def reshape_strided_block(a, shape):
    # an 'A' view inside compiled code (an argument of one element would be typed 'C')
    return a[::2, ::3][1:2, 1:].reshape(shape)


@pytest.mark.parametrize("shape", [(), (1, 1, 1), (1,), (2,), (2, 1), (1, 2)], ids=str)
def test_reshape_small_strided_views(shape):
    check(reshape_strided_block, layout((4, 6), np.float64, "C"), shape)
    check(reshape_strided_block, layout((4, 9), np.float64, "F"), shape)


def test_reshape_empty_and_0d():
    check(reshape_tuple, np.zeros((0, 3)), (3, 0))
    check(reshape_tuple, np.zeros((0, 3)), (0, 5, 2))
    check(reshape_tuple, np.array(5.0), (1, 1))
    check(reshape_tuple, np.array(5.0), (-1,))


@pytest.mark.parametrize("a,target", [
    pytest.param(layout((8,), np.float64, "strided"), (2, 4), id="strided-1d"),
    pytest.param(layout((3, 4), np.float64, "F"), (3, 4), id="F-same-shape"),
    pytest.param(layout((3, 4), np.float64, "strided"), (3, 1, 4), id="strided-add-axis")])
def test_reshape_non_c_view_where_numpy_gives_one(a, target):
    check(reshape_tuple, a, target)


RESHAPE_TARGETS = {(2, 3, 4): [(24,), (6, 4), (2, 12), (4, 3, 2), (2, 3, 4), (2, 1, 3, 4),
                                (1, 2, 3, 4, 1), (-1, 4), (2, -1)],
                   (6, 1): [(6,), (1, 6), (2, 3), (6, 1, 1), (3, 2, 1)],
                   (1, 5): [(5,), (5, 1), (1, 1, 5)]}


# one dispatcher per layout: an F array would otherwise run an already compiled 'A' version
RESHAPE_BY_LAYOUT = {lay: numlir.njit(reshape_tuple.py_func) for lay in LAYOUTS}


@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("shape", list(RESHAPE_TARGETS), ids=str)
def test_reshape_grid_view_or_copy_as_numpy(shape, lay):
    # NumPy's rule: a view whenever the strides allow the new shape, else a C-ordered copy;
    # check() compares values, strides and np.shares_memory with the argument
    a = layout(shape, np.float64, lay)
    for target in RESHAPE_TARGETS[shape]:
        check(RESHAPE_BY_LAYOUT[lay], a, target)


@numlir.njit
def reshape_strided_write(a):
    b = a[::2].reshape((2, -1))
    b[1, 0] = -7
    return b


def test_reshape_of_a_strided_view_writes_through():
    check_mutating(reshape_strided_write, lambda: (np.arange(12),))
    check_mutating(reshape_strided_write, lambda: (np.arange(24).reshape(8, 3)[:, 1],))


@numlir.njit
def reshape_in_a_long_loop(a, n):
    s = 0.0
    for i in range(n):
        s += a.reshape((a.shape[0], a.shape[1]))[1, 2] + a.reshape((-1, 2))[i % 6, 1]
    return s


def test_reshape_non_c_in_a_long_loop():
    # the view-or-copy decision uses stack slots of the entry block: nothing grows per iteration
    a = layout((3, 4), np.float64, "F")
    n = 2_000_000
    assert reshape_in_a_long_loop(a, n) == reshape_in_a_long_loop.py_func(a, 600) * (n // 600) \
        + reshape_in_a_long_loop.py_func(a, n % 600)


@numlir.njit
def np_reshape_f(a):
    return np.reshape(a, (4, 3))


def test_np_reshape_non_c():
    for lay in ("F", "strided", "T", "broadcast"):
        check(np_reshape_f, layout((3, 4), np.int32, lay))


@numlir.njit
def reshape_then_write(a):
    b = a.reshape((a.size,))
    b[0] = -1.0
    return b


@pytest.mark.parametrize("lay", ["C", "F"])
def test_reshape_view_writes_through(lay):
    check_mutating(reshape_then_write, lambda: (layout((2, 3), np.float64, lay),))


def test_reshape_wrong_size_raises():
    a = np.arange(12.0)
    with pytest.raises(ValueError):
        a.reshape((5,))
    for target in [(5,), (5, -1), (-1, -1), (3, 5)]:
        with pytest.raises((ValueError, NotImplementedError)):
            reshape_tuple(a, target)


# -- ravel / flatten -------------------------------------------------------------------------------
@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_ravel_flatten(nd, lay):
    shape = {1: (6,), 2: (3, 4), 3: (2, 3, 4)}[nd]
    a = layout(shape, np.float32, lay)
    got_flat = check(flatten_m, a)
    assert not np.shares_memory(got_flat, a)
    if nd == 1 and lay in ("strided", "T", "broadcast"):
        return          # test_ravel_1d_noncontiguous
    for fn in RAVEL[lay]:
        check(fn, a)


@pytest.mark.parametrize("lay", ["strided", "T", "broadcast"])
def test_ravel_1d_noncontiguous(lay):
    a = layout((6,), np.float32, lay)
    for fn in RAVEL[lay]:
        check(fn, a)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_ravel_flatten_every_dtype(dtype):
    a = layout((3, 4), dtype, "C")
    check(ravel_c_only, a)         # only C arrays reach this dispatcher: a view
    check(flatten_m, a)
    check(flatten_m, layout((3, 4), dtype, "F"))


# -- transpose -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lay", LAYOUTS)
def test_transpose(lay):
    check(transpose_no_axes, layout((2, 3, 4), np.int32, lay))
    check(transpose_no_axes, layout((3, 4), np.int32, lay))


@pytest.mark.parametrize("lay", ["C", "F", "T", "broadcast"])
def test_transpose_axes(lay):
    check(transpose_axes_3d, layout((2, 3, 4), np.int32, lay))
    check(transpose_axes_2d, layout((3, 4), np.int32, lay))


def test_transpose_runtime_axes():
    a = layout((2, 3, 4), np.int32, "strided")
    for axes in [(0, 1, 2), (2, 1, 0), (1, 2, 0), (-1, 0, 1)]:
        check(transpose_runtime_axes, a, axes)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_transpose_every_dtype(dtype):
    check(transpose_no_axes, layout((3, 4), dtype, "strided"))


@numlir.njit
def transposed_1d(a):
    return a.transpose(), a.T


def test_transpose_1d_and_0d():
    check(transposed_1d, np.arange(4.0))
    check(transposed_1d, np.array(3.0))


# -- astype ------------------------------------------------------------------------------------
ASTYPE_CASES = ([("C", d) for d in DTYPES]
                + [(lay, d) for d in (np.int8, np.complex128) for lay in ("F", "T")])


@pytest.mark.parametrize("lay,dtype", ASTYPE_CASES,
                         ids=[f"{lay}-{np.dtype(d).name}" for lay, d in ASTYPE_CASES])
def test_astype(lay, dtype):
    a = layout((3, 4), dtype, lay)
    if np.dtype(dtype).kind == "c":
        a = a.real.astype(dtype) if lay == "C" else a      # complex -> real drops .imag
        with pytest.raises(TypeError):
            ASTYPE[lay](a)      # Numba: no complex -> real astype
        return
    # NumPy's astype keeps the memory order ('K'); Numba keeps C and F, makes others C
    got = check(ASTYPE[lay], a, strides=lay in ("C", "F"))
    for g in got:
        assert not np.shares_memory(g, a)


def test_astype_float_to_int_truncates():
    a = np.array([-2.75, -0.5, 0.5, 1.99, 100.25])
    check(astype_forms, a)


# -- fill --------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("lay", ["C", "F", "strided", "T"])
def test_fill(lay, dtype):
    value = np.array(5, dtype).item()
    check_mutating(fill_m, lambda: (layout((3, 4), dtype, lay), value))


@pytest.mark.parametrize("value", [2.75, -3, True], ids=repr)
def test_fill_casts(value):
    for dtype in (np.int32, np.float32, np.uint8):
        if dtype is np.uint8 and value == -3:
            continue
        check_mutating(fill_m, lambda d=dtype: (layout((2, 5), d, "strided"), value))


def test_fill_empty():
    # (0-d fill: Numba's own fill overload cannot type it, so it is not tested)
    check_mutating(fill_m, lambda: (np.zeros((0, 3)), 4.0))


# -- view ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lay", ["C", "F", "strided", "broadcast"])
def test_view_same_itemsize(lay):
    check(view_as_same_size_int, layout((3, 4), np.float64, lay))
    check(view_forms_8byte, layout((3, 4), np.int64, lay))
    check(view_forms_8byte, layout((5,), np.uint64, lay))
    check(view_forms_4byte, layout((3, 4), np.float32, lay))
    check(view_forms_1byte, layout((3, 4), np.bool_, lay).view(np.int8))
    check(view_forms_1byte, layout((2, 3, 4), np.bool_, lay))


@numlir.njit
def view_write(a):
    b = a.view(np.int64)
    b[0] = 0x3FF0000000000000      # 1.0 as float64 bits
    return b


def test_view_writes_through():
    check_mutating(view_write, lambda: (np.arange(4.0),))


def test_sharing_helper_sanity():
    a = np.arange(6.0)
    assert sharing((a[::2], a.copy()), [a]) == [[True], [False]]
