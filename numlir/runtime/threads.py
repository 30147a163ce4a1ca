"""Thread control for ``parallel=True`` code: how many chunks a ``prange`` loop is split into.

The worker threads are numlir's pool (``numlir.runtime.pool``): one thread per further CPU,
started when the first function with a parallel region is compiled; the caller of a region works
too. Generated code reads the requested thread count from one process-wide 64-bit slot whose
address is embedded in the code, so ``set_num_threads`` takes effect on the next region of every
compiled function without recompiling.
"""
from __future__ import annotations

import ctypes
import os

from numlir import config

_slot = ctypes.c_int64(0)


def available_cpus():
    """The CPUs this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_num_threads():
    """``NUMLIR_NUM_THREADS`` if set, else the CPUs this process may run on."""
    return config.NUM_THREADS or available_cpus()


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
