"""Thread control for ``parallel=True`` code: how many chunks a ``prange`` loop is split into.

The worker threads are those of MLIR's async runtime (``libmlir_async_runtime.so``, shipped in the
MLIR wheel): a process-wide pool with one thread per hardware thread, created on the first parallel
region. Generated code reads the requested thread count from one process-wide 64-bit slot whose
address is embedded in the code, so ``set_num_threads`` takes effect on the next region of every
compiled function without recompiling.
"""
from __future__ import annotations

import ctypes
import os

from numlir import config

_slot = ctypes.c_int64(0)
_runtime = []


def default_num_threads():
    """``NUMLIR_NUM_THREADS`` if set, else the CPUs this process may run on."""
    if config.NUM_THREADS:
        return config.NUM_THREADS
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def set_num_threads(n):
    """Run parallel regions on at most ``n`` threads (process-wide; ``n >= 1``)."""
    import operator
    try:
        if isinstance(n, bool):
            raise TypeError
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"set_num_threads expects an int, got {type(n).__name__}") from None
    if n < 1:
        raise ValueError(f"the number of threads must be at least 1, got {n}")
    _slot.value = n


def get_num_threads():
    """The number of threads parallel regions run on."""
    if _slot.value == 0:
        _slot.value = default_num_threads()
    return _slot.value


def num_threads_address():
    """Address of the slot generated code reads (initialised before any code can read it)."""
    get_num_threads()
    return ctypes.addressof(_slot)


def load_async_runtime():
    """Load MLIR's async runtime into the process (global symbols: the JIT resolves its
    ``mlirAsyncRuntime*`` calls from there). It is never passed to an ExecutionEngine as a shared
    library: destroying that engine would tear down the runtime every other engine uses."""
    if _runtime:
        return
    import mlir
    for root in mlir.__path__:
        path = os.path.join(root, "lib", "libmlir_async_runtime.so")
        if os.path.exists(path):
            _runtime.append(ctypes.CDLL(path, mode=os.RTLD_GLOBAL))
            return
    raise RuntimeError("numlir: libmlir_async_runtime.so not found in the MLIR package")
