"""Argument values at the edges of typeof: big ints, *args, failed compiles leave no signature."""
import numpy as np
import pytest

import numlir


def ident(x):
    return x


@pytest.mark.parametrize("value", [2**63 - 1, -2**63, 2**63, 2**64 - 1, np.uint64(2**64 - 1),
                                   np.int8(-128), True, -0.0, float("inf")])
def test_round_trip(value):
    f = numlir.njit(ident)
    got = f(value)
    assert got == value and np.signbit(got) == np.signbit(value)


def test_int_too_big_for_any_type_names_the_argument():
    f = numlir.njit(ident)
    with pytest.raises(TypeError, match="'x'"):
        f(2**64)


def test_star_args():
    @numlir.njit
    def total(*xs):
        s = 0
        for x in xs:
            s += x
        return s

    for args in [(1, 2, 3), (1, 2, 3), (1.5, 2.5)]:
        assert total(*args) == total.py_func(*args)

    @numlir.njit
    def ends(*xs):
        return xs[0] * xs[-1]

    assert ends(1.5, 7, 2) == 3.0


def test_keyword_only_argument():
    @numlir.njit
    def kwonly(a, *, b=2):
        return a * b

    assert kwonly(3) == kwonly.py_func(3)
    assert kwonly(3, b=5) == kwonly.py_func(3, b=5)


def test_failed_compile_adds_no_signature():
    @numlir.njit
    def with_dict(x):
        d = {x: 1}  # noqa: F841 - dict displays are unsupported
        return x

    with pytest.raises(numlir.UnsupportedError):
        with_dict(1)
    assert with_dict.signatures == [] and with_dict._native == {}


def test_star_args_after_positional():
    @numlir.njit
    def head_plus_count(a, *rest):
        return a + len(rest)

    for args in [(1, 2), (1,), (1, 2, 3), (1, 2)]:     # (1, 2): as many values as parameters
        assert head_plus_count(*args) == head_plus_count.py_func(*args)
