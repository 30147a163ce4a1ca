"""Array indexing (getitem) against NumPy: integer (incl. negative) indices, slices with steps,
``...``, ``None`` and tuples mixing them, over 0-d..4-d arrays, every layout (C, F, strided views,
transposes, stride-0 broadcasts) and every dtype class; results that are views must share memory
with the argument exactly where NumPy's do. Bounds checking: IndexError with ``boundscheck=True``
or ``NUMLIR_BOUNDSCHECK=1``."""
from __future__ import annotations

import numpy as np
import pytest
from test_array_support import DTYPE_IDS, DTYPES, LAYOUTS, check, check_mutating, layout

import numlir
from numlir import config

SHAPES = {0: (), 1: (7,), 2: (4, 5), 3: (3, 4, 5), 4: (2, 3, 4, 3)}


# -- integer indices (runtime values: one compile per array type) ----------------------------------
@numlir.njit
def get_int(a, i):
    return a[i]


@numlir.njit
def get_int_int(a, i, j):
    return a[i, j]


@numlir.njit
def get_tuple(a, idx):
    return a[idx]


@numlir.njit
def get_literal_ints(a):
    return a[1, -1], a[-2, 0]


# -- slices ----------------------------------------------------------------------------------------
@numlir.njit
def get_slice(a, start, stop, step):
    return a[start:stop:step]


@numlir.njit
def get_slice_2d(a, s0, e0, t0, s1, e1, t1):
    return a[s0:e0:t0, s1:e1:t1]


# Literal index forms, grouped (one compile per group and array type keeps the grid quick); a
# mismatch names the tuple position, e.g. ``result[3]`` = the fourth form of the group.
def slices(a):
    return (a[:], a[::-1], a[1::2], a[-1:0:-2], a[-3:], a[:-1], a[2:100], a[-100:2], a[100:],
            a[:-100], a[3:1], a[1:3:-1], a[::-1][1:][::2])


def ellipsis_newaxis(a):
    return a[...], a[..., ::-1], a[None], a[:, None], a[None, ..., None], a[..., None]


def mixed_2d(a):
    return (a[::-1, ::-2], a[1, ::2], a[::-1, 1], a[1:, -1], a[None, 1:, ..., None, ::-2],
            a[-1, None, ::2], a[..., 1:, ::3])


def newaxis_0d(a):
    return a[None], a[None, ..., None], a[..., None]


# integer indices with ``...``; the ones that leave no axis (an element) fail in numlir
def e_last(a):
    return a[..., 0]


def e_first(a):
    return a[-1, ...]


def e_middle(a):
    return a[0, ..., 1]


def e_all(a):
    return a[...]


# name -> (function, minimum ndim)
FORMS = {f.__name__: (numlir.njit(f), nd) for f, nd in [
    (slices, 1), (ellipsis_newaxis, 1), (mixed_2d, 2), (e_last, 1), (e_first, 1), (e_middle, 2)]}
newaxis_0d = numlir.njit(newaxis_0d)
e_all = numlir.njit(e_all)

# An all-integer index with Ellipsis (a[..., 0] on 1-d, a[0, ..., 1] on 2-d): NumPy returns a 0-d
# array, Numba types the result as the element (a scalar); numlir follows Numba's typing.
ELEMENT_ELLIPSIS = {("e_last", 1), ("e_first", 1), ("e_middle", 2)}


def _form_cases():
    cases = []
    for name, (_, mind) in FORMS.items():
        for nd in (1, 2, 3, 4):
            if nd < mind:
                continue
            # 3-d and 4-d in fewer layouts: the grid must stay quick (a compile per array type)
            lays = LAYOUTS if nd < 3 else ["F", "strided", "T"] if nd == 3 else ["strided"]
            for lay in lays:
                cases.append(pytest.param(name, nd, lay, id=f"{name}-{nd}d-{lay}"))
    return cases


@pytest.mark.parametrize("name,nd,lay", _form_cases())
def test_literal_forms(name, nd, lay):
    fn = FORMS[name][0]
    a = layout(SHAPES[nd], np.float64, lay)
    if (name, nd) in ELEMENT_ELLIPSIS:
        got, want = numlir.njit(fn)(a), fn(a)
        assert isinstance(got, float) and np.ndim(want) == 0 and got == np.asarray(want).item()
        return
    check(fn, a)


@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("nd", [1, 2, 3, 4])
def test_int_index_every_position(nd, lay):
    a = layout(SHAPES[nd], np.int64, lay)
    for i in range(-a.shape[0], a.shape[0]):
        check(get_int, a, i)


@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("nd", [2, 3, 4])
def test_two_int_indices(nd, lay):
    a = layout(SHAPES[nd], np.float64, lay)
    for i in range(-a.shape[0], a.shape[0]):
        for j in range(-a.shape[1], a.shape[1]):
            check(get_int_int, a, i, j)


@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("nd", [1, 2, 3, 4])
def test_full_integer_tuple(nd, lay):
    a = layout(SHAPES[nd], np.float64, lay)
    rng = np.random.default_rng(nd)
    for _ in range(12):
        idx = tuple(int(rng.integers(-n, n)) for n in a.shape)
        check(get_tuple, a, idx)


@pytest.mark.parametrize("lay", LAYOUTS)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_runtime_slices(nd, lay):
    a = layout(SHAPES[nd], np.float64, lay)
    n = a.shape[0]
    for start in (0, 1, -2, n, -n - 3, n + 5):
        for stop in (0, 3, -1, n, -n - 3, n + 5):
            for step in (1, 2, 3, -1, -2, n + 1, -n - 1):
                check(get_slice, a, start, stop, step)


@pytest.mark.parametrize("lay", ["C", "F", "strided"])
def test_runtime_slices_2d(lay):
    a = layout((6, 5), np.float64, lay)
    for args in [(0, 6, 1, 0, 5, 1), (1, 5, 2, 4, 0, -1), (-1, -7, -2, -1, -6, -3),
                 (5, 0, -1, 0, 5, 2), (2, 2, 1, 0, 5, 1), (-100, 100, 3, 100, -100, -2)]:
        check(get_slice_2d, a, *args)


@pytest.mark.parametrize("step", [0])
def test_slice_step_zero_raises_valueerror(step):
    a = np.arange(5.0)
    with pytest.raises(ValueError):
        a[1:3:step]
    with pytest.raises(ValueError):
        get_slice(a, 1, 3, step)


# -- every dtype class: the same forms must give the same values and dtypes ---------------------
@numlir.njit
def many_forms(a, i):
    return (a[i], a[-1, -2], a[1:, ::-2], a[..., 1], a[None, i], a[::-1, None, 1:3], a[...],
            a[i, ::-1][1:])


EVERY_DTYPE_CASES = ([(d, lay) for d in DTYPES for lay in ("C", "strided")]
                     + [(d, lay) for d in (np.bool_, np.uint8, np.complex128)
                        for lay in ("F", "broadcast")])


@pytest.mark.parametrize("dtype,lay", EVERY_DTYPE_CASES,
                         ids=[f"{np.dtype(d).name}-{lay}" for d, lay in EVERY_DTYPE_CASES])
def test_every_dtype(dtype, lay):
    a = layout((4, 5), dtype, lay)
    for i in (0, 3, -1, -4):
        check(many_forms, a, i)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_every_dtype_scalar(dtype):
    a = layout((3, 4), dtype, "F")
    check(get_literal_ints, a)
    b = layout((5,), dtype, "strided")
    for i in range(-5, 5):
        check(get_int, b, i)


# -- 0-d arrays --------------------------------------------------------------------------------
@numlir.njit
def zero_d_item(a):
    return a[()]


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint64, np.float32, np.complex128],
                         ids=lambda d: np.dtype(d).name)
def test_zero_d(dtype):
    a = np.array(dtype(1) if dtype is not np.bool_ else True)
    check(zero_d_item, a)
    check(newaxis_0d, a)


def test_zero_d_ellipsis():
    # NumPy returns a 0-d view; Numba types a[...] of a 0-d array as the element: numlir follows
    a = np.array(2.5)
    got, want = numlir.njit(e_all)(a), e_all(a)
    assert isinstance(got, float) and got == np.asarray(want).item()


# -- empty arrays ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0), (2, 0, 4)])
def test_empty_arrays(shape):
    a = np.zeros(shape)
    check(FORMS["slices"][0], a)
    check(FORMS["ellipsis_newaxis"][0], a)
    check(get_slice, a, 0, 5, 2)
    check(get_slice, a, -1, -5, -1)
    if shape[0]:
        check(get_int, a, -1)


# -- bounds checking ---------------------------------------------------------------------------
@numlir.njit(boundscheck=True)
def get_checked(a, i):
    return a[i]


@numlir.njit(boundscheck=True)
def get_checked2(a, i, j):
    return a[i, j]


@pytest.mark.parametrize("lay", ["C", "F", "strided", "broadcast"])
def test_boundscheck_raises_indexerror(lay):
    a = layout((4, 3), np.float64, lay)
    for i, j in [(0, 0), (-4, -3), (3, 2)]:
        check(get_checked2, a, i, j)
    for i, j in [(4, 0), (-5, 0), (0, 3), (0, -4), (100, 100), (-(2**62), 0)]:
        with pytest.raises(IndexError):
            get_checked2(a, i, j)
    b = layout((6,), np.int32, lay)
    for i in (6, -7, 2**40):
        with pytest.raises(IndexError):
            get_checked(b, i)
    with pytest.raises(IndexError):
        get_checked(a, 4)          # an out-of-bounds row index of a 2-d array (a view result)


def test_boundscheck_in_bounds_values():
    a = layout((9,), np.float64, "strided")
    for i in range(-9, 9):
        check(get_checked, a, i)


def test_boundscheck_env_knob(knob_env):
    knob_env.setenv("NUMLIR_BOUNDSCHECK", "1")
    config.reload()

    def env_get(a, i):
        return a[i]

    f = numlir.njit(env_get)
    a = np.arange(4.0)
    assert f(a, -4) == 0.0
    with pytest.raises(IndexError):
        f(a, 4)
    with pytest.raises(IndexError):
        f(a, -5)


def test_no_boundscheck_negative_wraps():
    a = np.arange(10, 20)
    assert get_int(a, -1) == 19
    assert get_int(a, -10) == 10


# -- index types -----------------------------------------------------------------------------------
@pytest.mark.parametrize("ity", [np.int8, np.int32, np.uint8, np.uint64],
                         ids=lambda t: np.dtype(t).name)
def test_sized_integer_indices(ity):
    a = layout((6, 4), np.float64, "strided")
    signed = np.dtype(ity).kind == "i"
    for i in (range(-6, 6) if signed else range(6)):
        check(get_int, a, ity(i))
        check(get_slice, a, ity(i), ity(5), ity(1 if i % 2 else 2))


@numlir.njit
def get_with_slice_arg(a, s):
    return a[s]


SLICE_ARGS = [slice(1, None, 2), slice(None), slice(-3, None), slice(None, None, -1),
              slice(8, 1, -3), slice(2, 5), slice(2, 5, 1), slice(-100, 100), slice(5, 2),
              slice(np.int32(2), np.int64(7), np.uint8(2)), slice(None, -2, 3)]


@pytest.mark.parametrize("lay", ["C", "strided", "broadcast"])
def test_slice_object_argument(lay):
    a = layout((10,), np.float64, "C")
    check(get_with_slice_arg, a, slice(1, None, 2))
    b = layout((10, 3), np.int32, lay)
    for s in SLICE_ARGS:
        check(get_with_slice_arg, b, s)


@numlir.njit
def get_with_slice_pair(a, s, t):
    return a[s, t], a[(s, 1)], a[1:, s][t]


@numlir.njit
def set_with_slice_arg(a, s, v):
    a[s] = v
    return a[s]


def test_slice_objects_in_pairs_and_setitem():
    a = layout((6, 5), np.float64, "F")
    for s, t in [(slice(1, 3), slice(None, None, 2)), (slice(None, None, -2), slice(-2, None))]:
        check(get_with_slice_pair, a, s, t)
    check_mutating(set_with_slice_arg, lambda: (np.arange(10.0), slice(1, None, 3), -1.0))
    check_mutating(set_with_slice_arg, lambda: (np.arange(10.0), slice(None, None, -1),
                                                np.arange(10.0) * 2))


@numlir.njit
def get_with_slice_tuple(a, idx):
    return a[idx]


def test_tuple_of_slices_argument():
    a = layout((4, 5), np.int64, "C")
    check(get_with_slice_tuple, a, (slice(1, 3), slice(None, None, -2)))
    check(get_with_slice_tuple, a, (slice(None), 2))


def test_bad_slice_object_argument():
    a = np.arange(10.0)
    # the entry's conversion raises NumPy's errors (step 0; bounds that are not integers)
    check(get_with_slice_arg, a, slice(1, 2, 0))
    check(get_with_slice_arg, a, slice(1.5, 3))


# -- extreme element values survive the trip (scalars and views) ----------------------------------
def _extremes(dtype):
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return np.array([info.min, info.max, 0, 1, info.max - 1], dt)
    if dt.kind == "f":
        return np.array([np.inf, -np.inf, np.nan, -0.0, np.finfo(dt).max, np.finfo(dt).tiny], dt)
    if dt.kind == "c":
        return np.array([complex(np.nan, 1), complex(-np.inf, -0.0), 1e308 + 1e-308j], dt)
    return np.array([True, False], dt)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_extreme_values(dtype):
    a = _extremes(dtype)
    for i in range(-len(a), len(a)):
        check(get_int, a, i)
    check(FORMS["slices"][0], a)


@numlir.njit
def slice_members(s):
    return s.start, s.stop, s.step


@numlir.njit
def built_slice_members(n):
    return slice(n).start, slice(1, n).stop, slice(None, None, -n).start, slice(2, n, 3).step


def test_slice_members():
    # given members read back as given; a None start/stop reads as Numba's sentinel
    big = 2**63 - 1
    assert slice_members(slice(2, 7, 3)) == (2, 7, 3)
    assert slice_members(slice(-4, -1)) == (-4, -1, 1)
    assert slice_members(slice(None, 5)) == (0, 5, 1)
    assert slice_members(slice(None, None, -1)) == (big, -big - 1, -1)
    assert built_slice_members(4) == (0, 4, big, 3)
