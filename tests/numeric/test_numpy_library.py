"""NumPy library functions against NumPy on the same inputs: ``outer vdot trace nonzero isclose
allclose clip where matmul`` over dtypes and shapes, and the ufuncs ``gcd lcm nextafter spacing
ldexp frexp modf divmod`` (arrays, scalars, ``out=``; inputs with inf, nan, -0.0, subnormals)."""
import warnings

import numpy as np
import pytest

import numlir

FLOATS = [np.float64, np.float32]
RNG = np.random.default_rng(7)


def _numpy(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn.py_func(*args)


def _same(got, want, rtol=1e-12):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, rtol)
        return
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape
    if isinstance(want, np.ndarray):
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
    if w.dtype.kind in "fc":
        np.testing.assert_allclose(g, w, rtol=rtol, atol=0, equal_nan=True)
        # signed zeros too
        np.testing.assert_array_equal(np.signbit(g.real), np.signbit(w.real))
    else:
        np.testing.assert_array_equal(g, w)


def _check(fn, *args, rtol=1e-12):
    want = _numpy(fn, *args)
    got = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    _same(got, want, rtol)


def _rtol(dtype):
    return 2e-6 if np.dtype(dtype) == np.float32 else 1e-12


# -- linear algebra and selection ------------------------------------------------------------------
@numlir.njit
def outer(a, b):
    return np.outer(a, b)


@numlir.njit
def vdot(a, b):
    return np.vdot(a, b)


@numlir.njit
def trace(a):
    return np.trace(a)


@numlir.njit
def matmul(a, b):
    return np.matmul(a, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.complex128])
def test_outer_vdot(dtype):
    a = (RNG.standard_normal(5) * 4).astype(dtype)
    b = (RNG.standard_normal(5) * 4).astype(dtype)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * RNG.standard_normal(5)
    _check(outer, a, b, rtol=_rtol(dtype))
    _check(outer, a, b[:3], rtol=_rtol(dtype))
    if np.dtype(dtype).kind in "fc":        # Numba types vdot of float and complex arrays
        _check(vdot, a, b, rtol=_rtol(dtype) * 10)
        _check(vdot, a[::2], b[-1::-2], rtol=_rtol(dtype) * 10)


def test_vdot_length_mismatch():
    with pytest.raises(ValueError):
        vdot(np.ones(3), np.ones(4))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])     # Numba: float/complex only
@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (4, 1)])
def test_trace(dtype, shape):
    a = np.arange(np.prod(shape), dtype=dtype).reshape(shape)
    _check(trace, a)
    _check(trace, np.asfortranarray(a))


@pytest.mark.parametrize("dtypes", [(np.float64, np.float64), (np.float32, np.float32),
                                    (np.int64, np.int64), (np.int32, np.float64),
                                    (np.complex128, np.complex128)])
@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4, 3)), ((3, 4), (4,)),
                                    ((5,), (5,))])
def test_matmul(dtypes, shapes):
    a = (RNG.standard_normal(shapes[0]) * 3).astype(dtypes[0])
    b = (RNG.standard_normal(shapes[1]) * 3).astype(dtypes[1])
    _check(matmul, a, b, rtol=_rtol(dtypes[0]) * 10)
    if a.ndim == 2:
        _check(matmul, a.T.copy().T, b, rtol=_rtol(dtypes[0]) * 10)      # F order


def test_matmul_shape_mismatch():
    with pytest.raises(ValueError):
        matmul(np.ones((2, 3)), np.ones((2, 3)))


@numlir.njit
def nonzero(a):
    return np.nonzero(a)


@numlir.njit
def where1(a):
    return np.where(a)


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.bool_])
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 2)])
def test_nonzero_where(dtype, shape):
    a = (RNG.integers(-1, 2, size=shape)).astype(dtype)
    _check(nonzero, a)
    _check(where1, a)


@numlir.njit
def clip(a, lo, hi):
    return np.clip(a, lo, hi)


@numlir.njit
def clip_forms(a, lo, hi, out):
    return np.clip(a, None, hi), np.clip(a, lo, None), np.clip(a, lo, hi, out), np.clip(a * 2, 1, 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.uint8])
def test_clip(dtype):
    a = (RNG.standard_normal((3, 4)) * 5).astype(dtype)
    lo, hi = dtype(1), dtype(3)
    _check(clip, a, lo, hi)
    _check(clip, a, hi, lo)                                     # crossed bounds: hi wins
    _check(clip, a[:, ::2], a[0, :2].copy(), hi)               # array bound, broadcast
    _check(clip, a, a[:1] - dtype(1), a[:, :1] + dtype(1))
    _check(clip_forms, a, lo, hi, np.empty_like(a))


def test_clip_nan():
    a = np.array([np.nan, -1.0, 5.0, 0.5])
    _check(clip, a, 0.0, 1.0)
    _check(clip, a, np.array([0.0, np.nan, 0.0, 0.0]), 1.0)


@numlir.njit
def isclose(a, b):
    return np.isclose(a, b)


@numlir.njit
def isclose_opts(a, b):
    return np.isclose(a, b, 1e-3, 1e-6, True)


@numlir.njit
def allclose(a, b):
    return np.allclose(a, b), np.allclose(a, a, equal_nan=True), np.allclose(b, b)


_SPECIAL = [0.0, -0.0, 1.5, np.inf, np.inf, -np.inf, np.nan, np.nan, 1e-9, 3.0, 1.00001, 1e300]
_OTHER = [1e-9, 0.0, 1.5000001, np.inf, -np.inf, -np.inf, np.nan, 1.0, 0.0, np.nan, 1.0, 1.0001e300]


@pytest.mark.parametrize("dtype", FLOATS)
def test_isclose_allclose(dtype):
    a, b = np.array(_SPECIAL, dtype), np.array(_OTHER, dtype)
    _check(isclose, a, b)
    _check(isclose_opts, a, b)
    _check(isclose, a.reshape(3, 4), b[:4])           # broadcasting
    _check(allclose, a, b)
    _check(allclose, a[:3], a[:3] * (1 + 1e-7))
    _check(isclose, 1.0, 1.0 + 1e-9)
    _check(isclose, np.arange(4), 2)


# -- ufuncs ----------------------------------------------------------------------------------------
@numlir.njit
def int_ufuncs(a, b):
    return np.gcd(a, b), np.lcm(a, b), np.divmod(a, b)


@numlir.njit
def float_ufuncs(a, b, e):
    return (np.nextafter(a, b), np.spacing(a), np.ldexp(a, e), np.frexp(a), np.modf(a),
            np.divmod(a, b))


@numlir.njit
def scalar_ufuncs(x, y, i, j):
    return (np.gcd(i, j), np.lcm(i, j), np.nextafter(x, y), np.spacing(x), np.ldexp(x, i),
            np.frexp(x), np.modf(x), np.divmod(x, y), np.divmod(i, j))


@numlir.njit
def ufuncs_out(a, m, e, f):
    np.frexp(a, m, e)
    np.modf(a, f, m[::-1])
    return m, e, f


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint16, np.int8])
def test_int_ufuncs(dtype):
    info = np.iinfo(dtype)
    a = np.array([0, 12, 18, 7, 0, 5, 9, info.max, 1], dtype)
    b = np.array([0, 8, 12, 21, 5, 0, 6, 3, info.max], dtype)
    if info.min < 0:
        a[2], b[3] = -18, -21
    _check(int_ufuncs, a, b)
    _check(int_ufuncs, a.reshape(3, 3), b[:3])


@pytest.mark.parametrize("dtype", FLOATS)
def test_float_ufuncs(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    a = np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, tiny, -3 * tiny, 3.0,
                  np.finfo(dtype).max, 1e-3], dtype)
    b = np.array([1.0, -1.0, 2.0, 0.5, 1.0, 2.0, 0.0, -np.inf, 0.0, -0.0, np.inf, -7.0], dtype)
    e = np.array([0, 3, -2, 5, 1, -1, 2, 60, 2, -1000, -1, 2**40], np.int64)
    _check(float_ufuncs, a, b, e)
    _check(float_ufuncs, a.reshape(3, 4)[:, ::2], b[:2], e[:2].astype(np.int32))
    _check(float_ufuncs, RNG.standard_normal(50).astype(dtype) * 1e3,
           RNG.standard_normal(50).astype(dtype), RNG.integers(-20, 20, 50))


@pytest.mark.parametrize("x,y", [(1.5, -2.0), (-0.0, 0.0), (np.inf, 1.0), (np.nan, 1.0),
                                 (5e-324, 0.0), (-7.25, 0.0)])
def test_scalar_ufuncs(x, y):
    _check(scalar_ufuncs, x, y, 12, -18)
    _check(scalar_ufuncs, x, y, 0, 7)


def test_ufuncs_out():
    a = np.array([0.5, -3.0, 8.25, np.inf, -0.0, 1e-310])
    m, e, f = np.empty(6), np.empty(6, np.int32), np.empty(6)
    got = ufuncs_out(a, m, e, f)
    want = ufuncs_out.py_func(a, np.empty(6), np.empty(6, np.int32), np.empty(6))
    _same(got, want)
    assert np.shares_memory(got[0], m) and np.shares_memory(got[1], e)
