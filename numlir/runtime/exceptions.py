"""Exceptions raised by compiled code: a process-wide table of (class, constant args) by status.

A compiled function returns a non-zero i32 status instead of raising; the native entry point hands
the status to :func:`raise_status`, which raises the Python exception the source code named.
"""
from __future__ import annotations

import threading

_lock = threading.Lock()
_table = [None]            # code 0 means "no error"
_codes = {}


def register(exc_class, args=(), loc=None):
    """The status code for ``raise exc_class(*args)`` (codes are shared between functions)."""
    key = (exc_class, args)
    try:
        hash(key)
    except TypeError:
        key = (exc_class, repr(args))
    with _lock:
        code = _codes.get(key)
        if code is None:
            code = len(_table)
            _table.append((exc_class, args))
            _codes[key] = code
        return code


def raise_status(code):
    """Called by native entry points on a non-zero status: raise the recorded exception."""
    try:
        exc_class, args = _table[code]
    except (IndexError, TypeError):
        raise SystemError(f"numlir: compiled code returned unknown status {code}") from None
    raise exc_class(*args)
