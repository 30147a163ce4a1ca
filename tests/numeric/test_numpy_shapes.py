"""NumPy functions reaching Numba's small tuple/shape intrinsics and other pieces the coverage
report found missing, against NumPy: ``diff ediff1d flip rot90 swapaxes expand_dims atleast_Nd
ascontiguousarray asfortranarray nan_to_num cov corrcoef fill_diagonal round nanmean nanstd nanvar
real imag isreal iscomplex unwrap``, array comprehensions, slice constants and ``f(*args)``."""
import warnings

import numpy as np
import pytest

import numlir

RNG = np.random.default_rng(11)


def _same(got, want, rtol=1e-12):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, rtol)
        return
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape, (g.shape, w.shape)
    if isinstance(want, np.ndarray):
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
    np.testing.assert_allclose(g, w, rtol=rtol, atol=0, equal_nan=True)


def _check(fn, *args, rtol=1e-12):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        want = fn.py_func(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    got = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    _same(got, want, rtol)


ARRAYS = {
    "1d": RNG.standard_normal(7),
    "2d": RNG.standard_normal((3, 4)),
    "2d_F": np.asfortranarray(RNG.standard_normal((4, 3))),
    "2d_strided": RNG.standard_normal((5, 6))[::2, 1::2],
    "3d": RNG.standard_normal((2, 3, 4)),
}


@numlir.njit
def views(a):
    return (np.flip(a), np.expand_dims(a, 0), np.expand_dims(a, -1), np.atleast_1d(a),
            np.atleast_2d(a), np.atleast_3d(a), np.ascontiguousarray(a), np.asfortranarray(a),
            np.diff(a), np.real(a), np.imag(a), np.isreal(a), np.iscomplex(a), np.round(a, 2),
            np.around(a))


@numlir.njit
def matrix_views(a):
    return np.rot90(a), np.swapaxes(a, 0, 1), np.swapaxes(a, -1, 0)


@pytest.mark.parametrize("kind", list(ARRAYS))
def test_views(kind):
    a = ARRAYS[kind]
    _check(views, a)
    if a.ndim >= 2:
        _check(matrix_views, a)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.float32])
def test_int_and_float32_views(dtype):
    a = (RNG.standard_normal((3, 5)) * 10).astype(dtype)
    _check(views, a)
    _check(matrix_views, a)


@numlir.njit
def atleast_many(a, b, c):
    return np.atleast_1d(a, b, c), np.atleast_2d(a, b), np.atleast_3d(b, c)


def test_atleast_several_arrays():
    _check(atleast_many, np.array(2.5), ARRAYS["1d"], ARRAYS["3d"])


@numlir.njit
def expand_bad(a, axis):
    return np.expand_dims(a, axis)


@numlir.njit
def swap_bad(a, axis):
    return np.swapaxes(a, axis, 0)


def test_axis_errors():
    with pytest.raises(ValueError):
        expand_bad(np.ones(3), 3)
    with pytest.raises(ValueError):
        swap_bad(np.ones((2, 2)), -3)


@numlir.njit
def ediff(a):
    return np.ediff1d(a)


@numlir.njit
def stats(a):
    return (np.nan_to_num(a), np.nanmean(a), np.nanstd(a), np.nanvar(a),
            np.unwrap(a.astype(np.float64) * 4))     # Numba: float64 for float32 too


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_stats(dtype):
    a = (RNG.standard_normal(9) * 3).astype(dtype)
    a[[1, 5]] = np.nan
    a[3], a[7] = np.inf, -np.inf
    b = np.where(np.isfinite(a), a, 1.0).astype(dtype)
    _check(stats, b, rtol=1e-5 if dtype == np.float32 else 1e-12)
    _check(ediff, a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(np.asarray(stats(a)[0]), np.nan_to_num(a))


@numlir.njit
def covariance(a):
    return np.cov(a), np.corrcoef(a)


@numlir.njit
def fill(a, v):
    np.fill_diagonal(a, v)
    return a


@pytest.mark.parametrize("shape", [(3, 5), (4, 4), (1, 6)])
def test_cov_fill_diagonal(shape):
    a = RNG.standard_normal(shape)
    if shape[0] > 1:            # Numba refuses one row (ambiguous typing)
        _check(covariance, a)
    _check(fill, a, 7.5)
    _check(fill, np.zeros(shape, np.int64), 3)


# -- language pieces the library needed -----------------------------------------------------------
STEP_BACK = slice(None, None, -2)
TAIL = slice(1, None)


@numlir.njit
def slice_constants(a):
    return a[STEP_BACK], a[TAIL], a[TAIL][STEP_BACK]


@numlir.njit
def comprehension(a):
    return np.array([x * 2.0 for x in a])


@numlir.njit
def add3(a, b, c):
    return a + 2 * b + 3 * c


@numlir.njit
def star_call(t, a, pair):
    return add3(*t), add3(a, *pair), max(*t)


def test_language_pieces():
    a = np.arange(9.0)
    _check(slice_constants, a)
    _check(comprehension, a[::2])
    assert star_call((1, 2, 3), 10, (4, 5)) == star_call.py_func((1, 2, 3), 10, (4, 5))


@numlir.njit
def broadcast_to(a, shape):
    return np.broadcast_to(a, shape)


@pytest.mark.parametrize("a,shape", [(np.arange(3.0), (2, 3)),
                                     (np.arange(3.0).reshape(3, 1), (2, 3, 4)),
                                     (np.arange(6.0).reshape(2, 3)[:, ::2], (4, 2, 2))])
def test_broadcast_to(a, shape):
    _check(broadcast_to, a, shape)


def test_broadcast_to_mismatch():
    with pytest.raises(ValueError):
        broadcast_to(np.arange(3.0), (2, 4))


G2 = np.arange(12.0).reshape(3, 4)
G2_F = np.asfortranarray(G2)
G_BOOL = np.array([True, False, True])
G_I32 = np.array([5, -6, 7], np.int32)


@numlir.njit
def global_arrays(x, n):
    s = 0.0
    for i in range(n):                      # referenced inside a loop: one global per module
        s += G2[i % 3, i % 4]
    return (G2 * x).sum() + G2_F[1, 2] + G_BOOL.sum() + G_I32[1] + s, G2_F.T.copy(), G2[1:, ::2]


def test_global_array_constants():
    _check(global_arrays, 2.5, 10)
    assert not global_arrays(1.0, 1)[2].flags.writeable      # Numba types them read-only


@numlir.njit
def kaiser(n, beta):
    return np.kaiser(n, beta)


def test_kaiser():                          # Numba's implementation holds constant arrays
    _check(kaiser, 7, 2.5)


@numlir.njit
def take(a, idx):
    return np.take(a, idx)


@numlir.njit
def index_by_0d(a, idx):
    s = 0.0
    for x in np.nditer(idx):                # x: a 0-d integer array
        s += a[x].sum() + a[x, -1]
    return s


def test_take_and_0d_index_arrays():
    m = np.arange(12.0).reshape(3, 4)
    _check(take, m, np.array([[3, 0, 11], [5, -1, 4]]))
    _check(take, m[:, ::2], np.array([0, 5, 2]))
    _check(index_by_0d, m, np.array([0, 2, -1]))


@numlir.njit
def zips(a, b, n, t):
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    for i, x, y in zip(range(n), t, a):
        s += i * 100 + x * 10 + y
    for row, k in zip(b.reshape(2, -1), range(5)):
        s += row.sum() * k
    return s


def test_zip():
    _check(zips, np.arange(5.0), np.arange(6.0), 4, (1, 2, 3))
    _check(zips, np.arange(3.0), np.arange(2.0), 0, (1, 2, 3))
