"""numlir's user-facing errors: one uniform error for anything the compiler does not support."""
from __future__ import annotations

import inspect


class NumlirError(Exception):
    """Base class of numlir's compile-time errors."""


class UnsupportedError(NumlirError, TypeError):
    """A construct, or a construct at these argument types, that numlir cannot compile.

    The message names the operation, the argument types and the source file:line.
    """

    def __init__(self, what, argtypes=(), loc=None, detail=None):
        self.what, self.argtypes, self.loc = what, tuple(argtypes), loc
        msg = f"numlir does not support {what}"
        if self.argtypes:
            msg += f" with argument types ({', '.join(map(str, self.argtypes))})"
        if detail:
            msg += f": {detail}"
        if loc is not None:
            msg += f"\n  at {format_loc(loc)}"
        super().__init__(msg)


    def add_call_site(self, loc):
        """Name the (user's) call through which an unsupported implementation was reached."""
        if loc is not None:
            self.args = (f"{self.args[0]}\n  reached from {format_loc(loc)}",) + self.args[1:]

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class PassFailure(NumlirError):
    """An MLIR pass pipeline failed; the message names the reproducer written to disk."""


def format_loc(loc):
    """``file:line`` (and the source line, when known) of a Numba ``ir.Loc``."""
    import linecache
    text = f"{loc.filename}:{loc.line}"
    line = linecache.getline(loc.filename or "", loc.line or 0).strip()
    return f"{text}: {line}" if line else text


def translate_typing_error(err, py_func):
    """Numba's TypingError, re-raised as numlir's TypingError with the function named."""
    try:
        where = f"{inspect.getsourcefile(py_func)}:{py_func.__code__.co_firstlineno}"
    except TypeError:
        where = py_func.__qualname__
    return TypingError(f"numlir could not type {py_func.__qualname__} ({where}):\n{err}")


class TypingError(NumlirError, TypeError):
    """Type inference failed (from Numba's frontend), re-raised with the function's location."""
