"""Arrays returned by compiled code may outlive the compiled function (and its JIT code)."""
import gc
import subprocess
import sys
import textwrap

import numpy as np

import numlir


def make(n):
    return np.arange(n) * 2.0


def test_array_outlives_its_dispatcher():
    f = numlir.njit(make)
    out = f(5)
    del f
    gc.collect()
    np.testing.assert_array_equal(out, make(5))
    del out          # freed through the process-wide destructor, not the collected JIT code
    gc.collect()


def test_interpreter_exit_with_live_arrays():
    script = textwrap.dedent("""
        import numpy as np, numlir
        kept = [numlir.njit(lambda n, k=k: np.arange(n) + k)(4) for k in range(3)]
        kept.append(numlir.njit(lambda a: a[::2])(np.arange(6.0)))
        print(sum(float(a.sum()) for a in kept))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    expected = sum(float((np.arange(4) + k).sum()) for k in range(3)) + np.arange(6.0)[::2].sum()
    assert float(proc.stdout.strip()) == expected
