"""The generated linalg op classes only (see the package docstring)."""
from mlir.dialects._linalg_enum_gen import *  # noqa: F403
from mlir.dialects._linalg_ops_gen import *  # noqa: F403
