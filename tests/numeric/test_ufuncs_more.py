"""The comparison, logical, bitwise and further math ufuncs (``lowering/ufunc_more.py``) on arrays
and scalars against NumPy (values and dtypes; inputs include inf, nan, -0.0 and zero divisors)."""
import warnings

import numpy as np
import pytest

import numlir


@numlir.njit
def float_ufuncs(a, b):
    return (np.equal(a, b), np.less_equal(a, b), np.greater(a, b), np.logical_and(a, b),
            np.logical_xor(a, b), np.logical_not(a), np.positive(a), np.square(a),
            np.reciprocal(b), np.cbrt(a), np.exp2(a), np.rint(a), np.sign(a), np.fmin(a, b),
            np.fmax(a, b), np.fmod(a, b), np.copysign(a, b), np.deg2rad(a), np.rad2deg(a),
            np.degrees(a), np.radians(a), np.arcsinh(a), np.arccosh(np.abs(a) + 1),
            np.arctanh(a / 10), np.logaddexp(a, b), np.logaddexp2(a, b), np.signbit(a),
            np.float_power(np.abs(a), b))


@numlir.njit
def int_ufuncs(a, b):
    return (np.not_equal(a, b), np.less(a, b), np.greater_equal(a, b), np.bitwise_and(a, b),
            np.bitwise_or(a, b), np.bitwise_xor(a, b), np.invert(a), np.left_shift(a, 2),
            np.right_shift(a, 1), np.logical_or(a, b), np.positive(a), np.square(a),
            np.reciprocal(a), np.sign(a), np.fmin(a, b), np.fmax(a, b), np.fmod(a, b))


@numlir.njit
def scalar_ufuncs(x, y):
    return (np.logaddexp(x, y), np.copysign(x, y), np.fmax(x, y), np.sign(x), np.square(x),
            np.logical_and(x, y), np.rint(x), np.signbit(x))


def _compare(got, want, rtol):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        g, w = np.asarray(g), np.asarray(w)
        if w.ndim:
            assert g.dtype == w.dtype, f"result {i}: dtype {g.dtype}, expected {w.dtype}"
        if w.dtype.kind in "fc":
            np.testing.assert_allclose(g, w, rtol=rtol, atol=0, equal_nan=True,
                                       err_msg=f"result {i}")
        else:
            np.testing.assert_array_equal(g, w, err_msg=f"result {i}")


def _numpy(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn.py_func(*args)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float_ufuncs(dtype):
    a = np.array([0.0, -0.0, 1.5, -2.25, 3.0, np.inf, -np.inf, np.nan, 7.5, -0.5], dtype)
    b = np.array([1.0, 2.0, 0.0, -1.5, 3.0, 2.0, np.inf, 1.0, -0.0, 4.0], dtype)
    _compare(float_ufuncs(a, b), _numpy(float_ufuncs, a, b),
             rtol=4e-6 if dtype == np.float32 else 1e-13)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_int_ufuncs(dtype):
    a = np.array([0, 1, 5, 7, 100, 3, 2, 9], dtype)
    b = np.array([1, 0, 3, 7, 6, 2, 5, 4], dtype)
    if np.dtype(dtype).kind == "i":
        a[::3] = -a[::3]
    _compare(int_ufuncs(a, b), _numpy(int_ufuncs, a, b), rtol=0)


@pytest.mark.parametrize("x,y", [(1.5, -2.0), (-0.0, 0.0), (np.inf, np.inf), (np.nan, 1.0)])
def test_scalar_ufuncs(x, y):
    _compare(scalar_ufuncs(x, y), _numpy(scalar_ufuncs, x, y), rtol=1e-13)


@numlir.njit
def complex_ufuncs(c, x):
    return (np.abs(c), np.sqrt(c), np.exp(c), np.log(c), np.sin(c), np.conj(c), np.isfinite(c),
            np.absolute(c) + np.angle(c), np.tanh(c), c * x + 1j)


def test_complex_array_ufuncs():
    c = np.array([1 + 2j, -1j, 3, 0.5 + 0.5j, -2 - 0.25j])
    x = np.linspace(0.5, 2, 5)
    _compare(complex_ufuncs(c, x), _numpy(complex_ufuncs, c, x), rtol=1e-12)


@numlir.njit
def ufunc_with_error_in_body(a):
    return np.power(a, 2) + a ** 3


def test_integer_power_in_a_fused_body():
    a = np.arange(-3, 4)
    _compare((ufunc_with_error_in_body(a),), (_numpy(ufunc_with_error_in_body, a),), rtol=0)
