"""Light Python modules for MLIR dialects whose upstream module is slow to import.

The bindings import ``mlir.dialects.<namespace>`` the first time an op or attribute of a dialect
is built. For linalg that module builds its whole OpDSL named-op library (~40 ms of every
process's first compile) although numlir only builds ``linalg.generic``/``linalg.fill`` through the
generated op classes. Searching this package first makes the bindings load ``linalg`` from here;
every other dialect falls through to ``mlir.dialects``. Code that imports
``mlir.dialects.linalg`` itself still gets the full module.
"""
from __future__ import annotations


def install():
    """Put this package first in the bindings' dialect search path (idempotent)."""
    from mlir._mlir_libs import _mlir
    prefixes = list(_mlir.globals.dialect_search_modules)
    if __name__ not in prefixes:
        _mlir.globals.dialect_search_modules = [__name__] + prefixes
