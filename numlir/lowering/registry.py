"""The lowering registry: rules keyed by the Python object being lowered and by argument types.

``@lower(operator.add, types.Integer, types.Integer)`` registers a rule; a pattern is a Numba type
class (matched with ``isinstance``), a type instance (matched with ``==``) or ``types.Any``. A rule
is called as ``rule(ctx, sig, args)`` with ``args`` converted to ``sig.args``; it returns the
lowered value of ``sig.return_type``. ``@lower_cast(From, To)`` registers conversions, and
``@lower_getattr(TypeClass, "attr")`` attribute reads, called as
``rule(ctx, type, value, result_type)``.
"""
from __future__ import annotations

from numba.core import types


class _IterNext:
    """Key of the ``iternext`` IR operation: advance an iterator, giving (value, is_valid).
    The builtin ``next()`` (value or StopIteration) is keyed by ``next`` and built on it."""

    def __repr__(self):
        return "iternext"


ITERNEXT = _IterNext()

_rules = {}        # key -> [(patterns, varargs, fn)]
_casts = []        # [(from pattern, to pattern, fn)]
_getattrs = {}     # attr -> [(pattern, fn)]
_lookup_cache = {}


def _matches(pattern, ty):
    if pattern is types.Any:
        return True
    if isinstance(pattern, type):
        return isinstance(ty, pattern)
    return pattern == ty


def lower(key, *patterns, varargs=False):
    """Register ``fn`` as the lowering of ``key`` at argument types matching ``patterns``.

    With ``varargs=True`` the last pattern matches any number of trailing arguments.
    """
    def register(fn):
        _rules.setdefault(key, []).append((patterns, varargs, fn))
        _lookup_cache.clear()
        return fn
    return register


def lower_cast(from_pattern, to_pattern):
    def register(fn):
        _casts.append((from_pattern, to_pattern, fn))
        return fn
    return register


def lower_getattr(pattern, attr):
    def register(fn):
        _getattrs.setdefault(attr, []).append((pattern, fn))
        return fn
    return register


def _sig_matches(patterns, varargs, argtypes):
    if varargs:
        if len(argtypes) < len(patterns) - 1:
            return False
        fixed, rest = patterns[:-1], patterns[-1]
        return (all(_matches(p, t) for p, t in zip(fixed, argtypes))
                and all(_matches(rest, t) for t in argtypes[len(fixed):]))
    return len(patterns) == len(argtypes) and all(map(_matches, patterns, argtypes))


def find_rule(key, argtypes):
    """The most recently registered rule for ``key`` whose patterns match ``argtypes``, or None."""
    argtypes = tuple(argtypes)
    try:
        ck = (key, argtypes)
        hit = _lookup_cache.get(ck, False)
    except TypeError:          # unhashable key: no caching
        ck, hit = None, False
    if hit is not False:
        return hit
    found = None
    try:
        candidates = _rules.get(key, ())
    except TypeError:
        candidates = ()
    for patterns, varargs, fn in reversed(candidates):
        if _sig_matches(patterns, varargs, argtypes):
            found = fn
            break
    if ck is not None:
        _lookup_cache[ck] = found
    return found


def find_cast(fromty, toty):
    for fp, tp, fn in reversed(_casts):
        if _matches(fp, fromty) and _matches(tp, toty):
            return fn
    return None


def find_getattr(ty, attr):
    for pattern, fn in reversed(_getattrs.get(attr, ())):
        if _matches(pattern, ty):
            return fn
    return None
