"""Every ``NUMLIR_*`` knob, typed and documented in one place, with a scoped override for tests.

| variable | type | default | meaning |
|---|---|---|---|
| ``NUMLIR_DISABLE_JIT`` | bool | 0 | run the Python functions instead of compiling them |
| ``NUMLIR_OPT_LEVEL`` | int 0-3 | 3 | LLVM optimisation level of the ExecutionEngine |
| ``NUMLIR_DUMP_IR`` | directory | "" | write every stage of every compiled function there |
| ``NUMLIR_PRINT_AFTER`` | pass name | "" | print the IR after that pass (``all``: every pass) |
| ``NUMLIR_REPRO_DIR`` | directory | temp dir | where a failing pipeline writes its reproducer |
| ``NUMLIR_BOUNDSCHECK`` | bool | 0 | check array indices (IndexError) in every function |
| ``NUMLIR_DEBUG_VERIFY`` | bool | 0 | verify the module after every pass (slower compiles) |
| ``NUMLIR_VECTOR_MATH`` | bool | 1 | loops call libmvec SIMD math where glibc has it; 0: scalar |
| ``NUMLIR_NUM_THREADS`` | int >= 0 | 0 | threads of ``parallel=True`` code; 0: all CPUs |
| ``NUMLIR_SPIN_US`` | int >= 0 | 1000 | microseconds an idle pool thread spins before it sleeps |
| ``NUMLIR_NT_BYTES`` | int >= 0 | 4194304 | streaming stores for fresh outputs this big; 0: never |
"""
from __future__ import annotations

import contextlib
import os
import tempfile

_KNOBS = {}


def _knob(name, default, parse):
    _KNOBS[name] = (default, parse)
    raw = os.environ.get("NUMLIR_" + name)
    return default if raw in (None, "") else parse(raw)


def _bool(raw):
    return raw.strip().lower() not in ("0", "false", "no", "off", "")


def _opt(raw):
    level = int(raw)
    if not 0 <= level <= 3:
        raise ValueError(f"NUMLIR_OPT_LEVEL must be 0..3, got {raw}")
    return level


def _non_negative(name, note=""):
    def parse(raw):
        n = int(raw)
        if n < 0:
            raise ValueError(f"NUMLIR_{name} must be >= 0{note}, got {raw}")
        return n
    return parse


DISABLE_JIT = _knob("DISABLE_JIT", False, _bool)
OPT_LEVEL = _knob("OPT_LEVEL", 3, _opt)
DUMP_IR = _knob("DUMP_IR", "", str)
PRINT_AFTER = _knob("PRINT_AFTER", "", str)
REPRO_DIR = _knob("REPRO_DIR", os.path.join(tempfile.gettempdir(), "numlir-repro"), str)
BOUNDSCHECK = _knob("BOUNDSCHECK", False, _bool)
DEBUG_VERIFY = _knob("DEBUG_VERIFY", False, _bool)
VECTOR_MATH = _knob("VECTOR_MATH", True, _bool)
# 0: the CPUs this process may use
NUM_THREADS = _knob("NUM_THREADS", 0, _non_negative("NUM_THREADS", " (0: all CPUs)"))
SPIN_US = _knob("SPIN_US", 1000, _non_negative("SPIN_US"))     # read when the pool starts
NT_BYTES = _knob("NT_BYTES", 4 << 20, int)           # read when a module is compiled


def reload():
    """Re-read every knob from the environment."""
    g = globals()
    for name, (default, parse) in _KNOBS.items():
        raw = os.environ.get("NUMLIR_" + name)
        g[name] = default if raw in (None, "") else parse(raw)


@contextlib.contextmanager
def override(**knobs):
    """Temporarily set knobs by name, e.g. ``with config.override(OPT_LEVEL=0): ...``."""
    g = globals()
    unknown = set(knobs) - set(_KNOBS)
    if unknown:
        raise KeyError(f"unknown numlir knobs: {sorted(unknown)}")
    saved = {k: g[k] for k in knobs}
    g.update(knobs)
    try:
        yield
    finally:
        g.update(saved)
