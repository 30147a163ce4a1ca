"""Light Python modules for MLIR dialects whose upstream module is slow to import.

The bindings import ``mlir.dialects.<namespace>`` the first time an op or attribute of a dialect
is built. For linalg that module builds its whole OpDSL named-op library (~40 ms of every
process's first compile) although numlir only builds ``linalg.generic``/``linalg.fill`` through the
generated op classes; llvm's generated classes (~13 ms) are not needed to walk an LLVM-dialect
module. Searching this package first makes the bindings load ``linalg`` and ``llvm`` from here;
every other dialect falls through to ``mlir.dialects``. Code that imports
``mlir.dialects.linalg`` or ``mlir.dialects.llvm`` itself still gets the full module.
"""
from __future__ import annotations


def install():
    """Put this package first in the bindings' dialect search path (idempotent)."""
    from mlir._mlir_libs import _mlir
    prefixes = list(_mlir.globals.dialect_search_modules)
    if __name__ not in prefixes:
        _mlir.globals.dialect_search_modules = [__name__] + prefixes
