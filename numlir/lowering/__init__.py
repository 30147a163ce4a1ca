"""Typed Numba IR -> MLIR. ``core`` is the walker; the other modules register lowering rules."""
from __future__ import annotations

import importlib

_RULE_MODULES = ("intrinsics", "scalars", "casts", "control_flow", "builtins", "math", "cmath", "tuples",
                 "numbers", "optional", "arrays", "creation",
                 "array_methods", "array_elementwise", "ufunc_scalars",
                 "array_iteration", "linalg_loops")
_loaded = False


def load_rules():
    """Import every rule module once (they register themselves on import)."""
    global _loaded
    if _loaded:
        return
    for name in _RULE_MODULES:
        try:
            importlib.import_module(f"numlir.lowering.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"numlir.lowering.{name}":
                raise
    _loaded = True
