"""Joining arrays against NumPy: ``np.concatenate``, ``np.stack`` (run-time axis, negative and
out-of-bounds too), ``np.hstack``/``vstack``/``dstack``/``column_stack`` of tuples of arrays: mixed
dtypes (NumPy's promotion), C/F/strided/transposed/broadcast inputs, 0-d to 3-d, empty inputs,
and the ValueError of NumPy/Numba when shapes do not match.

Results are new C-ordered arrays (as in Numba; NumPy keeps an F input's order), so strides are not
compared; values, dtype, shape and memory sharing are.
"""
import numpy as np
import pytest

import numlir
from tests.numeric.test_array_support import check, layout


@numlir.njit
def concat(a, b, k):
    return np.concatenate((a, b), axis=k)


@numlir.njit
def concat_default(a, b):
    return np.concatenate((a, b))


@numlir.njit
def stack(a, b, k):
    return np.stack((a, b), axis=k)


@numlir.njit
def stack_default(a, b):
    return np.stack((a, b))


@numlir.njit
def fixed_joins(a, b):
    return np.hstack((a, b)), np.vstack((a, b)), np.dstack((a, b))


@numlir.njit
def column_stack(a, b):
    return np.column_stack((a, b))


@numlir.njit
def three(a, b, c):
    return (np.concatenate((a, b, c)), np.stack((a, b, c), axis=-1), np.hstack((a, b, c)),
            np.vstack((a, b, c)), np.dstack((a, b, c)))


@numlir.njit
def join_tuple_argument(t):
    return np.concatenate(t, axis=1), np.stack(t, axis=-1), np.vstack(t)


def check_axes(fn, a, b, extra):
    """``fn(a, b, axis)`` for every valid axis and one out of bounds on each side (AxisError)."""
    nd = a.ndim + extra
    for k in range(-nd - 1, nd + 1):
        check(fn, a, b, k, strides=False)


PAIRS = [(np.float64, np.float64), (np.int32, np.float32), (np.bool_, np.int8),
         (np.uint8, np.int64), (np.complex128, np.float64), (np.int64, np.uint64)]
PAIR_IDS = [f"{np.dtype(x).name}-{np.dtype(y).name}" for x, y in PAIRS]
LAYOUT_PAIRS = [("C", "C"), ("F", "F"), ("F", "strided"), ("T", "broadcast")]


@pytest.mark.parametrize("dta, dtb", PAIRS, ids=PAIR_IDS)
def test_dtypes_2d(dta, dtb):
    a, b = layout((3, 4), dta, "C"), layout((3, 4), dtb, "C", start=7)
    check_axes(concat, a, b, 0)
    check_axes(stack, a, b, 1)
    check(fixed_joins, a, b, strides=False)
    check(column_stack, a, b, strides=False)


@pytest.mark.parametrize("lays", LAYOUT_PAIRS, ids="-".join)
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4)], ids=str)
def test_layouts(lays, shape):
    a = layout(shape, np.float64, lays[0])
    b = layout(shape, np.int16, lays[1], start=7)
    check_axes(concat, a, b, 0)
    check_axes(stack, a, b, 1)
    check(concat_default, a, b, strides=False)
    check(stack_default, a, b, strides=False)
    check(fixed_joins, a, b, strides=False)


def test_three_inputs():
    for shape in ((3,), (2, 3)):
        a = layout(shape, np.float64, "C")
        b = layout(shape, np.int32, "F", start=5)
        c = layout(shape, np.bool_, "strided")
        check(three, a, b, c, strides=False)


@pytest.mark.parametrize("a, b", [
    (np.ones((2, 3)), np.zeros((2, 4))),        # concatenate along 1 only
    (np.ones((2, 3)), np.zeros((4, 3))),        # along 0 only
    (np.ones((0, 3)), np.zeros((2, 3))),
    (np.ones((2, 0)), np.zeros((2, 3))),
    (np.ones((0, 0)), np.zeros((0, 0))),
], ids=["cols", "rows", "empty-rows", "empty-cols", "both-empty"])
def test_sizes_and_mismatch(a, b):
    """Different sizes along the joined axis are fine, elsewhere ValueError; a stack needs equal
    shapes."""
    check_axes(concat, a, b, 0)
    check_axes(stack, a, b, 1)
    check(fixed_joins, a, b, strides=False)
    check(column_stack, a, b, strides=False)


@pytest.mark.parametrize("a, b", [
    (np.ones(3), np.zeros(2)), (np.ones(3), np.zeros(3)), (np.ones(0), np.zeros(0)),
], ids=["1d-unequal", "1d", "1d-empty"])
def test_1d_fixed_joins(a, b):
    """1-d inputs: hstack concatenates, vstack stacks rows, dstack makes (1, n, 2)."""
    check(fixed_joins, a, b, strides=False)
    check(column_stack, a, b, strides=False)


def test_0d_inputs():
    check(fixed_joins, np.array(1.5), np.array(2.5), strides=False)
    check(stack_default, np.array(1.5), np.array(2), strides=False)
    check_axes(stack, np.array(True), np.array(False), 1)


def test_column_stack_mixed_ranks():
    check(column_stack, np.arange(3.0), np.ones((3, 2)), strides=False)
    check(column_stack, np.ones((3, 2)), np.arange(3.0), strides=False)
    check(column_stack, np.ones((3, 2)), np.arange(4.0), strides=False)      # ValueError


def test_3d_fixed_joins_mismatch():
    a = np.ones((2, 3, 1))
    for b in (np.zeros((2, 3, 2)), np.zeros((2, 2, 1)), np.zeros((1, 3, 1))):
        check(fixed_joins, a, b, strides=False)


def test_tuple_argument():
    """A tuple passed in (a UniTuple or a heterogeneous Tuple), not built in the function."""
    check(join_tuple_argument, (np.ones((2, 3)), np.zeros((2, 3)), np.full((2, 3), 2.0)),
          strides=False)
    check(join_tuple_argument, (np.ones((2, 3)), np.arange(6).reshape(2, 3)), strides=False)


def test_different_ranks_rejected():
    with pytest.raises(numlir.TypingError):
        concat_default(np.ones(3), np.ones((3, 1)))


@numlir.njit
def join_expressions(a, b):
    t = a * b
    return np.concatenate((t, a + 1), axis=1), np.stack((a - b, t)), np.vstack((-a, b * 2))


def test_expressions():
    """Array expressions (lazy until used) as inputs."""
    check(join_expressions, layout((2, 3), np.float64, "C"), layout((2, 3), np.int32, "F"),
          strides=False)
