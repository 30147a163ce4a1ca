"""Streaming (non-temporal) stores of large fresh array-expression outputs
(``numlir/passes/nontemporal.py``) against NumPy: lengths around the vector width on both sides
of the size threshold, float32/float64/int/bool results, 2-d outputs with aligned and unaligned
rows, non-contiguous and aliasing inputs, broadcasting, and which loops get the NT version.

``NT_BYTES`` is read when a function compiles, so each test compiles its own dispatchers under
``config.override`` with a tiny threshold (64 bytes) to keep arrays small.
"""
import warnings

import numpy as np
import pytest

import numlir
from numlir import config

SMALL = 64        # bytes: 8 float64 or 16 float32 elements reach the NT path


def triad(a, b):
    return a + 2.5 * b


def sqrt_abs(a, b):
    t = a * b
    u = t + a
    return np.sqrt(np.abs(u * u - t))


def extremes(a, b):
    return np.minimum(a, b) * 2 + np.maximum(a, -b)


def select(a, b):
    return np.where(a > b, a - b, b * 3)


def compare(a, b):
    return a * b - 4.1 * a > 2.5 * b


def squares(a, b):
    return np.sqrt(a ** 2 + b ** 2)


def with_exp(a, b):
    return np.exp(a) + b


def ints(a, b):
    return a * 3 + (b & 7) - (a ^ b)


EXPRS = [triad, sqrt_abs, extremes, select, compare, squares, with_exp]


def _compile(pyfunc, nt_bytes=SMALL, **opts):
    """A fresh dispatcher compiled on its first call under ``NT_BYTES=nt_bytes``."""
    jitted = numlir.njit(**opts)(pyfunc)

    def call(*args):
        with config.override(NT_BYTES=nt_bytes):
            return jitted(*args)
    call.jitted = jitted
    return call


def _check(fn, pyfunc, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        want = pyfunc(*args)
    got = fn(*args)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.dtype, want.dtype)
    if want.dtype.kind == "f":
        rtol = 1e-5 if want.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, want, rtol=rtol, atol=0, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def _inputs(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return ((rng.random(n) - 0.3).astype(dtype), (rng.random(n) - 0.6).astype(dtype))


@pytest.mark.parametrize("pyfunc", EXPRS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lengths_around_vector_width(pyfunc, dtype):
    fn = _compile(pyfunc)
    for n in range(71):
        _check(fn, pyfunc, *_inputs(n, dtype, seed=n))


def test_integers():
    fn = _compile(ints)
    for n in range(0, 71, 3):
        rng = np.random.default_rng(n)
        a, b = rng.integers(-100, 100, n), rng.integers(-100, 100, n)
        _check(fn, ints, a, b)
        _check(fn, ints, a.astype(np.int32), b.astype(np.int32))


@pytest.mark.parametrize("nt_bytes", [0, 1 << 30, SMALL])
def test_thresholds(nt_bytes):
    """Below, above, and with the pass disabled (0) the results are NumPy's."""
    fn = _compile(triad, nt_bytes)
    for n in (0, 7, 8, 9, 1000):
        _check(fn, triad, *_inputs(n, np.float64))


def test_default_threshold_large():
    """600k float64 (4.8 MB) is above the default 4 MiB."""
    fn = _compile(sqrt_abs, config.NT_BYTES or 4 << 20)
    _check(fn, sqrt_abs, *_inputs(600_000, np.float64))


@pytest.mark.parametrize("shape", [(5, 4), (5, 3), (3, 17), (4, 8), (2, 1), (0, 8), (8, 0),
                                   (33, 16)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_two_dimensional(shape, dtype):
    """Every row streams from its first 32-byte aligned element (a scalar peel before it)."""
    for pyfunc in (triad, select, compare):
        fn = _compile(pyfunc)
        rng = np.random.default_rng(1)
        a, b = (rng.random(shape) - 0.5).astype(dtype), (rng.random(shape) - 0.5).astype(dtype)
        _check(fn, pyfunc, a, b)
        _check(fn, pyfunc, a.T, b.T)               # Fortran-ordered result
        _check(fn, pyfunc, np.asfortranarray(a), b)


def test_non_contiguous_inputs():
    fn = _compile(sqrt_abs)
    a, b = _inputs(301, np.float64)
    _check(fn, sqrt_abs, a[::2], b[::2])
    _check(fn, sqrt_abs, a[:0:-1], b[1:])
    m = np.arange(40.0).reshape(5, 8)
    _check(fn, sqrt_abs, m[:, ::2], m[:, 1::2])
    _check(fn, sqrt_abs, m[1:, :4], m[:4, 4:])


def test_aliasing_and_offset_inputs():
    fn = _compile(triad)
    a, _ = _inputs(203, np.float64)
    _check(fn, triad, a, a)
    _check(fn, triad, a[1:], a[:-1])            # unaligned input starts
    _check(fn, triad, a[3:100], a[50:147])


def test_broadcasting():
    fn = _compile(triad)
    a, b = _inputs(24, np.float64)
    m = a.reshape(3, 8)
    _check(fn, triad, m, b[:8])
    _check(fn, triad, m, b[:1])                 # stretched at run time: the twin loop
    _check(fn, triad, a[:3].reshape(3, 1), b[:8].reshape(1, 8))
    _check(fn, triad, m, np.float64(2.0) * np.ones((1, 8)))


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_parallel_results(threads):
    """Chunks are slices starting anywhere: each peels to alignment, then streams."""
    old = numlir.get_num_threads()
    numlir.set_num_threads(threads)
    try:
        fn = _compile(sqrt_abs, parallel=True)
        for n in (0, 9, 1000, 100_001):
            _check(fn, sqrt_abs, *_inputs(n, np.float64))
        fn = _compile(triad, parallel=True)
        for shape in ((64, 1001), (3, 30_001), (20_003, 3)):
            rng = np.random.default_rng(2)
            for dtype in (np.float64, np.float32):
                a, b = rng.random(shape).astype(dtype), rng.random(shape).astype(dtype)
                _check(fn, triad, a, b)
    finally:
        numlir.set_num_threads(old)


def _bufferized(pyfunc, nt_bytes=SMALL, dtype=np.float64, **opts):
    fn = _compile(pyfunc, nt_bytes, **opts)
    fn(*_inputs(10, dtype))
    with config.override(NT_BYTES=nt_bytes):
        return fn.jitted.inspect_mlir(stage="bufferize")


@pytest.mark.parametrize("pyfunc", [triad, sqrt_abs, extremes, select, compare, squares],
                         ids=lambda f: f.__name__)
def test_streaming_loop_exists(pyfunc):
    for dtype in (np.float32, np.float64):
        if dtype == np.float64 and pyfunc in (sqrt_abs, squares):
            continue
        text = _bufferized(pyfunc, dtype=dtype)
        assert "nontemporal = true" in text
        assert text.count("sfence") == 1


def test_loops_left_alone():
    assert "nontemporal" not in _bufferized(with_exp)       # exp: a libm call per lane
    assert "nontemporal" not in _bufferized(triad, 0)       # disabled
    assert "nontemporal" not in _bufferized(squares)        # float64 sqrt: slower as vectors
    assert "nontemporal" in _bufferized(triad, parallel=True)  # each chunk peels to alignment
