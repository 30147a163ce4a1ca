"""``@njit`` / ``@jit``: Numba's decorator signatures, returning a numlir Dispatcher."""
from __future__ import annotations

from numlir.frontend.dispatcher import Dispatcher

# every option numba.njit accepts (those numlir has no use for are accepted and ignored)
_OPTIONS = {"parallel", "fastmath", "boundscheck", "cache", "nogil", "error_model", "inline",
            "nopython", "forceobj", "locals", "debug", "forceinline", "looplift", "no_rewrites",
            "no_cpython_wrapper", "no_cfunc_wrapper", "_nrt", "_dbg_extend_lifetimes",
            "_dbg_optnone"}


def njit(signature_or_function=None, **options):
    """Compile a function to native code on first call (or eagerly for explicit signatures).

    ``@njit``, ``@njit(parallel=True)``, ``@njit("float64(float64, int64)")`` and
    ``@njit(["int64(int64)", "float64(float64)"])`` behave as in Numba.
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise KeyError(f"unknown njit options: {sorted(unknown)}")
    locals_ = options.pop("locals", {})
    sigs = None
    if signature_or_function is None or callable(signature_or_function) is False:
        if signature_or_function is not None:
            sigs = (signature_or_function if isinstance(signature_or_function, list)
                    else [signature_or_function])

    def wrap(fn):
        disp = Dispatcher(fn, targetoptions=options, locals=locals_)
        if sigs:
            disp.add_signatures(sigs)
        return disp

    if callable(signature_or_function) and not isinstance(signature_or_function, str):
        return wrap(signature_or_function)
    return wrap


def jit(signature_or_function=None, **options):
    """``numba.jit`` spelling; numlir has no object mode, so this is :func:`njit`."""
    options.pop("nopython", None)
    options.pop("forceobj", None)
    return njit(signature_or_function, **options)
