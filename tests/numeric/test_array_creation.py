"""Array creation against NumPy: np.empty/zeros/ones/full and their _like forms, np.eye/identity,
np.asarray, np.arange/linspace, np.array from literals and np.copy, with the dtype given as a class
(np.float32), an np.dtype object and a string; shapes as ints, literal tuples and tuple arguments;
negative dimensions raise ValueError."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from test_array_support import DTYPE_IDS, DTYPES, LAYOUTS, assert_same, check, layout

import numlir

INT16 = np.dtype("int16")          # an np.dtype object as a global
COMPLEX = np.dtype(np.complex128)


def assert_fresh(arr):
    """A new array from compiled code: owns its writable C-contiguous buffer (via its base)."""
    assert isinstance(arr, np.ndarray)
    assert arr.flags.c_contiguous and arr.flags.writeable, arr.flags
    arr[...] = arr       # writable without error


@numlir.njit
def zeros_forms(n, m):
    return (np.zeros(n), np.zeros((n, m)), np.zeros((2, n, m), np.float32),
            np.zeros(n, dtype=np.int8), np.zeros((n,), INT16), np.zeros(n, "uint64"),
            np.zeros((m, n), dtype="complex128"), np.zeros(n, np.dtype("float32")),
            np.zeros(shape=(n, 1), dtype=np.bool_), np.zeros(()))


@numlir.njit
def ones_forms(n, m):
    return (np.ones(n), np.ones((n, m), np.int32), np.ones((n, m, 2), dtype=COMPLEX),
            np.ones(n, "int8"), np.ones(n, dtype="bool"), np.ones((m,), np.uint8),
            np.ones(n, np.dtype("int64")), np.ones(()))


@numlir.njit
def empty_forms(n, m):
    return (np.empty(n), np.empty((n, m), np.float32), np.empty((m, n), dtype="int32"),
            np.empty(n, INT16), np.empty((n, m, 3), np.complex128), np.empty(n, np.bool_))


@numlir.njit
def full_forms(n, m):
    return (np.full(n, 2.5), np.full((n, m), 7), np.full(n, True), np.full((m, n), 1 - 2j),
            np.full(n, 3, np.float32), np.full((n, 2), 2.5, "int32"), np.full(n, 300, np.int64),
            np.full(n, -1, dtype=INT16), np.full((), 4.0))


@numlir.njit
def shape_arg(shape):
    return np.zeros(shape), np.ones(shape, np.int8), np.full(shape, 1.5, np.float32)


@pytest.mark.parametrize("n,m", [(3, 4), (1, 1), (0, 5), (5, 0)])
@pytest.mark.parametrize("fn", [zeros_forms, ones_forms, full_forms], ids=lambda f: f.__name__)
def test_filled(fn, n, m):
    got = check(fn, n, m)
    for arr in got:
        assert_fresh(arr)


@pytest.mark.parametrize("n,m", [(3, 4), (0, 2)])
def test_empty(n, m):
    got, want = empty_forms(n, m), empty_forms.py_func(n, m)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert (g.dtype, g.shape) == (w.dtype, w.shape)
        if g.size:          # (NumPy gives empty arrays 0 strides)
            assert g.strides == w.strides
        assert_fresh(g)


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 0, 3), (1, 2, 3, 4)], ids=str)
def test_shape_tuple_argument(shape):
    check(shape_arg, shape)


# -- _like ---------------------------------------------------------------------------------------
@numlir.njit
def like_forms(a):
    return (np.zeros_like(a), np.ones_like(a), np.full_like(a, 3), np.zeros_like(a, np.int8),
            np.ones_like(a, dtype="float32"), np.full_like(a, 2.5, np.float64),
            np.full_like(a, 1, dtype=INT16))


@numlir.njit
def empty_like_of(a):
    return np.empty_like(a), np.empty_like(a, np.float32)


@pytest.mark.parametrize("nd,lay", [(nd, lay) for nd in (1, 2) for lay in LAYOUTS]
                         + [(3, "F"), (3, "T")])
def test_like(nd, lay):
    shape = {1: (5,), 2: (3, 4), 3: (2, 3, 4)}[nd]
    a = layout(shape, np.int64, lay)
    got = check(like_forms, a, strides=lay in ("C", "F"))
    for arr in got:
        assert arr.flags.writeable and arr.flags.owndata is False   # owned through a capsule
    e, w = empty_like_of(a), empty_like_of.py_func(a)
    for g, x in zip(e, w):
        assert (g.dtype, g.shape) == (x.dtype, x.shape)
        if lay in ("C", "F"):
            assert g.strides == x.strides


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_like_every_dtype(dtype):
    check(like_forms, layout((2, 3), dtype, "C"))


# -- eye / identity ----------------------------------------------------------------------------
@numlir.njit
def eye_forms(n, m, k):
    return (np.eye(n), np.eye(n, m), np.eye(n, m, k), np.eye(n, dtype=np.int32),
            # (Numba rejects string dtypes in np.eye)
            np.eye(n, m, k, np.bool_), np.eye(n, k=k), np.eye(n, M=m, dtype=np.complex128),
            np.identity(n), np.identity(n, np.uint8), np.identity(n, dtype=INT16))


@pytest.mark.parametrize("n,m,k", [(3, 3, 0), (3, 5, 1), (4, 2, -1), (4, 4, 7), (4, 4, -4),
                                   (0, 3, 0), (1, 1, 0), (3, 0, 0)])
def test_eye_identity(n, m, k):
    for arr in check(eye_forms, n, m, k):
        assert_fresh(arr)


# -- asarray -----------------------------------------------------------------------------------
@numlir.njit
def asarray_same(a):
    return np.asarray(a)


@numlir.njit
def asarray_float64(a):
    return np.asarray(a, np.float64)


@numlir.njit
def asarray_int8(a):
    return np.asarray(a, dtype=np.int8)


@pytest.mark.parametrize("lay", LAYOUTS)
def test_asarray(lay):
    a = layout((3, 4), np.float64, lay)
    check(asarray_same, a)          # the same memory, no copy
    check(asarray_float64, a)       # same dtype: no copy either
    b = layout((3, 4), np.int8, lay)
    # a converted copy: NumPy keeps the input's memory order ('K'), Numba (the API numlir follows)
    # makes non-contiguous inputs C-contiguous, so strides compare for C and F inputs only
    check(asarray_float64, b, strides=lay in ("C", "F"))
    check(asarray_int8, b)


@pytest.mark.parametrize("x", [2.5, 7, True, 1 - 1j, (1, 2, 3), (1.5, 2.0)], ids=repr)
def test_asarray_of_scalars_and_tuples(x):
    check(asarray_same, x)


# -- arange / linspace / array / copy ----------------------------------------------------------
@numlir.njit
def arange_forms(n):
    return (np.arange(n), np.arange(1, n), np.arange(1, n, 2), np.arange(n, 0, -3),
            np.arange(0.5, n, 0.25), np.arange(n, dtype=np.float32), np.arange(-n, n, 3))


@numlir.njit
def linspace_forms(a, b, n):
    return np.linspace(a, b, n), np.linspace(a, b)


@numlir.njit
def array_literals(x):
    return (np.array([1, 2, 3]), np.array([[1.0, 2.0], [3.0, x]]), np.array([1, 2], np.float32),
            np.array((x, x + 1)), np.array([True, False]), np.array([[1j, 2], [3, 4]]))


@numlir.njit
def copy_of(a):
    return np.copy(a)


@pytest.mark.parametrize("n", [0, 1, 5, 17])
def test_arange(n):
    for arr in check(arange_forms, n):
        assert_fresh(arr)


@pytest.mark.parametrize("a,b,n", [(0.0, 1.0, 5), (-3.0, 7.5, 11), (2.0, -2.0, 4), (1.0, 1.0, 3),
                                   (0.0, 1.0, 1), (0.0, 1.0, 0), (1e-3, 1e3, 64)])
def test_linspace(a, b, n):
    # linspace's last digit depends on the formula: compare to 4 ulp against NumPy
    got, want = linspace_forms(a, b, n), linspace_forms.py_func(a, b, n)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_max_ulp(g, w, maxulp=4)
        if n:
            assert g[0] == w[0] and (n == 1 or g[-1] == w[-1])


@pytest.mark.parametrize("a,b,n", [(0j, 1 + 1j, 3), (1.5, 1 + 1j, 4), (-2j, 3.0, 7),
                                   (1 + 1j, 1 + 1j, 2), (0j, 4j, 1), (0j, 4j, 0)])
def test_linspace_complex(a, b, n):
    got, want = linspace_forms(a, b, n), linspace_forms.py_func(a, b, n)
    if (a, b, n) == (0j, 1 + 1j, 3):
        assert_same(got, want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_max_ulp(g.real, w.real, maxulp=4)
        np.testing.assert_array_max_ulp(g.imag, w.imag, maxulp=4)


@numlir.njit
def complex_true_divide(x, y):
    return np.divide(x, y), np.true_divide(x, 2), x / y


@pytest.mark.parametrize("x,y", [(1 + 2j, 3 - 1j), (3j, 2.0), (1 + 2j, 0j), (0j, 0j)])
def test_complex_true_divide_arrays_and_scalars(x, y):
    # NumPy's complex division: no exception on a zero divisor (inf/nan)
    with np.errstate(all="ignore"):
        xs = np.array([x, 2 * x, -x])
        check(complex_true_divide, xs, y)
        got = complex_true_divide(x, y) if y != 0 else None
    if got is not None:
        np.testing.assert_allclose(got, complex_true_divide.py_func(x, y))


def test_array_from_literals():
    for arr in check(array_literals, 4.5):
        assert_fresh(arr)


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.float32, np.complex128],
                         ids=["bool", "uint8", "float32", "complex128"])
@pytest.mark.parametrize("lay", LAYOUTS)
def test_np_copy(lay, dtype):
    # np.copy keeps C and F order; non-contiguous inputs: NumPy keeps their memory order ('K'),
    # Numba (the API numlir follows) gives C order, so strides compare for C and F inputs only
    got = check(copy_of, layout((3, 4), dtype, lay), strides=lay in ("C", "F"))
    assert got.flags.writeable and (got.flags.c_contiguous or got.flags.f_contiguous)


# -- negative dimensions -------------------------------------------------------------------------
@numlir.njit
def zeros_n(n):
    return np.zeros((2, n))


@numlir.njit
def empty_n(n):
    return np.empty(n)


@numlir.njit
def eye_n(n):
    return np.eye(n)


@numlir.njit
def full_n(n):
    return np.full((n, 3), 1.0)


@pytest.mark.parametrize("fn", [zeros_n, empty_n, eye_n, full_n], ids=lambda f: f.__name__)
def test_negative_runtime_dimension_raises_valueerror(fn):
    with pytest.raises(ValueError):
        fn.py_func(-1)
    with pytest.raises(ValueError, match="negative dimensions"):
        fn(-1)


def _child(src):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(src)], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ), check=False)


def test_negative_constant_dimension_raises_valueerror():
    res = _child("""
        import numpy as np, numlir
        @numlir.njit
        def f(n):
            return np.ones(-3)
        try:
            f(0)
        except ValueError as e:
            print("ValueError", e)
        """)
    assert res.returncode == 0 and "ValueError" in res.stdout, res.stderr[-2000:]


def test_small_temporary_in_a_long_loop():
    # small buffers stay on the heap: MLIR's promote-buffers-to-stack put them on the stack
    # inside the loop with no alloca scope, and a long loop overflowed the stack
    res = _child("""
        import numpy as np, numlir
        @numlir.njit
        def g(n):
            s = 0.0
            for i in range(n):
                t = np.empty(4)
                for k in range(4):
                    t[k] = i + k
                s += t[i % 4]
            return s
        print(g(3_000_000))
        """)
    assert res.returncode == 0 and res.stdout.strip() == "4500003000000.0", res.stderr[-2000:]
