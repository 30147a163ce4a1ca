"""Numba keeps one implementation key per (overload, signature) for all targets; Numba's own CPU
target typing a call numlir typed before must not make numlir lower Numba's CPU implementation.

Run in a fresh interpreter: the scenario needs the first typings of these calls in the process."""
import subprocess
import sys

SCRIPT = """
import numba
import numpy as np

import numlir

v = np.arange(6.0) ** 2
# numlir types np.diff's implementation (np.empty((n,), dtype) inside) and caches it
np.testing.assert_array_equal(numlir.njit(lambda a: np.diff(a))(v), np.diff(v))
# Numba's CPU target types the same np.empty call: the shared key is now Numba's
numba.njit(lambda a: np.ediff1d(a))(v)
# numlir reuses its typed np.diff implementation inside ediff1d
np.testing.assert_array_equal(numlir.njit(lambda a: np.ediff1d(a))(v), np.ediff1d(v))
print("ok")
"""


def test_overload_typed_by_numba_in_between():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]


METHOD_SCRIPT = """
import numba
import numpy as np

import numlir

a = np.arange(6.0)
# numlir compiles scalar code first (no registries), then Numba's CPU target starts
assert numlir.njit(lambda x: x + 1)(1.0) == 2.0
assert numba.njit(lambda x: x + 1)(1.0) == 2.0
# numlir then types array methods it has @overload_method templates of its own for ...
assert numlir.njit(lambda v: (v * 2.0).mean())(a) == (a * 2.0).mean()
# ... and Numba must still lower the same methods with its own implementation
assert numba.njit(lambda v: (v * 2.0).mean())(a) == (a * 2.0).mean()
assert numba.njit(lambda v: v.sum() + v.max())(a) == a.sum() + a.max()
print("ok")
"""


def test_numlir_method_templates_leave_numba_lowering_alone():
    proc = subprocess.run([sys.executable, "-c", METHOD_SCRIPT], capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]
