"""Shared helpers of the ``test_array_*`` differential tests (no tests here).

Every test compiles a module-level ``@numlir.njit`` function once per signature and runs the same
Python function uncompiled (``fn.py_func``) on equal inputs: NumPy is the oracle. A result compares
equal when it has the same structure (tuple / array / scalar), arrays have the same dtype, shape,
values (NaN equal to NaN) and, where asked, strides; scalars the same value and the same type class
(bool / integer / float / complex: Numba returns Python scalars where NumPy returns NumPy scalars).
``np.shares_memory(result, input)`` must match NumPy's for every returned array and every input.
"""
from __future__ import annotations

import warnings

import numpy as np

# dtype classes of the grid
DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float32, np.float64,
          np.complex128]
DTYPE_IDS = [np.dtype(d).name for d in DTYPES]

LAYOUTS = ["C", "F", "strided", "T", "broadcast"]


def sample(shape, dtype, start=1):
    """Distinct values (as far as the dtype allows) of ``dtype`` in C order, from ``start``."""
    n = int(np.prod(shape, dtype=np.int64))
    v = np.arange(start, start + n)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        v = v % 3 == 0
    elif dt.kind in "iu":
        v = v % min(int(np.iinfo(dt).max), 120)
        if dt.kind == "i":
            v = v * np.where(v % 2 == 0, 1, -1)
    elif dt.kind == "f":
        v = v * 0.5 - 3.25
    elif dt.kind == "c":
        v = v * (0.5 - 0.25j) + 1j
    return v.astype(dt).reshape(shape)


def layout(shape, dtype, kind, start=1):
    """An array of ``shape`` and ``dtype`` in memory layout ``kind``:

    ``C``: C-contiguous; ``F``: Fortran-contiguous (``np.asfortranarray``); ``strided``: a view
    ``base[::2, ::-1, ...]`` of a bigger array (positive and negative strides, not contiguous);
    ``T``: the transpose of a ``strided`` view of the reversed shape (the transpose of a C array
    would just be an F array); ``broadcast``: ``np.broadcast_to``
    of a smaller array (stride 0 on axis 0; read-only).
    """
    shape = tuple(shape)
    if kind == "C":
        return sample(shape, dtype, start)
    if kind == "F":
        return np.asfortranarray(sample(shape, dtype, start))
    if kind == "strided":
        if not shape:
            return sample(shape, dtype, start)
        big = list(shape)
        big[0] = 2 * shape[0]
        base = sample(tuple(big), dtype, start)
        idx = (slice(None, None, 2),) + (slice(None, None, -1),) * (len(shape) - 1)
        out = base[idx]
        assert out.shape == shape
        return out
    if kind == "T":
        return layout(shape[::-1], dtype, "strided", start).T
    if kind == "broadcast":
        if not shape:
            return np.broadcast_to(sample((), dtype, start), ())
        return np.broadcast_to(sample(shape[1:], dtype, start), shape)
    raise ValueError(kind)


def _kind(x):
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, (int, np.integer)):
        return "int"
    if isinstance(x, (float, np.floating)):
        return "float"
    if isinstance(x, (complex, np.complexfloating)):
        return "complex"
    return type(x).__name__


def _same_scalar(got, want):
    if _kind(got) != _kind(want):
        return False
    if _kind(want) == "complex":
        return _same_scalar(got.real, want.real) and _same_scalar(got.imag, want.imag)
    if _kind(want) == "float" and np.isnan(want):
        return bool(np.isnan(got))
    return got == want


def assert_same(got, want, strides=True, path="result"):
    """``got`` (numlir) equals ``want`` (NumPy): see the module docstring."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple), f"{path}: got {type(got).__name__}, expected a tuple"
        assert len(got) == len(want), f"{path}: tuple of {len(got)}, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, strides, f"{path}[{i}]")
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{path}: got {type(got).__name__} {got!r}, expected " \
                                            f"an ndarray"
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype}, expected {want.dtype}"
        assert got.shape == want.shape, f"{path}: shape {got.shape}, expected {want.shape}"
        np.testing.assert_array_equal(got, want, err_msg=path, strict=True)
        if strides and want.size > 1:
            # the stride of a length-1 axis is meaningless (NumPy itself varies there)
            gs = [s for s, n in zip(got.strides, got.shape) if n > 1]
            ws = [s for s, n in zip(want.strides, want.shape) if n > 1]
            assert gs == ws, f"{path}: strides {got.strides}, expected {want.strides}"
        return
    if isinstance(want, np.dtype):
        assert got == want, f"{path}: {got!r}, expected {want!r}"
        return
    assert _same_scalar(got, want), f"{path}: got {got!r} ({type(got).__name__}), expected " \
                                    f"{want!r} ({type(want).__name__})"


def _arrays(x):
    if isinstance(x, tuple):
        return [a for item in x for a in _arrays(item)]
    return [x] if isinstance(x, np.ndarray) else []


def sharing(result, inputs):
    """For every returned array: which of the input arrays it shares memory with."""
    ins = [a for a in inputs if isinstance(a, np.ndarray)]
    return [[bool(np.shares_memory(r, a)) for a in ins] for r in _arrays(result)]


def run(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args), None
        except Exception as exc:      # noqa: BLE001 -- the exception is the outcome
            return None, exc


def check(compiled, *args, strides=True, raises=None):
    """``compiled(*args)`` against ``compiled.py_func(*args)`` on the same (unmodified) inputs."""
    saved = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    want, wexc = run(compiled.py_func, *args)
    got, gexc = run(compiled, *args)
    if wexc is not None or gexc is not None:
        if gexc is not None and wexc is None:
            raise gexc
        assert gexc is not None, f"numlir returned {got!r}; NumPy raised {wexc!r}"
        expected = raises or type(wexc)
        assert isinstance(gexc, expected), f"numlir raised {gexc!r}; NumPy raised {wexc!r}"
        return gexc
    assert_same(got, want, strides)
    assert sharing(got, args) == sharing(want, args), \
        f"shares_memory(result, inputs): numlir {sharing(got, args)}, NumPy {sharing(want, args)}"
    for a, s in zip(args, saved):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, s, err_msg="an input was modified", strict=True)
    return got


def check_mutating(compiled, make, strides=True):
    """``make()`` builds fresh inputs; the function runs on one set uncompiled and on another
    compiled; results and the inputs after the call must be equal."""
    a_want, a_got = make(), make()
    want, wexc = run(compiled.py_func, *a_want)
    got, gexc = run(compiled, *a_got)
    if wexc is not None or gexc is not None:
        if gexc is not None and wexc is None:
            raise gexc
        assert gexc is not None, f"numlir returned {got!r}; NumPy raised {wexc!r}"
        assert isinstance(gexc, type(wexc)), f"numlir raised {gexc!r}; NumPy raised {wexc!r}"
        return gexc
    assert_same(got, want, strides)
    for i, (g, w) in enumerate(zip(a_got, a_want)):
        if isinstance(w, np.ndarray):
            assert_same(g, w, strides, f"argument {i} after the call")
    if a_got:
        assert sharing(got, a_got) == sharing(want, a_want)
    return got
