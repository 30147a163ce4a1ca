"""Array setitem against NumPy: scalar and (broadcast) array right-hand sides through every index
form, every writable layout and every dtype class; value casts on store; overlapping source and
destination; shape mismatches (ValueError); writes to read-only arrays are compile-time errors."""
from __future__ import annotations

import numpy as np
import pytest
from test_array_support import DTYPE_IDS, DTYPES, check_mutating, layout, sample

import numlir

WRITABLE = ["C", "F", "strided", "T"]
SHAPES = {1: (7,), 2: (4, 5), 3: (3, 4, 5), 4: (2, 3, 4, 3)}


@numlir.njit
def set_int(a, i, v):
    a[i] = v


@numlir.njit
def set_int2(a, i, j, v):
    a[i, j] = v


@numlir.njit
def set_tuple(a, idx, v):
    a[idx] = v


@numlir.njit
def set_slice(a, start, stop, step, v):
    a[start:stop:step] = v


def w_all(a, v):
    a[:] = v


def w_ellipsis(a, v):
    a[...] = v


def w_rev(a, v):
    a[::-1] = v


def w_step(a, v):
    a[1::2] = v


def w_int_slice(a, v):
    a[1, ::2] = v


def w_slice_int(a, v):
    a[::-1, -1] = v


def w_ellipsis_int(a, v):
    a[..., 0] = v


def w_newaxis(a, v):
    a[None, 1:] = v


def w_chained(a, v):
    b = a[::-1]
    b[1:3] = v


W_FORMS = {f.__name__: (numlir.njit(f), nd) for f, nd in [
    (w_all, 1), (w_ellipsis, 1), (w_rev, 1), (w_step, 1), (w_int_slice, 2), (w_slice_int, 2),
    (w_ellipsis_int, 1), (w_newaxis, 1), (w_chained, 1)]}


def _rhs_shapes(fn_name, shape):
    """Target shape of each form: the value is a scalar, an array of that shape and an array
    broadcast along the first target axis."""
    probe = np.empty(shape)
    view = {"w_all": lambda a: a[:], "w_ellipsis": lambda a: a[...],
            "w_rev": lambda a: a[::-1], "w_step": lambda a: a[1::2],
            "w_int_slice": lambda a: a[1, ::2], "w_slice_int": lambda a: a[::-1, -1],
            "w_ellipsis_int": lambda a: a[..., 0], "w_newaxis": lambda a: a[None, 1:],
            "w_chained": lambda a: a[::-1][1:3]}[fn_name](probe)
    return view.shape


def _cases():
    out = []
    for name, (_, mind) in W_FORMS.items():
        for nd in (1, 2, 3):
            if nd >= mind:
                # 3-d in one layout only: every case costs a few compiles ("T" has the
                # type of "strided": no extra compile, other strides)
                for lay in (WRITABLE if nd < 3 else ["T"]):
                    out.append((name, nd, lay))
    return out


@pytest.mark.parametrize("name,nd,lay", _cases())
def test_forms_scalar_and_array_rhs(name, nd, lay):
    fn = W_FORMS[name][0]
    shape = SHAPES[nd]
    target = _rhs_shapes(name, shape)
    check_mutating(fn, lambda: (layout(shape, np.float64, lay), -1.5))
    check_mutating(fn, lambda: (layout(shape, np.float64, lay),
                                layout(target, np.float64, "C", start=50)))
    if len(target) >= 1 and lay == "C" and nd == 2:
        # the value broadcast along the leading target axis, then a stride-0 read-only value
        check_mutating(fn, lambda: (layout(shape, np.float64, lay),
                                    layout(target[1:], np.float64, "strided", start=70)))
        if target[0] > 1:
            check_mutating(fn, lambda: (layout(shape, np.float64, lay),
                                        layout(target, np.float64, "broadcast", start=90)))


@pytest.mark.parametrize("lay", WRITABLE)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_int_index_scalar(nd, lay):
    shape = SHAPES[nd]
    for i in range(-shape[0], shape[0]):
        check_mutating(set_int, lambda i=i: (layout(shape, np.float64, lay), i, 2.25))


@pytest.mark.parametrize("lay", WRITABLE)
def test_int_index_row_array(lay):
    for i in (0, -1, 2):
        check_mutating(set_int, lambda i=i: (layout((4, 5), np.int64, lay), i,
                                             layout((5,), np.int64, "strided", start=40)))
        check_mutating(set_int, lambda i=i: (layout((3, 4, 5), np.int64, lay), i,
                                             layout((5,), np.int64, "C", start=40)))


@pytest.mark.parametrize("lay", WRITABLE)
@pytest.mark.parametrize("nd", [2, 3, 4])
def test_full_index_tuple(nd, lay):
    shape = SHAPES[nd]
    rng = np.random.default_rng(nd)
    for _ in range(8):
        idx = tuple(int(rng.integers(-n, n)) for n in shape)
        check_mutating(set_tuple, lambda idx=idx: (layout(shape, np.float32, lay), idx, 7.0))


@pytest.mark.parametrize("lay", WRITABLE)
def test_runtime_slices(lay):
    n = 7
    for start, stop, step in [(0, 7, 1), (1, 6, 2), (-1, -8, -1), (6, 0, -3), (3, 3, 1),
                              (-100, 100, 4), (100, -100, -2)]:
        target = np.empty(n)[start:stop:step].shape
        bounds = (start, stop, step)
        check_mutating(set_slice, lambda b=bounds: (layout((n, 3), np.float64, lay), *b, -4.0))
        check_mutating(set_slice, lambda b=bounds, t=target: (
            layout((n, 3), np.float64, lay), *b, layout(t + (3,), np.float64, "C", start=30)))
        check_mutating(set_slice, lambda b=bounds: (
            layout((n, 3), np.float64, lay), *b, layout((3,), np.float64, "C", start=60)))


# -- every dtype class ---------------------------------------------------------------------------
@numlir.njit
def set_many(a, v, row):
    a[0, 0] = v
    a[-1, 1:] = v
    a[1] = row
    a[2:, ::-2] = row[::-2]


@pytest.mark.parametrize("lay", WRITABLE)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_every_dtype(dtype, lay):
    scalar = sample((), dtype, start=37).item()          # a Python scalar of the dtype's class
    check_mutating(set_many, lambda: (layout((4, 5), dtype, lay), scalar,
                                      layout((5,), dtype, "strided", start=11)))


# -- casts on store -----------------------------------------------------------------------------
CASTS = [  # (array dtype, value) -- values exactly representable / in range everywhere
    (np.int32, 3.75), (np.int64, -2.5), (np.uint8, 200), (np.float32, 7), (np.float64, True),
    (np.complex128, 2.5), (np.complex128, -3), (np.bool_, 1), (np.bool_, 0.0), (np.int8, -100),
    (np.uint64, 2**63 + 5)]


@pytest.mark.parametrize("dtype,value", CASTS, ids=[f"{np.dtype(d).name}-{v!r}" for d, v in CASTS])
def test_scalar_cast_on_store(dtype, value):
    check_mutating(set_int, lambda: (layout((6,), dtype, "C"), 2, value))
    check_mutating(W_FORMS["w_step"][0], lambda: (layout((6,), dtype, "strided"), value))


ARRAY_CASTS = [(np.float64, np.int64), (np.float32, np.float64), (np.int32, np.float64),
               (np.int64, np.bool_), (np.complex128, np.float32), (np.uint8, np.int8)]


@pytest.mark.parametrize("dst,src", ARRAY_CASTS,
                         ids=[f"{np.dtype(d).name}<-{np.dtype(s).name}" for d, s in ARRAY_CASTS])
def test_array_cast_on_store(dst, src):
    check_mutating(W_FORMS["w_all"][0],
                   lambda: (layout((4, 5), dst, "F"), np.abs(layout((4, 5), src, "strided"))
                            if np.dtype(src).kind != "b" else layout((4, 5), src, "strided")))


# -- overlap: NumPy copies an overlapping source first ---------------------------------------------
@numlir.njit
def shift_right(a):
    a[1:] = a[:-1]


@numlir.njit
def shift_left(a):
    a[:-1] = a[1:]


@numlir.njit
def reverse_in_place(a):
    a[:] = a[::-1]


@numlir.njit
def transpose_in_place(a):
    a[...] = a.T


@numlir.njit
def row_from_self(a):
    a[:, 1:] = a[:, :1]


@pytest.mark.parametrize("fn", [shift_right, shift_left, reverse_in_place, transpose_in_place,
                                row_from_self], ids=lambda f: f.__name__)
@pytest.mark.parametrize("lay", WRITABLE)
def test_overlapping_source(fn, lay):
    check_mutating(fn, lambda: (layout((8,) if fn.py_func.__code__.co_name in (
        "shift_right", "shift_left", "reverse_in_place") else (4, 4), np.int64, lay),))
    check_mutating(fn, lambda: (layout((4, 4), np.float64, lay),))


# -- errors ----------------------------------------------------------------------------------------
def test_shape_mismatch_raises_valueerror():
    a = np.zeros((4, 5))
    for v in (np.ones(3), np.ones((2, 5)), np.ones((4, 4))):
        with pytest.raises(ValueError):
            a.copy()[:] = v
        with pytest.raises(ValueError):
            W_FORMS["w_all"][0](a.copy(), v)
    with pytest.raises(ValueError):
        set_slice(np.zeros(6), 0, 6, 2, np.ones(2))


@numlir.njit
def write_one(a):
    a[0] = 1


@numlir.njit
def write_view(a):
    b = a[::2]
    b[...] = 0


@numlir.njit
def fill_readonly(a):
    a.fill(0)


@pytest.mark.parametrize("fn", [write_one, write_view, fill_readonly],
                         ids=lambda f: f.__name__)
def test_write_to_readonly_is_an_error(fn):
    ro = np.arange(6.0)
    ro.flags.writeable = False
    for a in (ro, np.broadcast_to(np.arange(3.0), (4, 3))):
        before = a.copy()
        with pytest.raises(TypeError):          # numlir.UnsupportedError / TypingError
            fn(a)
        np.testing.assert_array_equal(a, before)
    ok = np.arange(6.0)              # the writable type still compiles and runs
    fn(ok)
    want = np.arange(6.0)
    fn.py_func(want)
    np.testing.assert_array_equal(ok, want)
