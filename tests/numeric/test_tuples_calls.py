"""Tuples (homogeneous, heterogeneous, nested: build, unpack, index, pass, return), calls between
compiled functions (keywords, defaults, explicit signatures, recursion), globals and closures."""
from __future__ import annotations

import numpy as np
import pytest
from oracle import check_many, numba_of

import numlir


# -- tuples ----------------------------------------------------------------------------------------
@numlir.njit
def build_and_index(a, b):
    t = (a, b, a + b)
    return t[0], t[2], t[-1], t


@numlir.njit
def heterogeneous(i, x, flag):
    t = (i, x, flag, i * x)
    return t, t[1], t[2]


@numlir.njit
def unpack(t):
    a, b, c = t
    return c, b, a


@numlir.njit
def nested(t):
    (a, b), (c, (d, e)) = t
    return ((e, d), c), a + b, t[1][1][0]


@numlir.njit
def swap_loop(a, b, n):
    for _ in range(n):
        a, b = b, a + b
    return a, b


@numlir.njit
def tuple_len_and_slice(t):
    return len(t), t[1:], t[:2], t[::2]


@numlir.njit
def tuple_compare(t, u):
    return t == u, t != u


def test_build_and_index():
    check_many(build_and_index, build_and_index.py_func, [(1, 2), (-3, 9)])
    check_many(build_and_index, build_and_index.py_func, [(1.5, -0.25)])


def test_heterogeneous():
    check_many(heterogeneous, heterogeneous.py_func, [(3, 0.5, True), (-1, 2.0, False)])


def test_unpack_argument():
    check_many(unpack, unpack.py_func, [((1, 2, 3),), ((1, 2.5, True),), ((1 + 2j, 0, -1.0),)])


def test_nested_tuples():
    check_many(nested, nested.py_func, [(((1, 2), (3.5, (True, 7))),)])


def test_tuple_assignment_in_loop():
    check_many(swap_loop, swap_loop.py_func, [(0, 1, n) for n in (0, 1, 10, 50)])
    check_many(swap_loop, numba_of(swap_loop.py_func), [(0.5, 1, 5)])   # a: int then float


def test_len_and_slices():
    check_many(tuple_len_and_slice, tuple_len_and_slice.py_func, [((1, 2.0, 3, False),)])


def test_tuple_equality():
    check_many(tuple_compare, tuple_compare.py_func,
               [((1, 2), (1, 2)), ((1, 2), (1, 3)), ((1, 2.0), (1, 2.0))])


@pytest.mark.parametrize("k", [np.int8, np.float32, np.uint64])
def test_sized_tuple_elements(k):
    check_many(unpack, numba_of(unpack.py_func), [((k(1), k(2), k(3)),)])
    check_many(build_and_index, numba_of(build_and_index.py_func), [(k(1), k(2))])


# -- calls -----------------------------------------------------------------------------------------
@numlir.njit
def scale(x, factor=2, offset=0.0):
    return x * factor + offset


@numlir.njit
def call_with_keywords(x):
    return scale(x), scale(x, 3), scale(x, offset=1.5), scale(x, offset=-1.0, factor=4)


@numlir.njit
def pair_stats(t):
    a, b = t
    return min(a, b), max(a, b), a + b


@numlir.njit
def call_with_tuple(x, y):
    lo, hi, s = pair_stats((x, y))
    return hi - lo, s


@numlir.njit
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


@numlir.njit
def is_even(n):
    return True if n == 0 else is_odd(n - 1)


@numlir.njit
def is_odd(n):
    return False if n == 0 else is_even(n - 1)


def test_keyword_and_default_arguments():
    check_many(call_with_keywords, call_with_keywords.py_func, [(2,), (1.5,), (-3,)])


def test_callee_with_kwargs_from_python():
    check_many(scale, scale.py_func, [(3,), (3, 5), (2.0, 1, 0.5)])
    assert scale(3, offset=1.0) == scale.py_func(3, offset=1.0)
    assert scale(3, factor=0.5, offset=1) == scale.py_func(3, factor=0.5, offset=1)


def test_tuple_through_call():
    check_many(call_with_tuple, call_with_tuple.py_func, [(3, 9), (9, 3), (1.5, -2.5)])


_FIB_SRC = """
import numlir

@numlir.njit("int64(int64)")
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
"""


def test_recursion_explicit_signature():
    namespace = {}     # a module of its own, so the failure belongs to this test, not to import
    exec(compile(_FIB_SRC, "<fib>", "exec"), namespace)
    fib = namespace["fib"]
    check_many(fib, fib.py_func, [(n,) for n in (0, 1, 2, 10, 20)])


def test_self_recursion():
    check_many(fact, fact.py_func, [(n,) for n in (0, 1, 5, 20)])


def test_mutual_recursion():
    check_many(is_even, is_even.py_func, [(n,) for n in (0, 1, 10, 7)])


# -- globals and closures --------------------------------------------------------------------------
SCALE = 3
OFFSET = 0.25
WEIGHTS = (1, 2, 3)
NAME_FLAG = True


@numlir.njit
def use_globals(x):
    s = 0
    for w in WEIGHTS:
        s += w * x
    return s * SCALE + OFFSET, NAME_FLAG, WEIGHTS[1]


def make_adder(k, shift):
    @numlir.njit
    def add(x):
        return x + k, x * shift
    return add


def test_global_constants():
    check_many(use_globals, use_globals.py_func, [(1,), (-2,), (0.5,)])


def test_closure_variables():
    add3 = make_adder(3, 0.5)
    add_neg = make_adder(-10, 2)
    check_many(add3, add3.py_func, [(1,), (2.5,)])
    check_many(add_neg, add_neg.py_func, [(1,), (2.5,)])
