"""Reductions along an axis against NumPy: ``sum prod min max amin amax mean var std argmin argmax
any all`` and ``cumsum``/``cumprod`` as functions and methods, with a run-time (also negative,
also out-of-bounds) axis, ``keepdims``, ``dtype`` and ``ddof``; over dtypes, layouts, 1-d to 3-d,
empty axes and NaN.

Every function below compiles once per array type and is run for every axis, so the grids cost a
few compilations each. Floating results compare to a relative 1e-12 (float32: 1e-5): NumPy sums
pairwise, numlir sequentially or (along a contiguous line) in reassociated vector lanes. The
second half covers the two loop orders (along and across the contiguous dimension) with lines
long enough for the vector lanes and argmin/argmax chunks.
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


# -- loop orders: along the contiguous dimension or across it ---------------------------------
def lines(kind, shape, seed=0, low=0.5, high=1.5):
    """Random floats of ``shape`` in layout ``kind``: ``C``, ``F``, ``rows`` (an 'A' view whose
    last dimension is contiguous: a slice of a wider C array), ``cols`` (an 'A' view whose
    first dimension is contiguous) or ``strided`` (no contiguous dimension). Values in [0.5,
    1.5): long products neither overflow nor underflow."""
    shape = tuple(shape)
    rng = np.random.default_rng(seed)

    def draw(s):
        return rng.uniform(low, high, s)
    if kind == "C":
        return draw(shape)
    if kind == "F":
        return np.asfortranarray(draw(shape))
    if kind == "rows":
        return draw(shape[:-1] + (shape[-1] + 3,))[..., 1:-2]
    if kind == "cols":
        return np.asfortranarray(draw((shape[0] + 3,) + shape[1:]))[1:-2]
    if kind == "strided":
        return draw(tuple(2 * s for s in shape))[tuple(slice(None, None, 2) for _ in shape)]
    raise ValueError(kind)


LINE_KINDS = ["C", "F", "rows", "cols", "strided"]


def test_lines_helper_layouts():
    assert lines("rows", (3, 5)).strides[-1] == 8 and not lines("rows", (3, 5)).flags.c_contiguous
    assert lines("cols", (3, 5)).strides[0] == 8 and not lines("cols", (3, 5)).flags.f_contiguous
    assert lines("strided", (3, 5)).strides == (160, 16)


@pytest.mark.parametrize("kind", LINE_KINDS)
@pytest.mark.parametrize("shape", [(5, 700), (700, 5)], ids=str)
def test_long_lines_over_layouts(kind, shape):
    """Lines longer than the float min/max lanes and the argmin/argmax chunks, reduced along
    and across the contiguous dimension (C, F, an 'A' array that turns out to have one, or
    the strided loops when it has none)."""
    a = lines(kind, shape)
    check_axes(arith_funcs, a)
    check_axes(extreme_funcs, a)


@pytest.mark.parametrize("kind", ["C", "F", "rows"])
@pytest.mark.parametrize("shape", [(3, 4, 40), (40, 3, 5)], ids=str)
def test_3d_loop_orders(kind, shape):
    """3-d: the axis between, before or after the others; for F arrays the result's
    contiguous row is its first dimension (written through a permuted view)."""
    a = lines(kind, shape)
    check_axes(arith_funcs, a)
    check_axes(extreme_funcs, a)


@pytest.mark.parametrize("dtype", [np.int8, np.uint64, np.bool_])
def test_long_integer_lines(dtype):
    """Integer folds (exact, wrapping products) and argmin/argmax with many ties in long
    lines, both loop orders."""
    v = np.random.default_rng(2).integers(-4, 5, (6, 600))
    a = (v > 0) if dtype == np.bool_ else v.astype(dtype)
    for x in (a, a.T, np.ascontiguousarray(a.T)):
        check_axes(arith_funcs, x)
        check_axes(extreme_funcs, x)


def test_long_complex_lines():
    a = lines("C", (4, 300)) + 1j * lines("C", (4, 300), seed=1)
    a[1, 7] = a[1, 250] = 2 + 2j           # ties keep the first index
    a[2, 100] = complex(np.nan, 1)
    for x in (a, a.T, np.ascontiguousarray(a.T)):
        check_axes(arith_funcs, x)
        check_axes(extreme_funcs, x)


@pytest.mark.parametrize("n", [1, 2, 15, 16, 17, 33, 255, 256, 257, 513, 1000], ids=str)
def test_line_lengths(n):
    """Lines around the sizes of the float min/max lanes (16) and argmin/argmax chunks (256):
    the extreme at the end, a NaN in the middle, a tie across chunks."""
    a = lines("C", (4, n))
    a[1, -1] = 2.0
    a[2, n // 2] = NAN
    a[3, 0] = a[3, -1] = 0.1
    for x in (a, a.T):
        check_axes(extreme_funcs, x)
        check(whole, x)


def _nan_lines(n=1000):
    a = lines("C", (12, n), seed=3)
    a[1, 0] = NAN
    a[2, 15] = NAN
    a[3, 16] = NAN
    a[4, 255] = a[4, 700] = NAN
    a[5, 256] = NAN
    a[6, n - 1] = NAN
    a[7, 3] = a[7, 900] = 2.0              # ties in different chunks: the first
    a[7, 5] = a[7, 600] = 0.0
    a[8] = 1.0
    a[9] = -INF
    a[9, 500] = INF
    a[10] = 0.0
    a[10, ::3] = -0.0
    a[11, 300:] = NAN
    return a


@pytest.mark.parametrize("kind", ["C", "F", "C-across", "rows"])
def test_nan_in_long_lines(kind):
    """NaN propagates through min/max and is what argmin/argmax find first wherever it sits
    in the lanes and chunks; infinities, signed zeros and ties across chunks."""
    a = _nan_lines()
    x = {"C": a, "F": a.T, "C-across": np.ascontiguousarray(a.T),
         "rows": np.pad(a, ((0, 0), (2, 1)))[:, 2:-1]}[kind]
    check_axes(extreme_funcs, x)
    check_axes(arith_funcs, x)


@numlir.njit
def literal_axes(a):
    return (a.sum(axis=0), np.sum(a, 1), np.mean(a, axis=-1), a.max(axis=0), np.min(a, -1),
            np.argmax(a, axis=0), a.argmin(axis=1), np.var(a, axis=0, ddof=1), a.std(axis=1),
            np.cumsum(a, axis=0), a.cumprod(axis=1), np.all(a, axis=-2), a.prod(axis=-1),
            np.sum(a, axis=0, keepdims=True), a.max(axis=1, keepdims=True))


@pytest.mark.parametrize("kind", LINE_KINDS)
def test_literal_axes(kind):
    """A literal axis picks the loop order at compile time."""
    for shape in ((5, 300), (300, 5)):
        check(literal_axes, lines(kind, shape))


@pytest.mark.parametrize("kind", ["C", "F", "rows"])
def test_keepdims_long_lines(kind):
    check_axes(keepdims_axis, lines(kind, (6, 300)))
    check_axes(keepdims_axis, lines(kind, (300, 6)))


@pytest.mark.parametrize("shape", [(0, 300), (300, 0), (0, 0), (2, 0, 40), (40, 2, 0)], ids=str)
def test_empty_loop_orders(shape):
    """Empty reduced axes (identities: 0, 1, nan mean; min/max raise) and empty results, along
    and across; F views of empty arrays are still typed C, so these are all C."""
    a = np.zeros(shape)
    check_axes(arith_funcs, a)
    check_axes(extreme_funcs, a)
    check_axes(keepdims_axis, a)


def test_loop_order_ir():
    """A literal axis on a C array emits one loop order, a run-time one both behind an
    ``scf.if`` (an 'A' array also the strided loops, behind another); only the fold along a
    contiguous line reassociates its float additions."""
    @numlir.njit
    def across(a):
        return a.sum(axis=0)

    @numlir.njit
    def along(a):
        return a.sum(axis=-1)

    @numlir.njit
    def runtime(a, k):
        return a.sum(axis=k)
    a = np.ones((3, 4))
    for fn, args in ((across, (a,)), (along, (a,)), (runtime, (a, 0)),
                     (runtime, (a[:, 1:], 0))):
        fn(*args)
    text = {name: fn.inspect_mlir(sig, "lowered")
            for name, fn, sig in (("across", across, None), ("along", along, None),
                                  ("runtime_C", runtime, runtime.signatures[0]),
                                  ("runtime_A", runtime, runtime.signatures[1]))}
    count = {name: (t.count("scf.if"), t.count("fastmath<reassoc>")) for name, t in text.items()}
    assert count == {"across": (0, 0), "along": (0, 1), "runtime_C": (1, 1),
                     "runtime_A": (2, 1)}, count
