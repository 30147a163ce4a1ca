"""numlir: a just-in-time compiler for numerical Python with Numba's API, built on MLIR."""
from __future__ import annotations

from numba import prange
from numba.core.typing.typeof import typeof

from numlir import config
from numlir.decorators import jit, njit
from numlir.errors import NumlirError, TypingError, UnsupportedError
from numlir.runtime.threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

__all__ = ["njit", "jit", "prange", "typeof", "config", "NumlirError", "TypingError",
           "UnsupportedError", "get_num_threads", "set_num_threads", "__version__"]
