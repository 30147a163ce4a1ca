"""Arguments that cannot be arrays in compiled code: a TypeError (numlir.UnsupportedError or
TypingError) that names the argument, never a crash; the function still works for good input."""
from __future__ import annotations

import numpy as np
import pytest

import numlir


@numlir.njit
def first(values, n):
    return values[n]


@numlir.njit
def total(values):
    s = 0.0
    for i in range(values.shape[0]):
        s += values[i]
    return s


BAD = [
    ("list", [1.0, 2.0, 3.0]),
    ("nested-list", [[1, 2], [3, 4]]),
    ("object-array", np.array([1, "a", None], dtype=object)),
    ("object-array-of-numbers", np.array([1.0, 2.0], dtype=object)),
    ("structured", np.zeros(3, dtype=[("x", "f8"), ("y", "i4")])),
    ("structured-aligned", np.zeros(3, dtype=np.dtype([("x", "f8"), ("y", "f8")], align=True))),
    ("unicode-array", np.array(["a", "bc"])),
]


@pytest.mark.parametrize("name,value", BAD, ids=[n for n, _ in BAD])
def test_bad_argument_is_a_typeerror_naming_it(name, value):
    with pytest.raises(TypeError) as info:
        first(value, 0)
    assert "values" in str(info.value), str(info.value)
    with pytest.raises(TypeError) as info:
        total(value)
    assert "values" in str(info.value), str(info.value)
    # the dispatcher is still usable afterwards
    assert first(np.arange(3.0), 1) == 1.0
    assert total(np.arange(4.0)) == 6.0


@pytest.mark.parametrize("value", [np.zeros(3, ">f8"), np.zeros(3, np.longdouble)],
                         ids=["big-endian", "longdouble"])
def test_unsupported_dtype_names_the_argument(value):
    with pytest.raises(TypeError) as info:
        first(value, 0)
    assert "values" in str(info.value), str(info.value)
