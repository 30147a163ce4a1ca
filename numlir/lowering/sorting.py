"""Sorting: ``a.sort()``, ``np.sort``, ``a.argsort()``/``np.argsort`` and ``np.unique``.

Numba's sorts are Python quicksorts that keep their partition stack in a run-time list, which numlir
does not have. Rather than adding lists for this, the rules here compile numlir's own Python helpers
(``ctx.call_python``): a stable bottom-up merge sort (insertion-sorted runs of 16, then merges
through one scratch buffer), in place along the last axis. Stable because argsort results then
match NumPy's ``kind="stable"`` exactly, and NumPy's default (an unstable introsort) wherever keys
are distinct; ``kind`` does not change the result. The order is NumPy's: NaNs last, complex
numbers lexicographically with NaNs last. A C library ``qsort`` would be neither stable nor
inlinable. ``argsort`` of n-d arrays (last axis; Numba types 1-d only) is typed by a numlir-target
``overload_method``, which ``np.argsort`` reaches through Numba's method redirection.
"""
from __future__ import annotations

import numpy as np
from numba.core import types
from numba.core.errors import TypingError
from numba.core.extending import overload_method

import numlir
from numlir.errors import UnsupportedError
from numlir.lowering.registry import lower

Arr = types.Array

# "x sorts before y" in NumPy's order, as Python expressions on scalars x, y
_LT = {
    "plain": "x < y",
    "float": "x < y or (y != y and x == x)",
    "complex": ("(x.real < y.real and (x.imag == x.imag or y.imag != y.imag))"
                " or (x.real > y.real and y.imag != y.imag and x.imag == x.imag)"
                " or ((x.real == y.real or (x.real != x.real and y.real != y.real))"
                " and (x.imag < y.imag or (y.imag != y.imag and x.imag == x.imag)))"
                " or (not (x.real < y.real or x.real > y.real or x.real == y.real)"
                " and x.real == x.real)"),
}

# sort(v, key) sorts the 1-d array v in place; keys compare key[v[i]] when ``indirect``
_SORT_SRC = """
def lt(x, y):
    return {lt}

def sort1d(v, key):
    n = v.shape[0]
    run = 16
    for lo in range(0, n, run):
        hi = min(lo + run, n)
        for i in range(lo + 1, hi):
            x = v[i]
            j = i - 1
            while j >= lo and lt({kx}, {kj}):
                v[j + 1] = v[j]
                j -= 1
            v[j + 1] = x
    if n <= run:
        return
    buf = np.empty(n, v.dtype)
    width = run
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i = lo
            j = mid
            k = lo
            while i < mid and j < hi:
                if lt({kvj}, {kvi}):
                    buf[k] = v[j]
                    j += 1
                else:
                    buf[k] = v[i]
                    i += 1
                k += 1
            while i < mid:
                buf[k] = v[i]
                i += 1
                k += 1
            while j < hi:
                buf[k] = v[j]
                j += 1
                k += 1
        for t in range(n):
            v[t] = buf[t]
        width *= 2
"""

_helpers = {}


def _kind(dtype):
    if isinstance(dtype, types.Complex):
        return "complex"
    if isinstance(dtype, types.Float):
        return "float"
    return "plain"


def _sorter(dtype, indirect):
    """``sort1d(v, key)`` for keys of ``dtype`` (direct: v holds the keys)."""
    k = (_kind(dtype), indirect)
    fn = _helpers.get(k)
    if fn is None:
        import numlir
        if indirect:
            subst = dict(kx="key[x]", kj="key[v[j]]", kvj="key[v[j]]", kvi="key[v[i]]")
        else:
            subst = dict(kx="x", kj="v[j]", kvj="v[j]", kvi="v[i]")
        ns = {"np": np}
        exec(_SORT_SRC.format(lt=_LT[k[0]], **subst), ns)   # noqa: S102 -- per-order helpers
        ns["lt"] = numlir.njit(ns["lt"])
        fn = _helpers[k] = numlir.njit(ns["sort1d"])
    return fn


def _sort_inplace_helper(dtype, ndim):
    k = ("inplace", _kind(dtype), ndim)
    fn = _helpers.get(k)
    if fn is None:
        sort1d = _sorter(dtype, False)
        if ndim == 1:
            def sort_inplace(a):
                sort1d(a, a)
        else:
            def sort_inplace(a):
                for idx in np.ndindex(a.shape[:-1]):
                    row = a[idx]
                    sort1d(row, row)
        fn = _helpers[k] = sort_inplace
    return fn


@lower("array.sort", Arr, types.StringLiteral)
def lower_array_sort(ctx, sig, args):
    arrty = sig.args[0]
    if arrty.ndim == 0:      # Numba's typing lets it through; NumPy raises AxisError
        raise UnsupportedError("sorting a 0-d array (it has no last axis)", sig.args, loc=ctx.loc)
    helper = _sort_inplace_helper(arrty.dtype, arrty.ndim)
    ctx.call_python(helper, sig.replace(args=(arrty,), return_type=types.none), [args[0]])
    return None


def _argsort_helper(dtype, ndim):
    k = ("argsort", _kind(dtype), ndim)
    fn = _helpers.get(k)
    if fn is None:
        sort1d = _sorter(dtype, True)
        if ndim == 1:
            def argsort(a):
                idx = np.arange(a.shape[0])
                sort1d(idx, a)
                return idx
        else:
            def argsort(a):
                out = np.empty(a.shape, np.intp)
                for pos in np.ndindex(a.shape[:-1]):
                    idx = out[pos]
                    for i in range(idx.shape[0]):
                        idx[i] = i
                    sort1d(idx, a[pos])
                return out
        fn = _helpers[k] = argsort
    return fn


@lower("array.argsort", Arr, types.Any)
@lower(np.argsort, Arr, types.Any)
def lower_argsort(ctx, sig, args):
    arrty = sig.args[0]
    return ctx.call_python(_argsort_helper(arrty.dtype, arrty.ndim),
                           sig.replace(args=(arrty,)), [args[0]])


_SORT_KINDS = ("quicksort", "mergesort", "heapsort", "stable")


@overload_method(Arr, "argsort", target="numlir")
def ol_array_argsort(a, kind="quicksort"):
    """Numba types ``argsort`` of 1-d arrays only; NumPy's (and numlir's) sorts the last axis.
    The kind must be a literal, and (stable merge sort) does not change the result."""
    if not isinstance(a, Arr):
        return None
    if a.ndim == 0:
        raise TypingError("argsort: axis -1 is out of bounds for a 0-d array")
    value = (kind.literal_value if isinstance(kind, types.StringLiteral)
             else kind.value if isinstance(kind, types.Omitted) else kind)
    if not (isinstance(value, str) and value in _SORT_KINDS):
        raise TypingError(f"argsort: kind must be a literal string of {_SORT_KINDS}")
    k = ("argsort-jit", _kind(a.dtype), a.ndim)
    helper = _helpers.get(k) or _helpers.setdefault(
        k, numlir.njit(_argsort_helper(a.dtype, a.ndim)))

    def impl(a, kind="quicksort"):
        return helper(a)
    return impl


def _unique_py(a):
    b = np.sort(a.ravel())
    n = b.size
    count = 0
    for i in range(n):
        if i == 0 or not (b[i] == b[i - 1] or (b[i] != b[i] and b[i - 1] != b[i - 1])):
            count += 1
    out = np.empty(count, b.dtype)
    k = 0
    for i in range(n):
        if i == 0 or not (b[i] == b[i - 1] or (b[i] != b[i] and b[i - 1] != b[i - 1])):
            out[k] = b[i]
            k += 1
    return out


@lower(np.unique, Arr)
def lower_unique(ctx, sig, args):
    """NumPy 2's ``np.unique``: sorted distinct values, NaNs collapsed into one (equal_nan)."""
    return ctx.call_python(_unique_py, sig, [args[0]])
