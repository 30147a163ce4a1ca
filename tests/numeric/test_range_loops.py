"""Range loops run as counted loops (trip count computed once, as Numba does): results against
Python, and Numba where machine integers differ (unsigned ranges wrap their sums)."""
from __future__ import annotations

import numba
import numpy as np
import pytest

import numlir


def _sum_count_len(a, b, c):
    t = 0
    n = 0
    for i in range(a, b, c):
        t += i
        n += 1
    return t, n, len(range(a, b, c))


sum_count_len = numlir.njit(_sum_count_len)


@numlir.njit
def strided_clear(flags, start, step):
    for j in range(start, flags.shape[0], step):
        flags[j] = False
    return flags


@numlir.njit
def two_nexts(n):
    it = iter(range(n))
    a = next(it)
    b = next(it)
    return a + b


@numlir.njit
def down_to(a, stop, step):
    out = 0
    for j in range(a, stop, step):
        out = out * 3 + j
    return out


BIG = 2**63 - 1


@pytest.mark.parametrize("args", [(BIG - 5, BIG, 2), (-BIG, -BIG + 7, 3), (BIG - 1, BIG - 9, -4),
                                  (5, -5, -1), (0, 0, 1), (3, 2, 7)])
def test_counted_ranges_near_the_limits(args):
    assert sum_count_len(*args)[1:] == _sum_count_len(*args)[1:]
    want = down_to.py_func(*args) % 2**64        # int64 arithmetic wraps
    assert down_to(*args) == (want - 2**64 if want >= 2**63 else want)


@pytest.mark.parametrize("args", [(3, 20, 4), (20, 3, 4), (0, 7, 1), (2**64 - 10, 2**64 - 1, 3)])
def test_unsigned_ranges(args):
    uargs = tuple(np.uint64(x) for x in args)
    assert sum_count_len(*uargs) == numba.njit(_sum_count_len)(*uargs)


@pytest.mark.parametrize("start,step", [(4, 2), (9, 3), (1, 1), (50, 7), (200, 5)])
def test_dynamic_step_store_loop(start, step):
    got = strided_clear(np.ones(101, np.bool_), start, step)
    want = strided_clear.py_func(np.ones(101, np.bool_), start, step)
    np.testing.assert_array_equal(got, want)


def test_next_on_a_range_iterator():
    assert two_nexts(5) == 1
    with pytest.raises(StopIteration):
        two_nexts(1)
