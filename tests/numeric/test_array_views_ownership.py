"""Views and ownership of returned arrays against NumPy: a returned array shares memory with an
argument exactly where NumPy's does; views of arguments keep the argument alive after ``del`` +
``gc``; new arrays own their buffer (through their base) and views of a new buffer keep it alive;
arrays inside (nested) returned tuples; read-only-ness of views; dispatch by layout."""
from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest
from test_array_support import LAYOUTS, check, layout, sharing

import numlir


@numlir.njit
def views_and_copies(a):
    return (a[1:], a.T, a[None], a[::-1, 0], a[...], a.copy(), a[1:].copy(), a.astype(np.int32),
            a[0, 0], a[::2].T[1:], np.asarray(a))


@numlir.njit
def view_of_two(a, b):
    return b[::-1], a[1], b.copy(), a.T


@numlir.njit
def nested(a):
    return (a[0], (a.T, np.zeros(2)), ((a[::2], 1.5), a.shape)), a[-1]


@numlir.njit
def same(a):
    return a


@numlir.njit
def same_twice(a):
    return a, a[1:], a


@numlir.njit
def slice_of(a):
    return a[1:-1]


@numlir.njit
def new_array(n):
    return np.arange(n) * 2


@numlir.njit
def two_views_of_new(n):
    b = np.zeros(n)
    b[1] = 5.0
    return b[: n // 2], b[n // 2:], b, b[::-1]


@numlir.njit
def view_of_temporary(n):
    return np.ones(n)[1:-1]


@numlir.njit
def reshape_view_of_new(n):
    b = np.zeros(2 * n)
    return b.reshape((2, n)), b[::2]


@numlir.njit
def write_view(a):
    v = a[1:]
    v[0] = -7.0
    return v


@pytest.mark.parametrize("lay", LAYOUTS)
def test_sharing_matches_numpy(lay):
    check(views_and_copies, layout((4, 3), np.float64, lay), strides=lay in ("C", "F"))


@pytest.mark.parametrize("lay", ["C", "strided"])
def test_two_arguments(lay):
    a, b = layout((3, 4), np.int64, lay), layout((5,), np.int64, lay)
    got = check(view_of_two, a, b)
    assert sharing(got, [a, b]) == [[False, True], [True, False], [False, False], [True, False]]
    check(view_of_two, a, a[0])      # both arguments in one buffer


@pytest.mark.parametrize("lay", ["C", "F", "broadcast"])
def test_arrays_inside_nested_tuples(lay):
    got = check(nested, layout((4, 3), np.float32, lay), strides=False)
    assert isinstance(got[0][1][1], np.ndarray) and got[0][1][1].flags.writeable


def test_returning_the_argument():
    a = np.arange(5.0)
    r = same(a)
    assert np.shares_memory(r, a) and r.dtype == a.dtype and r.shape == a.shape
    r2 = same_twice(a)
    assert all(np.shares_memory(x, a) for x in r2)


def test_returning_the_argument_is_the_same_object():
    a = np.arange(5.0)
    assert same(a) is a
    r = same_twice(a)
    assert r[0] is a and r[2] is a and r[1] is not a


@numlir.njit
def pick_second(a, b):
    return b, (a, b)


@numlir.njit
def whole_views(a):
    return a[:], a.reshape(a.shape), a.view(a.dtype), a[:, ::-1], a.view(np.int64)


@pytest.mark.parametrize("lay", ["C", "F", "strided", "broadcast"])
def test_returned_argument_identity(lay):
    a = layout((3, 4), np.float64, lay)
    b = layout((3, 4), np.float64, lay, start=5)
    ref_a, ref_b = sys.getrefcount(a), sys.getrefcount(b)
    r = pick_second(a, b)
    assert r[0] is b and r[1][0] is a and r[1][1] is b
    del r
    assert (sys.getrefcount(a), sys.getrefcount(b)) == (ref_a, ref_b), "reference leak"
    # as Numba: a view with exactly the argument's data pointer, dtype, shape and strides is the
    # argument object; any other view is a new ndarray based on it
    v = whole_views(a)
    assert v[0] is a and v[1] is a and v[2] is a
    assert v[3] is not a and v[4] is not a and v[4].dtype == np.int64
    assert np.shares_memory(v[3], a) and np.shares_memory(v[4], a)
    np.testing.assert_array_equal(v[3], a[:, ::-1])
    del v
    assert sys.getrefcount(a) == ref_a, "reference leak"


def _alive_after_del(make_arg, fn):
    arg = make_arg()
    owner = arg if arg.base is None else arg.base
    ref = weakref.ref(owner)
    expected = fn.py_func(arg).copy()
    res = fn(arg)
    del arg, owner
    gc.collect()
    churn = [np.full(1000, 123.0) for _ in range(50)]       # reuse any freed memory
    assert ref() is not None, "the argument was freed while a returned view still uses it"
    np.testing.assert_array_equal(res, expected)
    del res, churn
    gc.collect()
    assert ref() is None, "the argument is never freed (a reference leak)"


@pytest.mark.parametrize("make", [lambda: np.arange(10.0), lambda: np.arange(20.0)[::2],
                                  lambda: np.asfortranarray(np.arange(12.0).reshape(3, 4))[0]],
                         ids=["owner", "view-of-owner", "F-row"])
def test_view_keeps_argument_alive(make):
    _alive_after_del(make, slice_of)


def test_returned_argument_keeps_it_alive():
    _alive_after_del(lambda: np.arange(10.0), same)


def test_new_array_owns_buffer():
    r = new_array(6)
    np.testing.assert_array_equal(r, np.arange(6) * 2)
    assert r.base is not None and not isinstance(r.base, np.ndarray)    # the freeing capsule
    assert r.flags.writeable and r.flags.c_contiguous
    r[:] = 1
    assert r.sum() == 6


def test_two_views_of_one_new_buffer():
    lo, hi, whole, rev = two_views_of_new(6)
    want = two_views_of_new.py_func(6)
    for g, w in zip((lo, hi, whole, rev), want):
        np.testing.assert_array_equal(g, w)
    assert np.shares_memory(lo, whole) and np.shares_memory(hi, whole)
    assert np.shares_memory(rev, lo) and not np.shares_memory(lo, hi)
    whole[0] = 9.0
    assert lo[0] == 9.0 and rev[-1] == 9.0
    del whole, lo
    gc.collect()
    _ = [np.full(1000, 7.0) for _ in range(50)]
    np.testing.assert_array_equal(hi, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(rev, [0.0, 0.0, 0.0, 0.0, 5.0, 9.0])
    rev[0] = 3.0
    assert hi[-1] == 3.0


def test_view_of_temporary_and_reshape_of_new():
    np.testing.assert_array_equal(view_of_temporary(5), np.ones(3))
    m, s = reshape_view_of_new(3)
    assert np.shares_memory(m, s)
    m[0, 0] = 4.0
    assert s[0] == 4.0


def test_write_through_returned_view():
    a = np.arange(5.0)
    v = write_view(a)
    assert a[1] == -7.0 and np.shares_memory(v, a)
    v[1] = 11.0
    assert a[2] == 11.0


def test_views_of_read_only_input_are_read_only():
    ro = np.broadcast_to(np.arange(3.0), (4, 3))
    got = check(views_and_copies, ro, strides=False)
    want = views_and_copies.py_func(ro)
    for g, w in zip(got, want):
        if isinstance(w, np.ndarray):
            assert g.flags.writeable == w.flags.writeable, (g, w)


# -- dispatch: a C array must run the C specialisation --------------------------------------------
def _ravel(a):
    return a.ravel()


def test_c_array_not_dispatched_to_layout_a_version():
    f = numlir.njit(_ravel)
    c = np.arange(12.0).reshape(3, 4)
    f(c[:, ::2])                           # compiles array(float64, 2d, A)
    assert np.shares_memory(f(c), c)      # NumPy: ravel of a C array is a view


def test_c_array_dispatch_c_first():
    f = numlir.njit(_ravel)
    c = np.arange(12.0).reshape(3, 4)
    assert np.shares_memory(f(c), c)
    assert not np.shares_memory(f(c[:, ::2]), c)
