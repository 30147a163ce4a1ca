"""Reductions along an axis against NumPy: ``sum prod min max amin amax mean var std argmin argmax
any all`` and ``cumsum``/``cumprod`` as functions and methods, with a run-time (also negative,
also out-of-bounds) axis, ``keepdims``, ``dtype`` and ``ddof``; over dtypes, layouts, 1-d to 3-d,
empty axes and NaN.

Every function below compiles once per array type and is run for every axis, so the grids cost a
few compilations each. Floating results compare to a relative 1e-12 (float32: 1e-5): NumPy sums
pairwise, numlir sequentially.
"""
import warnings

import numpy as np
import pytest

import numlir
from numlir.errors import UnsupportedError
from tests.numeric.test_array_support import layout, sample


def _run(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(*args), None
        except Exception as exc:       # noqa: BLE001 -- the exception is the outcome
            return None, exc


def _kind(x):
    return np.asarray(x).dtype.kind


def _same(got, want, path):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), f"{path}: {got!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            _same(g, w, f"{path}[{i}]")
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{path}: got {got!r}, expected an array"
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype}, expected {want.dtype}"
        assert got.shape == want.shape, f"{path}: shape {got.shape}, expected {want.shape}"
    else:       # NumPy scalar -> Python scalar of the same kind (as Numba returns)
        assert not isinstance(got, np.ndarray), f"{path}: got an array {got!r}"
        kinds = {"b": "b", "i": "i", "u": "i", "f": "f", "c": "c"}
        assert kinds[_kind(got)] == kinds[_kind(want)], f"{path}: {got!r}, expected {want!r}"
    g, w = np.asarray(got), np.asarray(want)
    if w.dtype.kind in "fc":
        low = w.dtype in (np.float32, np.complex64)
        np.testing.assert_allclose(g, w.astype(g.dtype), rtol=1e-5 if low else 1e-12,
                                   atol=1e-12, equal_nan=True, err_msg=path)
    else:
        np.testing.assert_array_equal(g, w.astype(g.dtype), err_msg=path)


def check(fn, *args):
    """``fn(*args)`` compiled against NumPy: same results, or the same exception type."""
    want, wexc = _run(fn.py_func, *args)
    got, gexc = _run(fn, *args)
    if wexc is not None or gexc is not None:
        if wexc is None:
            raise gexc
        assert gexc is not None, f"numlir returned {got!r}; NumPy raised {wexc!r}"
        assert type(gexc) is type(wexc), f"numlir raised {gexc!r}; NumPy raised {wexc!r}"
        return
    _same(got, want, "result")


def check_axes(fn, a, extra=()):
    """``fn(a, axis, *extra)`` for every axis, negative ones and one out of bounds each side."""
    for k in range(-a.ndim - 1, a.ndim + 1):
        check(fn, a, k, *extra)


@numlir.njit
def arith_funcs(a, k):
    return (np.sum(a, axis=k), np.prod(a, axis=k), np.mean(a, axis=k), np.var(a, axis=k),
            np.std(a, axis=k), np.any(a, axis=k), np.all(a, axis=k), np.cumsum(a, axis=k),
            np.cumprod(a, axis=k))


@numlir.njit
def extreme_funcs(a, k):
    return (np.min(a, axis=k), np.max(a, axis=k), np.amin(a, axis=k), np.amax(a, axis=k),
            np.argmin(a, axis=k), np.argmax(a, axis=k))


@numlir.njit
def arith_methods(a, k):
    return (a.sum(axis=k), a.prod(k), a.mean(axis=k), a.var(axis=k), a.std(axis=k),
            a.any(axis=k), a.all(k), a.cumsum(axis=k), a.cumprod(axis=k))


@numlir.njit
def extreme_methods(a, k):
    return a.min(axis=k), a.max(k), a.argmin(axis=k), a.argmax(axis=k)


@numlir.njit
def whole(a):
    """The forms without an axis that this module takes over (cumulative ones flatten)."""
    return (np.cumsum(a), np.cumprod(a), a.cumsum(), a.cumprod(), a.var(), a.std(), np.var(a),
            np.std(a), a.argmin(), a.argmax(), np.argmin(a), np.argmax(a), a.any(), a.all(),
            np.any(a), np.all(a))


@numlir.njit
def whole_methods(a):
    """Methods numlir types in every form (for their axis forms), without an axis."""
    return (a.sum(), a.prod(), a.mean(), a.min(), a.max(), a.sum(dtype=np.int32),
            a.sum(axis=None), a.sum(None, np.float32), a.prod(dtype=np.float64),
            a.mean(dtype=np.float32), a.max(axis=None), a.min(None, None, False),
            a.sum(keepdims=False))


@numlir.njit
def keepdims(a):
    return (np.sum(a, axis=1, keepdims=True), a.sum(axis=-1, keepdims=True),
            np.prod(a, axis=0, keepdims=True), np.min(a, axis=-2, keepdims=True),
            a.max(axis=1, keepdims=True), np.mean(a, axis=0, keepdims=True),
            np.var(a, axis=1, keepdims=True), np.std(a, keepdims=True),
            np.argmax(a, axis=0, keepdims=True), np.argmin(a, axis=-1, keepdims=True),
            np.any(a, axis=1, keepdims=True), np.all(a, keepdims=True),
            np.sum(a, keepdims=True), np.amax(a, keepdims=True), a.mean(keepdims=True),
            np.sum(a, axis=0, keepdims=False))


@numlir.njit
def keepdims_axis(a, k):
    return (np.sum(a, axis=k, keepdims=True), np.max(a, axis=k, keepdims=True),
            np.argmin(a, axis=k, keepdims=True), a.std(axis=k, keepdims=True))


@numlir.njit
def with_dtype(a):
    return (np.sum(a, axis=0, dtype=np.float32), np.sum(a, axis=1, dtype=np.int8),
            a.sum(axis=1, dtype=np.float64), np.prod(a, axis=0, dtype=np.float64),
            np.prod(a, dtype=np.int16), np.mean(a, axis=1, dtype=np.float32),
            np.mean(a, dtype=np.float64), np.var(a, axis=0, dtype=np.float64),
            np.std(a, axis=-1, dtype=np.float32), np.cumsum(a, axis=0, dtype=np.int16),
            np.cumprod(a, dtype=np.float32), a.cumsum(axis=1, dtype=np.float64),
            a.prod(axis=1, dtype=np.float32))


@numlir.njit
def with_ddof(a, k, d):
    return (np.var(a, axis=k, ddof=d), np.std(a, axis=k, ddof=d), a.var(axis=k, ddof=d),
            a.std(k, ddof=d))


@numlir.njit
def whole_ddof(a, d):
    return np.var(a, ddof=d), np.std(a, ddof=d), a.var(ddof=d), a.std(ddof=d)


GRID_DTYPES = [np.bool_, np.int8, np.int64, np.uint64, np.float32, np.float64, np.complex128]
IDS = [np.dtype(d).name for d in GRID_DTYPES]


@pytest.mark.parametrize("dtype", GRID_DTYPES, ids=IDS)
def test_functions_over_dtypes(dtype):
    a = sample((3, 4), dtype)
    check_axes(arith_funcs, a)
    check_axes(extreme_funcs, a)
    check(whole, a)


@pytest.mark.parametrize("lay", ["C", "F", "strided", "T", "broadcast"])
def test_functions_over_layouts_3d(lay):
    a = layout((2, 3, 4), np.float64, lay)
    check_axes(arith_funcs, a)
    check_axes(extreme_funcs, a)


@pytest.mark.parametrize("dtype", [np.int32, np.float64])
def test_1d(dtype):
    a = sample((7,), dtype)
    check_axes(arith_funcs, a)
    check_axes(extreme_funcs, a)
    check(whole, a)


@pytest.mark.parametrize("dtype", [np.int16, np.float64, np.bool_])
def test_methods(dtype):
    arrays = [sample((3, 4), dtype)] + ([layout((3, 4), dtype, "T")] if dtype == np.float64
                                        else [])
    for a in arrays:
        check_axes(arith_methods, a)
        check_axes(extreme_methods, a)


@pytest.mark.parametrize("a", [
    np.arange(6, dtype=np.int8).reshape(2, 3), np.array([True, False]), np.array(3.5),
    np.array([2**64 - 1, 3], np.uint64), np.arange(5.0)[::-2]],
    ids=["int8-2d", "bool", "0d", "uint64", "strided"])
def test_methods_whole_array(a):
    check(whole_methods, a)


@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_keepdims(dtype):
    check(keepdims, sample((3, 4), dtype))
    check(keepdims, layout((3, 4), dtype, "F"))


def test_keepdims_runtime_axis_3d():
    check_axes(keepdims_axis, layout((2, 3, 4), np.int32, "strided"))


@pytest.mark.parametrize("dtype", [np.int32, np.bool_, np.float32])
def test_dtype_argument(dtype):
    check(with_dtype, sample((3, 4), dtype))


def test_dtype_complex_to_real_is_rejected():
    # NumPy drops the imaginary part with a ComplexWarning; numlir refuses at compile time
    with pytest.raises(UnsupportedError, match="conversion from complex128 to float"):
        with_dtype(sample((3, 4), np.complex128))


@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.complex128])
def test_ddof(dtype):
    a = sample((3, 4), dtype)
    for d in (0, 1, 2, 3, 4, 7):        # ddof >= n: NumPy divides by max(n - ddof, 0)
        check_axes(with_ddof, a, (d,))
        check(whole_ddof, a, d)


@numlir.njit
def whole_total(a):
    return (np.cumsum(a), np.cumprod(a), a.var(), a.std(), np.any(a), np.all(a), a.any(),
            a.all(), np.var(a, ddof=1), a.cumsum())


@pytest.mark.parametrize("a", [np.zeros((0, 3)), np.zeros(0, bool)], ids=["2d", "bool"])
def test_empty_whole(a):
    check(whole_total, a)
    check(whole, a)             # ValueError: argmin of an empty array


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 3), (0,)], ids=str)
def test_empty(shape):
    a = np.zeros(shape)
    check_axes(arith_funcs, a)
    check_axes(extreme_funcs, a)        # ValueError where the reduced axis is empty


NAN, INF = np.nan, np.inf


@pytest.mark.parametrize("a", [
    np.array([[1.0, NAN, 3.0, -1.0], [NAN, 2.0, -1.0, NAN], [0.0, 1.0, 2.0, 2.0]]),
    np.array([[INF, -INF, NAN], [-0.0, 0.0, 1.0], [-INF, INF, 0.0]]),
    np.array([[1 + 2j, NAN + 0j, 1 + 1j], [complex(1, NAN), 1 + 1j, 1 + 3j],
              [2 - 1j, 2 - 2j, complex(NAN, NAN)], [-1j, -1j, 0j]]),
    np.array([[3, 1, 3, 1], [2, 2, 2, 2]], np.int8),
    np.array([[0, 2**64 - 1, 5], [2**64 - 1, 0, 5]], np.uint64),
], ids=["nan", "inf-zeros", "complex-nan", "ties", "uint-extremes"])
def test_nan_ties_extremes(a):
    """NaN propagates through min/max and is what argmin/argmax find first; ties keep the first
    index; complex numbers order lexicographically."""
    check_axes(extreme_funcs, a)
    check_axes(arith_funcs, a)


def test_runtime_keepdims_is_rejected():
    @numlir.njit
    def f(a, kd):
        return np.sum(a, axis=0, keepdims=kd)
    with pytest.raises(numlir.TypingError):
        f(np.ones((2, 2)), True)


def test_0d():
    """Whole-array forms of a 0-d array work; an axis is rejected at compile time (NumPy raises
    AxisError at run time: the result would have -1 dimensions)."""
    check(whole, np.array(2.5))
    with pytest.raises(numlir.TypingError, match="out of bounds for a 0-d array"):
        arith_funcs(np.array(2.5), 0)


@numlir.njit
def sum_axis(a, k):
    return np.sum(a, axis=k)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_float32_sum_accuracy(dtype):
    """A long float32 sum is as accurate as NumPy's pairwise one (a sequential float32 sum of
    10^5 values in [0, 1) is off by ~4e-6)."""
    a = np.random.default_rng(0).random((3, 100_000)).astype(dtype)
    exact = a.astype(np.complex128).sum(axis=1)
    got = sum_axis(a, 1)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, exact, rtol=2e-7)
    np.testing.assert_allclose(sum_axis(a.T, 0), exact, rtol=2e-7)
