"""Typed Numba IR -> MLIR. ``core`` is the walker; the other modules register lowering rules.

Rule modules come in two sets. The core set needs only ``numba.core``. The library set is keyed by
objects of Numba's NumPy implementation modules (intrinsics such as ``numpy_empty_nd``); importing
those costs ~0.5 s, so it is loaded on the first rule lookup that misses (such keys only appear
once Numba's implementation modules are loaded anyway).
"""
from __future__ import annotations

import importlib

_CORE_RULES = (
    "intrinsics",
    "scalars",
    "casts",
    "control_flow",
    "builtins",
    "math",
    "cmath",
    "tuples",
    "numbers",
    "optional",
    "arrays",
    "array_elementwise",
    "advanced_indexing",
    "ufunc_scalars",
    "ufunc_more",
    "ufunc_two_outputs",
    "closeness",
    "clip",
    "zip_iter",
    "array_operators",
    "linalg_loops",
    "array_methods",
    "array_iteration",
    "sorting",
    "array_literals",
    "fused_reductions",
)
_LIBRARY_RULES = ("library", "axis_reductions", "joining", "shape_intrinsics")
_loaded = set()


def load_rules():
    """Import the core rule modules (they register themselves on import)."""
    _load("core", _CORE_RULES)


def load_library_rules():
    """Import the library rule modules; True if this call loaded them."""
    if "library" in _loaded:
        return False
    _load("library", _LIBRARY_RULES)
    return True


def _load(name, modules):
    if name in _loaded:
        return
    from numlir.frontend.target import defer_blas_check
    defer_blas_check()        # before anything imports numba.np.arraymath (it probes SciPy)
    for module in modules:
        importlib.import_module(f"numlir.lowering.{module}")
    _loaded.add(name)
