"""Explicit signatures: eager compilation, conversion to the declared types, no lazy compiles."""
import pytest
from numba.core import types

import numlir


def scale(x, n):
    return x * n + 1


def test_signature_string_compiles_eagerly():
    f = numlir.njit("float64(float64, int64)")(scale)
    assert f.signatures == [(types.float64, types.int64)]
    assert len(f._native) == 1
    got = f(2.5, 3)
    assert got == scale(2.5, 3) and type(got) is float


def test_int_converted_to_float64():
    f = numlir.njit("float64(float64, int64)")(scale)
    got = f(2, 3)                              # int for the float64 parameter
    want = scale(2.0, 3)
    assert got == want and type(got) is float
    assert f.signatures == [(types.float64, types.int64)]   # no new signature compiled


def test_declared_return_type_converts_the_result():
    f = numlir.njit("float64(int64, int64)")(scale)
    got = f(4, 5)
    assert got == float(scale(4, 5)) and type(got) is float


def test_list_of_signatures_picks_the_exact_match():
    f = numlir.njit(["int64(int64, int64)", "float64(float64, float64)"])(scale)
    assert len(f._native) == 2
    a = f(3, 4)
    b = f(1.5, 2.5)
    assert a == scale(3, 4) and type(a) is int
    assert b == scale(1.5, 2.5) and type(b) is float
    assert len(f.signatures) == 2


def test_mixed_arguments_convert_to_a_compatible_signature():
    f = numlir.njit(["int64(int64, int64)", "float64(float64, float64)"])(scale)
    got = f(3, 1.5)                            # only float64(float64, float64) is safe
    assert got == scale(3.0, 1.5) and type(got) is float
    assert len(f.signatures) == 2


@pytest.mark.parametrize("bad", [1 + 2j, "s", (1, 2)])
def test_wrong_types_list_the_accepted_signatures(bad):
    f = numlir.njit(["int64(int64, int64)", "float64(float64, float64)"])(scale)
    with pytest.raises(TypeError) as err:
        f(bad, 2)
    msg = str(err.value)
    assert "int64, int64" in msg and "float64, float64" in msg
    assert str(numlir.typeof(bad)) in msg
    assert len(f.signatures) == 2              # nothing compiled lazily


def test_wrong_argument_count_is_a_type_error():
    f = numlir.njit("float64(float64, int64)")(scale)
    with pytest.raises(TypeError):
        f(1.0)
    with pytest.raises(TypeError):
        f(1.0, 2, 3)


def test_keywords_with_explicit_signature():
    f = numlir.njit("float64(float64, int64)")(scale)
    got = f(n=3, x=0.5)
    assert got == scale(0.5, 3)


def test_signature_objects():
    f = numlir.njit(types.float64(types.float64, types.int64))(scale)
    g = numlir.njit([(types.int64, types.int64)])(scale)
    assert f(0.5, 2) == scale(0.5, 2) and type(f(0.5, 2)) is float
    assert g(5, 2) == scale(5, 2)
    assert f.signatures == [(types.float64, types.int64)]
    assert g.signatures == [(types.int64, types.int64)]


def test_called_from_another_function_with_conversion():
    half = numlir.njit("float64(float64)")(lambda x: x / 2)

    @numlir.njit
    def caller(n):
        return half(n) + 1

    assert caller(3) == 3 / 2 + 1
    assert half.signatures == [(types.float64,)]
