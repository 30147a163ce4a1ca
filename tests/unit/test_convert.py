"""Conversion of arguments to explicit signature types: C-cast semantics, never an endless loop."""
import numpy as np
import pytest
from numba.core import types

import numlir
from numlir.runtime.convert import convert_value


def ident(x):
    return x


def _c_cast(value, dtype):
    """What a C cast of the integer ``value`` to ``dtype`` gives."""
    return int(np.array([int(value) % 2**64], dtype=np.uint64).astype(dtype)[0])


@pytest.mark.parametrize("sig,dtype", [("int64(int64)", np.int64), ("uint8(uint8)", np.uint8),
                                       ("int16(int16)", np.int16), ("uint64(uint64)", np.uint64)])
@pytest.mark.parametrize("value", [5, -1, 300, 2**63, 2**64 - 1, np.uint64(2**63), np.int8(-3),
                                   True])
def test_integers_wrap_like_c_casts(sig, dtype, value):
    f = numlir.njit(sig)(ident)
    assert f(value) == _c_cast(value, dtype)


@pytest.mark.parametrize("value", [2.7, -2.7, np.float32(3.5), 1e15 + 0.5])
def test_floats_truncate_toward_zero(value):
    f = numlir.njit("int64(int64)")(ident)
    assert f(value) == int(value)


def test_float32_narrowing():
    f = numlir.njit("float32(float32)")(ident)
    assert f(1.1) == float(np.float32(1.1))
    assert f(np.float64(1e40)) == float("inf")
    assert f(2) == 2.0


@pytest.mark.parametrize("ty", [types.int64, types.uint8, types.int32, types.float64,
                                types.float32, types.complex128, types.complex64, types.boolean,
                                types.UniTuple(types.int16, 2)])
def test_converted_value_has_the_target_type(ty):
    value = (3, 2**40) if isinstance(ty, types.BaseTuple) else 2**40 + 3
    assert numlir.typeof(convert_value(value, ty)) == ty


def test_rejected_conversion_is_an_error_not_a_loop(monkeypatch):
    f = numlir.njit("int64(int64)")(ident)
    from numlir.runtime import convert
    monkeypatch.setattr(convert, "convert_value", lambda v, t: "not an int")
    with pytest.raises(TypeError, match="rejected"):
        f(2.5)
    monkeypatch.undo()
    assert f(2.5) == 2                         # the guard was reset
