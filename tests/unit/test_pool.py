"""numlir's thread pool (``numlir.runtime.pool``): regions back to back, sleeping and waking
workers, more chunks than threads, a forked child, and the pool's size."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numlir
from numlir.runtime import pool

_KERNEL = """
    import time
    import numpy as np
    import numlir

    @numlir.njit(parallel=True)
    def sums(a, out):
        for i in numlir.prange(out.shape[0]):
            s = 0
            for j in range(a.shape[1]):
                s += a[i, j]
            out[i] = s
        return out

    a = np.arange(40, dtype=np.int64).reshape(4, 10)
    want = a.sum(axis=1)
"""

# the same kernel in this process (an inner loop makes every iteration worth a chunk)
_namespace = {}
exec(textwrap.dedent(_KERNEL), _namespace)   # noqa: S102 -- the source above
_chunk_sums = _namespace["sums"]


@pytest.mark.parametrize("threads", [2, 3, 4])
def test_regions_back_to_back(threads):
    """Thousands of short regions in a row: every chunk of every region runs exactly once."""
    old = numlir.get_num_threads()
    numlir.set_num_threads(threads)
    try:
        rng = np.random.default_rng(threads)
        for rows in (1, 2, 3, 5, 8):
            a = rng.integers(-1000, 1000, size=(rows, 7))
            want = a.sum(axis=1)
            for _ in range(400):
                out = np.zeros(rows, np.int64)
                np.testing.assert_array_equal(_chunk_sums(a, out), want)
    finally:
        numlir.set_num_threads(old)


def test_pool_size():
    _chunk_sums(np.ones((2, 2), np.int64), np.zeros(2, np.int64))
    assert pool.worker_threads() == pool.pool_size() - 1
    if not os.environ.get("NUMLIR_NUM_THREADS"):
        assert pool.pool_size() == len(os.sched_getaffinity(0))


def _run(script, **env):
    full = dict(os.environ, **env)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=full,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout




@pytest.mark.parametrize("spin_us", ["0", "30"])
def test_sleeping_workers_wake(spin_us):
    """Pauses longer than the spin make the workers sleep on the futex; each region wakes them."""
    out = _run(_KERNEL + """
    numlir.set_num_threads(2)
    for k in range(300):
        np.testing.assert_array_equal(sums(a, np.zeros(4, np.int64)), want)
        time.sleep((k % 7) * 20e-6)
    print("ok")
    """, NUMLIR_SPIN_US=spin_us)
    assert out.strip() == "ok"


def test_forked_child_runs_regions():
    """A child forked after the pool started has no worker threads: it restarts them."""
    out = _run(_KERNEL + """
    import os
    from numlir.runtime import pool
    sums(a, np.zeros(4, np.int64))
    before = pool.worker_threads()
    pid = os.fork()
    if pid == 0:
        ok = all((sums(a, np.zeros(4, np.int64)) == want).all() for _ in range(200))
        os._exit(0 if ok and pool.worker_threads() == before else 1)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status))
    """)
    assert out.strip() == "0"


def test_spin_knob_rejects_negative():
    proc = subprocess.run([sys.executable, "-c", "import numlir"], capture_output=True,
                          text=True, env=dict(os.environ, NUMLIR_SPIN_US="-1"), check=False)
    assert proc.returncode != 0 and "NUMLIR_SPIN_US" in proc.stderr
