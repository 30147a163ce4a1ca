"""``raise`` with constant arguments inside compiled code reaches the caller with its type and
message, through nested calls, loops and after partial work; errors raised by operations too."""
from __future__ import annotations

import pytest
from oracle import check_many, numba_of

import numlir


class CustomError(Exception):
    pass


@numlir.njit
def checked_sqrt(x):
    if x < 0:
        raise ValueError("negative input")
    return x ** 0.5


@numlir.njit
def pick(kind):
    if kind == 0:
        raise ValueError("bad value", 3)
    if kind == 1:
        raise TypeError("wrong type")
    if kind == 2:
        raise KeyError("missing")
    if kind == 3:
        raise IndexError
    if kind == 4:
        raise CustomError("custom message")
    if kind == 5:
        raise ZeroDivisionError()
    if kind == 6:
        raise AssertionError("asserted")
    return kind


@numlir.njit
def raise_in_loop(n, bad):
    total = 0
    for i in range(n):
        if i == bad:
            raise RuntimeError("hit the bad index")
        total += i
    return total


@numlir.njit
def outer(x):
    # the callee's exception propagates through the caller
    return checked_sqrt(x) + 1.0


# compiled from source text: pytest rewrites the asserts of functions defined in test modules
_ASSERTING_SRC = """
def asserting(x):
    assert x > 0, "x must be positive"
    assert x < 100
    return x
"""
_ns = {}
exec(compile(_ASSERTING_SRC, "<asserting>", "exec"), _ns)
asserting = numlir.njit(_ns["asserting"])


@numlir.njit
def divides(a, b):
    return a // b + a % b


@numlir.njit
def after_divide(a, b):
    q = a / b        # ZeroDivisionError from the operator, as Numba raises it
    return q * 2


def _excinfo(fn, *args):
    try:
        fn(*args)
    except Exception as exc:      # noqa: BLE001 -- the exception is what is compared
        return type(exc), exc.args
    return None


@pytest.mark.parametrize("kind", range(8))
def test_exception_types_and_messages(kind):
    got, want = _excinfo(pick, kind), _excinfo(pick.py_func, kind)
    assert got == want


def test_raise_with_value():
    check_many(checked_sqrt, checked_sqrt.py_func, [(4.0,), (-1.0,), (0.0,)], rel=1e-15)


def test_raise_inside_loop():
    check_many(raise_in_loop, raise_in_loop.py_func, [(10, 3), (10, 20), (0, 0)])


def test_propagates_through_calls():
    check_many(outer, outer.py_func, [(9.0,), (-9.0,)])


def test_assert():
    check_many(asserting, asserting.py_func, [(1,), (0,), (150,)])
    assert _excinfo(asserting, 150) == _excinfo(asserting.py_func, 150)


def test_operator_errors_match_numba():
    check_many(divides, numba_of(divides.py_func), [(7, 0), (7, 2), (7.5, 0.0)])
    check_many(after_divide, numba_of(after_divide.py_func), [(1, 0), (1.0, 0.0), (1, 2)])


def test_exception_does_not_poison_later_calls():
    assert _excinfo(checked_sqrt, -1.0) == (ValueError, ("negative input",))
    assert checked_sqrt(16.0) == 4.0
    assert _excinfo(raise_in_loop, 5, 2) == (RuntimeError, ("hit the bad index",))
    assert raise_in_loop(5, 7) == 10
