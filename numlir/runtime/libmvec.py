"""glibc's libmvec: the SIMD variants of the C math functions this process can call.

Loaded into the process with ``RTLD_GLOBAL`` (so the JIT resolves ``_ZGV*`` symbols) the first
time a compiled module uses a vectorizable math function. ``variants(name, nargs, bits)`` lists the
vector functions of a scalar function, by their VFABI names (``_ZGV<isa>N<lanes><v...>_<name>``),
restricted to the instruction sets of the host CPU: ``b`` (SSE, 128-bit) always on x86-64, ``d``
(AVX2, 256-bit) where the CPU has AVX2, else ``c`` (AVX, 256-bit) where it has AVX. The AVX-512
variants (``e``) are not used: a caller whose preferred vector width is 256 bits passes 512-bit
vectors in two registers, which is not their calling convention.

Absent library (not glibc, not x86-64) or no such symbol: no variants, and compiled code keeps its
scalar calls.
"""
from __future__ import annotations

import ctypes
import os
import platform
import threading

LIBRARY = "libmvec.so.1"
_lock = threading.Lock()
_state = {}     # "lib": CDLL or None, "isas": [(letter, vector bits)], "names": {symbol: bool}


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _isas(flags):
    isas = [("b", 128)]
    if "avx2" in flags:
        isas.append(("d", 256))
    elif "avx" in flags:
        isas.append(("c", 256))
    return isas


def _load():
    if "lib" in _state:
        return _state["lib"]
    with _lock:
        if "lib" not in _state:
            lib = None
            if platform.machine() in ("x86_64", "AMD64") and os.name == "posix":
                try:
                    lib = ctypes.CDLL(LIBRARY, mode=os.RTLD_GLOBAL)
                except OSError:
                    lib = None
            _state["isas"] = _isas(_cpu_flags()) if lib is not None else []
            _state["names"] = {}
            _state["lib"] = lib
    return _state["lib"]


def available():
    """True when libmvec is loaded (loading it on the first call) and has the host's variants."""
    return _load() is not None


def _exists(symbol):
    names = _state["names"]
    found = names.get(symbol)
    if found is None:
        found = names[symbol] = hasattr(_state["lib"], symbol)
    return found


def variants(name, nargs, bits):
    """[(vector symbol, lanes)] for the C function ``name`` (``expf`` for float32 when bits=32)
    taking ``nargs`` vector arguments, for each instruction set of the host CPU."""
    if _load() is None:
        return []
    found = []
    for isa, width in _state["isas"]:
        lanes = width // bits
        symbol = f"_ZGV{isa}N{lanes}{'v' * nargs}_{name}"
        if _exists(symbol):
            found.append((symbol, lanes))
    return found
