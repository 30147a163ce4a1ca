"""Control flow against Python: branches, while and for-range loops (any start/stop/step, empty and
negative ranges), break/continue, nested loops, early returns, conditional expressions, short
circuits and accumulators whose type changes across iterations."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import check_many, numba_of

import numlir


@numlir.njit
def classify(x):
    if x < 0:
        return -1
    elif x == 0:
        return 0
    elif x < 10:
        return 1
    else:
        return 2


@numlir.njit
def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@numlir.njit
def range_sum(start, stop, step):
    total = 0
    count = 0
    for i in range(start, stop, step):
        total += i
        count += 1
    return total, count


@numlir.njit
def range_len(start, stop, step):
    return len(range(start, stop, step))


@numlir.njit
def range_forms(n):
    a = 0
    for i in range(n):
        a += i
    b = 0
    for i in range(2, n):
        b += i * i
    return a, b


@numlir.njit
def first_multiple(n, k):
    """break, continue and the for-else clause."""
    found = -1
    skipped = 0
    for i in range(1, n):
        if i % 2 == 0:
            skipped += 1
            continue
        if i % k == 0:
            found = i
            break
    else:
        found = -2
    return found, skipped


@numlir.njit
def nested(n, m):
    total = 0
    for i in range(n):
        j = 0
        while j < m:
            if (i + j) % 3 == 0:
                j += 1
                continue
            if i * j > 20:
                break
            total += i * j
            j += 1
    return total


@numlir.njit
def early_return(n):
    for i in range(n):
        for j in range(n):
            if i * j == 12:
                return i, j
    return -1, -1


@numlir.njit
def ternaries(x, y):
    a = x if x > y else y
    b = 1.5 if x else -2
    c = (x > 0) == (y > 0)
    return a, b, c


@numlir.njit
def short_circuit(x, y):
    # and/or return an operand: typed as the unified type of both in Numba
    return (x and y), (x or y), (x > 0 and y > 0), (x > 0 or y > 0), (not x and y < 0)


@numlir.njit
def guarded_div(a, b):
    # the right operand must not run when the left decides (it would raise)
    ok = b != 0 and a // b > 1
    ok2 = b == 0 or a % b == 0
    return ok, ok2


@numlir.njit
def mixed_accumulator(n):
    acc = 0               # int, then float after the first iteration
    for i in range(n):
        acc = acc + 0.5 * i
    flag = False          # bool, then int
    for i in range(n):
        flag = flag + i
    return acc, flag


@numlir.njit
def chained(x):
    return 0 < x < 10, x < 0 < 1, 1 <= x <= 1


@numlir.njit
def while_else(n):
    i = 0
    while i < n:
        i += 3
        if i == 9:
            break
    else:
        i = -i
    return i


@numlir.njit
def loop_var_after_loop(n):
    last = -1
    for i in range(n):
        last = i
    return last


def test_if_elif_else():
    check_many(classify, classify.py_func, [(x,) for x in (-5, 0, 3, 10, 99)])
    check_many(classify, classify.py_func, [(x,) for x in (-0.5, 0.0, 9.99, 1e9, float("nan"))])


def test_while():
    check_many(collatz_steps, collatz_steps.py_func, [(n,) for n in (1, 2, 7, 27, 97)])


_STARTS = [-7, -1, 0, 3, 10]
_STEPS = [1, 2, 3, -1, -2, -5]


def test_range_start_stop_step():
    args = list(itertools.product(_STARTS, _STARTS, _STEPS))   # includes empty ranges
    check_many(range_sum, range_sum.py_func, args)
    check_many(range_len, range_len.py_func, args)


@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-9, 9).filter(bool))
def test_range_random(start, stop, step):
    check_many(range_sum, range_sum.py_func, [(start, stop, step)])
    check_many(range_len, range_len.py_func, [(start, stop, step)])


def test_range_step_zero():
    check_many(range_sum, numba_of(range_sum.py_func), [(0, 5, 0)])
    check_many(range_sum, range_sum.py_func, [(0, 5, 0)])


def test_range_extremes():
    big = 2**63 - 1
    check_many(range_len, range_len.py_func, [(big - 3, big, 1), (-big, -big + 2, 1),
                                              (big - 2, big - 7, -2)])


@pytest.mark.parametrize("k", [int, np.int32, np.uint8, np.int8])
def test_range_forms(k):
    oracle = range_forms.py_func if k is int else numba_of(range_forms.py_func)
    check_many(range_forms, oracle, [(k(n),) for n in (0, 1, 2, 5, 20)])


def test_break_continue_else():
    check_many(first_multiple, first_multiple.py_func,
               list(itertools.product([0, 1, 5, 30], [3, 7, 100])))


def test_nested_loops():
    check_many(nested, nested.py_func, list(itertools.product([0, 1, 4, 9], [0, 2, 7])))


def test_early_return():
    check_many(early_return, early_return.py_func, [(n,) for n in (0, 3, 5, 13)])


def test_conditional_expression():
    # `1.5 if x else -2` has one static type (float64) in Numba: Numba is the oracle
    args = list(itertools.product([0, 1, -3], [0, 2, -1]))
    check_many(ternaries, numba_of(ternaries.py_func), args)
    check_many(chained, chained.py_func, [(x,) for x in (-1, 0, 1, 5, 10)])


def test_short_circuit():
    # Python returns the deciding operand; Numba (the oracle) types it as the unified type
    same_kind = list(itertools.product([0, 2, -1], [0, 3, -4]))
    check_many(short_circuit, short_circuit.py_func, same_kind)
    check_many(short_circuit, short_circuit.py_func,
               list(itertools.product([0.0, 1.5, -0.0], [0.0, 2.0])))
    check_many(short_circuit, numba_of(short_circuit.py_func),
               list(itertools.product([0, 2], [0.0, 1.5])))


def test_short_circuit_skips_right_operand():
    check_many(guarded_div, guarded_div.py_func, list(itertools.product([0, 7, -9], [0, 2, 3])))


def test_mixed_type_accumulators():
    # the accumulators have their unified types (float64, int64) even when the loop never runs
    check_many(mixed_accumulator, mixed_accumulator.py_func, [(n,) for n in (1, 4, 10)])
    check_many(mixed_accumulator, numba_of(mixed_accumulator.py_func), [(n,) for n in (0, 1, 4)])


def test_while_else_and_loop_variables():
    check_many(while_else, while_else.py_func, [(n,) for n in (0, 5, 9, 20)])
    check_many(loop_var_after_loop, loop_var_after_loop.py_func, [(n,) for n in (0, 1, 6)])
