"""Sorting against NumPy: ``a.sort()`` (in place, also on views), ``np.sort``, ``np.argsort`` /
``a.argsort()`` and ``np.unique``: integers, floats with NaN (NaN last), complex (lexicographic,
NaN last), bool, empty, 1-d and n-d (along the last axis), sorted / reversed / many-duplicates
inputs, sizes around the insertion-run length (16) and 10^4 elements for the merge passes.

numlir's sort is stable, so ``argsort`` equals NumPy's ``kind="stable"`` always and NumPy's
default (an unstable quicksort) wherever the keys are distinct.
"""
import numpy as np
import pytest

import numlir
from numlir.errors import UnsupportedError
from tests.numeric.test_array_support import check, check_mutating, layout, sample


@numlir.njit
def sorted_copy(a):
    return np.sort(a)


@numlir.njit
def sort_in_place(a):
    a.sort()
    return a


@numlir.njit
def sort_in_place_kind(a):
    a.sort(kind="mergesort")


@numlir.njit
def argsort_default(a):
    return np.argsort(a), a.argsort()


@numlir.njit
def argsort_stable(a):
    return np.argsort(a, kind="stable"), a.argsort(kind="mergesort")


@numlir.njit
def unique(a):
    return np.unique(a)


NAN, INF = np.nan, np.inf
RNG = np.random.default_rng(1234)


def _with_nans(n, frac=0.1):
    x = RNG.standard_normal(n)
    x[RNG.random(n) < frac] = NAN
    return x


SMALL = {
    "int": np.array([3, -1, 2, 2, 0, -7, 3]),
    "uint8": np.array([200, 3, 255, 0, 3], np.uint8),
    "float-nan": np.array([3.0, NAN, 1.0, -0.0, 0.0, NAN, -INF, INF, 2.5]),
    "float32": np.array([2.5, -1.0, NAN, 0.5], np.float32),
    "complex": np.array([1 + 2j, 1 + 1j, NAN + 0j, 0j, complex(1, NAN), -1j, complex(NAN, NAN),
                         1 + 1j, complex(NAN, -1), complex(-INF, 0), complex(0, INF)]),
    "bool": np.array([True, False, True, True, False]),
    "one": np.array([4.0]),
    "empty": np.array([], np.float64),
    "empty-int": np.array([], np.int64),
}

LARGE = {
    "random-float": RNG.standard_normal(10_000),
    "float-nans": _with_nans(10_000),
    "float32": RNG.standard_normal(10_000).astype(np.float32),
    "dups-int": RNG.integers(0, 5, 10_000),
    "sorted": np.arange(10_000, dtype=np.int64),
    "reversed": np.arange(10_000, 0, -1).astype(np.int64),
    "uint8-dups": np.arange(10_000, 0, -1).astype(np.uint8),
    "complex-dups": RNG.integers(0, 4, 3000) + 1j * RNG.integers(0, 4, 3000),
    "bool": RNG.random(5000) < 0.3,
}
# lengths around the insertion runs and the first merge widths
EDGE_SIZES = [15, 16, 17, 31, 32, 33, 63, 65, 100]


def _cases(table):
    return [pytest.param(v, id=k) for k, v in table.items()]


@pytest.mark.parametrize("a", _cases(SMALL) + _cases(LARGE))
def test_sort_1d(a):
    check(sorted_copy, a)
    check_mutating(sort_in_place, lambda: (a.copy(),))
    check(argsort_stable, a)
    check(unique, a)
    got = argsort_default(a)[0]
    np.testing.assert_array_equal(got, np.argsort(a, kind="stable"))


def test_sort_kind():
    for a in (SMALL["float-nan"], LARGE["float-nans"]):
        check_mutating(sort_in_place_kind, lambda: (a.copy(),))


@pytest.mark.parametrize("n", EDGE_SIZES)
def test_run_boundaries(n):
    for a in (RNG.standard_normal(n), _with_nans(n, 0.3), RNG.integers(0, 3, n)):
        check(sorted_copy, a)
        check(argsort_stable, a)
        check(unique, a)


def test_argsort_default_distinct_keys():
    """NumPy's default quicksort agrees where no two keys are equal."""
    for a in (RNG.permutation(1000).astype(np.float64), np.array([3.0, -1.0, 2.0, NAN]),
              RNG.permutation(50) - 25, np.array([2 + 1j, 1 + 3j, 1 + 2j]), np.array([], int)):
        check(argsort_default, a)


@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 40), (4, 1000), (0, 3), (3, 0), (2, 0, 4)],
                         ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.complex128], ids=lambda d:
                         np.dtype(d).name)
def test_nd_last_axis(shape, dtype):
    n = int(np.prod(shape))
    a = RNG.integers(-4, 5, n).astype(dtype).reshape(shape)
    if dtype != np.int64 and n:
        a.flat[::7] = NAN
    check(sorted_copy, a)
    check_mutating(sort_in_place, lambda: (a.copy(),))
    check(argsort_stable, a)
    check(unique, a)


@pytest.mark.parametrize("lay", ["F", "strided", "T"])
def test_layouts(lay):
    """Views sort in place (the base sees it); F and strided inputs sort along their last axis."""
    for shape in ((40,), (3, 40)):
        a = layout(shape, np.float64, lay) * -1
        # new arrays are C-ordered (Numba's np.sort copies); NumPy keeps an F input's order
        check(sorted_copy, a, strides=False)
        check(argsort_stable, a, strides=False)
        check(unique, a)
        check_mutating(sort_in_place, lambda: (layout(shape, np.float64, lay) * -1,))

        def make_view():
            base = sample((6, 80), np.int32)[::-1]
            return (base[::2, ::-2],)
        check_mutating(sort_in_place, make_view)


def test_0d_rejected():
    """NumPy raises AxisError (no last axis); numlir (like Numba) rejects at compile time."""
    for fn in (sorted_copy, sort_in_place):     # typed by Numba, refused when lowered
        with pytest.raises(UnsupportedError, match="sorting a 0-d array"):
            fn(np.array(1.5))
    with pytest.raises(numlir.TypingError, match="out of bounds for a 0-d array"):
        argsort_stable(np.array(1.5))
    check(unique, np.array(1.5))


@numlir.njit
def expression_then_sort(a):
    t = a * 2.0               # an array expression computed lazily must read a before the sort
    a.sort()
    return t + 1.0, np.sort(a[::-1] - 1.0), np.argsort(-a, kind="stable"), np.unique(a // 2)


def test_expressions_and_sort_order():
    check_mutating(expression_then_sort, lambda: (np.random.default_rng(7).standard_normal(50),))
