"""Memory of arrays across the native boundary: no leak over 10^5 calls of functions that return new
arrays and views, allocate temporaries in a loop, or raise after allocating; returned views keep
their base alive, and release it once they are gone (no reference leak).

The current resident set size is read from /proc/self/statm (``ru_maxrss`` is a high-water mark);
growth is measured after a warm-up and must stay below a few MB, while a leaked buffer per call
would cost hundreds of MB and a leaked ndarray or capsule several MB.
"""
from __future__ import annotations

import gc
import os
import sys
import weakref

import numpy as np
import pytest

import numlir

CALLS = 100_000
LIMIT_MB = 4.0

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"),
                                reason="needs /proc/self/statm (Linux)")


def rss_mb():
    with open("/proc/self/statm") as fh:
        resident_pages = int(fh.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def growth_mb(call, calls=CALLS, warmup=5_000):
    for _ in range(warmup):
        call()
    gc.collect()
    before = rss_mb()
    for _ in range(calls):
        call()
    gc.collect()
    return rss_mb() - before


@numlir.njit
def new_arrays(n):
    a = np.empty(n)
    for i in range(n):
        a[i] = i * 0.5
    b = np.zeros((2, n), np.int32)
    return a, a[1:], b.T, b[1]            # new buffers and views of them


@numlir.njit
def temporaries(n, reps):
    s = 0.0
    for r in range(reps):
        t = np.zeros(n)
        t[r % n] = r
        u = t[::2].copy()
        v = np.ones((n, 2)).T
        s += u[0] + v[1, n - 1] + t.reshape((2, n // 2))[0, 0]
    return s


@numlir.njit
def views_of_argument(a):
    return a[1:], a.T, a[::-1, 0], a


@numlir.njit(boundscheck=True)
def raise_after_alloc(n, i):
    t = np.zeros(n)
    return t[i]


@numlir.njit
def raise_user_error_after_alloc(n):
    t = np.ones(n)
    if t[0] > 0:
        raise ValueError("after allocating")
    return t


@pytest.mark.slow
def test_returning_new_arrays_does_not_leak():
    out = new_arrays(4)
    np.testing.assert_array_equal(out[0], [0.0, 0.5, 1.0, 1.5])
    grew = growth_mb(lambda: new_arrays(512))          # ~8 KB of buffers per call
    assert grew < LIMIT_MB, f"RSS grew {grew:.1f} MB over {CALLS} calls"


@pytest.mark.slow
def test_temporaries_in_a_loop_do_not_leak():
    assert temporaries(8, 3) == temporaries.py_func(8, 3)
    grew = growth_mb(lambda: temporaries(256, 10), calls=CALLS // 2)
    assert grew < LIMIT_MB, f"RSS grew {grew:.1f} MB over {CALLS // 2} calls (10 loops each)"


@pytest.mark.slow
def test_views_of_arguments_do_not_leak_references():
    a = np.arange(12.0).reshape(3, 4)
    views_of_argument(a)
    gc.collect()
    before = sys.getrefcount(a)
    grew = growth_mb(lambda: views_of_argument(a))
    gc.collect()
    assert sys.getrefcount(a) == before, "returned views leaked references to their argument"
    assert grew < LIMIT_MB, f"RSS grew {grew:.1f} MB over {CALLS} calls"


def _raising(fn, *args, exc):
    def call():
        try:
            fn(*args)
        except exc:
            pass
        else:
            raise AssertionError("expected an exception")
    return call


@pytest.mark.slow
def test_indexerror_after_allocating_does_not_leak():
    grew = growth_mb(_raising(raise_after_alloc, 1024, 5000, exc=IndexError), calls=CALLS // 2)
    assert grew < LIMIT_MB, f"IndexError path: RSS grew {grew:.1f} MB over {CALLS // 2} calls"


@pytest.mark.slow
def test_user_raise_after_allocating_does_not_leak():
    grew = growth_mb(_raising(raise_user_error_after_alloc, 1024, exc=ValueError),
                     calls=CALLS // 10, warmup=1000)
    assert grew < LIMIT_MB, f"raise ValueError path: RSS grew {grew:.1f} MB"


def test_views_keep_bases_alive_and_release_them():
    a = np.arange(100.0)
    ref = weakref.ref(a)
    v = views_of_argument(a.reshape(10, 10))
    del a
    gc.collect()
    junk = [np.full(100, -1.0) for _ in range(100)]
    assert ref() is not None
    np.testing.assert_array_equal(v[0], np.arange(100.0).reshape(10, 10)[1:])
    np.testing.assert_array_equal(v[2], np.arange(90.0, -1.0, -10.0))
    del v, junk
    gc.collect()
    assert ref() is None, "the argument stays alive after its views are gone"


def test_views_of_new_buffer_keep_it_alive():
    a, tail, bt, row = new_arrays(1000)
    del a, bt
    gc.collect()
    junk = [np.full(1000, -1.0) for _ in range(100)]
    np.testing.assert_array_equal(tail, np.arange(1, 1000) * 0.5)
    np.testing.assert_array_equal(row, np.zeros(1000, np.int32))
    del junk
