"""Comparison helpers for the differential tests: run a function and its oracle, compare outcomes.

An outcome is a returned value or a raised exception (type and message). Values compare exactly by
default, floats to a tolerance when asked; NaN equals NaN, zeros compare by sign, and the Python
type class must match (int result -> int, float -> float, bool -> bool, complex -> complex).
"""
from __future__ import annotations

import math
import warnings

import numba

import numlir


class Raised:
    """An exception as an outcome: compared by type and message. Typing errors (Numba's or numlir's)
    compare equal to each other whatever their text: both compilers rejected the signature."""

    def __init__(self, exc):
        if isinstance(exc, (numba.core.errors.TypingError, numlir.TypingError)):
            self.type, self.msg = "TypingError", ""
        else:
            self.type, self.msg = type(exc), str(exc)

    def __eq__(self, other):
        return isinstance(other, Raised) and (self.type, self.msg) == (other.type, other.msg)

    def __repr__(self):
        name = getattr(self.type, "__name__", self.type)
        msg = self.msg if len(self.msg) < 300 else self.msg[:300] + "..."
        return f"raise {name}({msg!r})"


def outcome(fn, *args):
    """``fn(*args)`` or the exception it raised (NumPy overflow warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args)
        except Exception as exc:       # noqa: BLE001 -- the exception is the outcome
            return Raised(exc)


_numba_cache = {}


def numba_of(fn):
    """``numba.njit(fn)``, one dispatcher per Python function (Numba is the semantic reference)."""
    disp = _numba_cache.get(fn)
    if disp is None:
        disp = _numba_cache[fn] = numba.njit(fn)
    return disp


def python_then_numba(fn):
    """Oracle for ``fn`` (a compiled function): Python's outcome, or Numba's where Python raises a
    domain or range error (ValueError, OverflowError), where numlir follows Numba (nan, inf)."""
    numba_fn = numba_of(fn.py_func)

    def oracle(*args):
        want = outcome(fn.py_func, *args)
        if isinstance(want, Raised) and want.type in (ValueError, OverflowError):
            return outcome(numba_fn, *args)
        return want
    oracle.__name__ = fn.py_func.__name__
    return oracle


def _ulp_distance_ok(got, want, rel, ulps):
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want) or math.isinf(got) or want == 0.0 and got == 0.0:
        return got == want and (want != 0.0 or math.copysign(1, got) == math.copysign(1, want))
    if rel == 0 and ulps == 0:
        return got == want
    return abs(got - want) <= max(rel * abs(want), ulps * math.ulp(want))


def same(got, want, rel=0.0, ulps=0):
    """True when ``got`` matches ``want`` in type class and value (see module docstring)."""
    if isinstance(want, Raised) or isinstance(got, Raised):
        return want == got
    if isinstance(want, tuple):
        return (type(got) is tuple and len(got) == len(want)
                and all(same(g, w, rel, ulps) for g, w in zip(got, want)))
    if type(got) is not type(want):
        return False
    if isinstance(want, float):
        return _ulp_distance_ok(got, want, rel, ulps)
    if isinstance(want, complex):
        return (_ulp_distance_ok(got.real, want.real, rel, ulps)
                and _ulp_distance_ok(got.imag, want.imag, rel, ulps))
    return got == want


def check_many(compiled, oracle, argsets, rel=0.0, ulps=0):
    """Assert ``compiled(*args)`` has the outcome of ``oracle(*args)`` for every tuple of
    ``argsets``; reports every mismatch at once."""
    bad = []
    for args in argsets:
        want = outcome(oracle, *args)
        got = outcome(compiled, *args)
        if not same(got, want, rel, ulps):
            bad.append(f"  {args!r}: got {got!r}, expected {want!r}")
    assert not bad, (f"{getattr(oracle, '__name__', oracle)}: {len(bad)} of {len(argsets)} differ\n"
                     + "\n".join(bad[:12]))
