"""print() in compiled code writes what Python's print writes for the same values."""
import numpy as np
import pytest

import numlir


def show(x, n):
    print(x, n, x > 1, (x, n), "label", -n)
    return n


def show_array(a):
    print(a, a.shape, a[1:])


@pytest.mark.parametrize("x, n", [(2.5, 3), (-0.0, 0), (1e300, -7)])
def test_print_scalars_and_tuples(capfd, x, n):
    numlir.njit(show)(x, n)
    compiled = capfd.readouterr().out
    show(x, n)
    assert compiled == capfd.readouterr().out


def test_print_arrays(capfd):
    a = np.arange(4.0)
    numlir.njit(show_array)(a)
    compiled = capfd.readouterr().out
    show_array(a)
    assert compiled == capfd.readouterr().out
