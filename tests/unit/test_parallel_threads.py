"""Thread knobs of ``parallel=True`` code: ``set_num_threads``/``get_num_threads`` and
``NUMLIR_NUM_THREADS``."""
import os
import subprocess
import sys

import numpy as np
import pytest

import numlir


def test_set_get_roundtrip():
    old = numlir.get_num_threads()
    try:
        for n in (1, 3, 2):
            numlir.set_num_threads(n)
            assert numlir.get_num_threads() == n
        numlir.set_num_threads(np.int64(2))
        assert numlir.get_num_threads() == 2
    finally:
        numlir.set_num_threads(old)


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                      ("2", TypeError), (True, TypeError)])
def test_set_num_threads_rejects(bad, exc):
    old = numlir.get_num_threads()
    with pytest.raises(exc):
        numlir.set_num_threads(bad)
    assert numlir.get_num_threads() == old


def test_default_is_available_cpus():
    if os.environ.get("NUMLIR_NUM_THREADS"):
        pytest.skip("NUMLIR_NUM_THREADS is set")
    from numlir.runtime import threads
    assert threads.default_num_threads() == len(os.sched_getaffinity(0))


def _child(env_value, code):
    env = dict(os.environ, NUMLIR_NUM_THREADS=env_value)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_env_knob_sets_the_default():
    res = _child("3", "import numlir; print(numlir.get_num_threads())")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "3"


def test_env_knob_rejects_negative():
    res = _child("-1", "import numlir")
    assert res.returncode != 0 and "NUMLIR_NUM_THREADS" in res.stderr


def test_env_knob_zero_means_all_cpus():
    res = _child("0", "import os, numlir; "
                      "print(numlir.get_num_threads() == len(os.sched_getaffinity(0)))")
    assert res.returncode == 0 and res.stdout.strip() == "True", res.stderr


def test_set_num_threads_applies_without_recompiling():
    @numlir.njit(parallel=True)
    def total(a):
        s = 0
        for i in numlir.prange(a.shape[0]):
            s += a[i]
        return s

    a = np.arange(1000)
    old = numlir.get_num_threads()
    try:
        results = []
        for n in (1, 2, 5):
            numlir.set_num_threads(n)
            results.append(total(a))
        assert results == [a.sum()] * 3
        assert len(total.signatures) == 1
    finally:
        numlir.set_num_threads(old)
