"""Keyword arguments and defaults in Python calls, folded to positional arguments as Numba does."""
import pytest

import numlir


def lin(x, a=2, b=0.5):
    return a * x + b


@pytest.mark.parametrize("args,kws", [
    ((3,), {}),                               # both defaults used
    ((3, 4), {}),                             # one default used
    ((3, 4, 1.5), {}),
    ((3,), {"b": 2.25}),                      # skip a default
    ((), {"x": 3, "a": 5, "b": 1.0}),         # all keywords
    ((), {"b": 1.0, "x": 3}),                 # all keywords, out of order, default in between
    ((1.5,), {"a": -1}),
])
def test_keywords_and_defaults(args, kws):
    f = numlir.njit(lin)
    for _ in range(2):                        # second call: after the native entry exists
        got, want = f(*args, **kws), lin(*args, **kws)
        assert got == want and type(got) is type(want)


def test_keyword_call_reuses_the_positional_signature():
    f = numlir.njit(lin)
    assert f(3, 4, 1.5) == lin(3, 4, 1.5)
    assert f(b=1.5, a=4, x=3) == lin(3, 4, 1.5)
    assert len(f.signatures) == 1


def test_defaults_only_function():
    @numlir.njit
    def g(n=10, step=3):
        total = 0
        for i in range(0, n, step):
            total += i
        return total

    assert g() == g.py_func()
    assert g(step=2) == g.py_func(step=2)


@pytest.mark.parametrize("args,kws", [
    ((), {}),                                 # missing required argument
    ((1, 2, 3, 4), {}),                       # too many
    ((1,), {"c": 2}),                         # unknown keyword
    ((1,), {"x": 2}),                         # given twice
])
def test_bad_call_shapes_raise_type_error(args, kws):
    f = numlir.njit(lin)
    with pytest.raises(TypeError) as py_err:
        lin(*args, **kws)
    with pytest.raises(TypeError) as nl_err:
        f(*args, **kws)
    assert type(nl_err.value) is type(py_err.value)


def test_none_default():
    @numlir.njit
    def h(x, y=None):
        return x if y is None else x + y

    assert h(3) == h.py_func(3)
