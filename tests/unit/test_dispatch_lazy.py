"""Lazy compilation: one native compile per new argument-type signature, Numba's introspection
API."""
import numpy as np
import pytest
from numba.core import types

import numlir
from numlir.targets import cpu


def _count_compiles(monkeypatch):
    calls = []
    real = cpu.compile_dispatcher

    def spy(dispatcher, argtypes, next_entry):
        calls.append(tuple(argtypes))
        return real(dispatcher, argtypes, next_entry)

    monkeypatch.setattr(cpu, "compile_dispatcher", spy)
    return calls


def poly(a, b):
    return a * b - a


def test_compiles_once_per_signature(monkeypatch):
    calls = _count_compiles(monkeypatch)
    f = numlir.njit(poly)
    assert calls == [] and f.signatures == []
    assert f(3, 4) == poly(3, 4)
    assert f(5, -2) == poly(5, -2)
    assert calls == [(types.int64, types.int64)]
    assert f(1.5, 2.0) == poly(1.5, 2.0)
    assert f(1.5, 2.0) == poly(1.5, 2.0)
    assert len(calls) == 2
    assert f.signatures == [(types.int64, types.int64), (types.float64, types.float64)]


def test_numpy_scalars_get_their_own_signature():
    f = numlir.njit(poly)
    a, b = np.float32(1.5), np.float32(4.0)
    got = f(a, b)
    assert got == poly(a, b) and type(got) is float     # Numba boxes float32 results as float
    assert f.signatures == [(types.float32, types.float32)]


def test_result_types_match_python():
    f = numlir.njit(poly)
    for args in [(2, 3), (2.0, 3.0), (True, True), (1 + 2j, 3 - 1j), (7, 0.5)]:
        got, want = f(*args), poly(*args)
        assert got == want and type(got) is type(want), args


def test_overloads_and_py_func():
    f = numlir.njit(poly)
    assert f.py_func is poly
    assert f.__name__ == "poly" and f.__doc__ == poly.__doc__
    f(2, 3.5)
    (key,) = f.overloads
    assert key == (types.int64, types.float64)
    sig = f.overloads[key].signature
    assert sig.args == key and sig.return_type == numlir.typeof(poly(2, 3.5))


def test_decorator_forms_and_jit_alias():
    plain = numlir.njit(poly)
    called = numlir.njit()(poly)
    with_opts = numlir.njit(fastmath=False, nogil=True)(poly)
    via_jit = numlir.jit(nopython=True)(poly)
    for f in (plain, called, with_opts, via_jit):
        assert f(6, 7) == poly(6, 7)


def test_every_numba_option_is_accepted():
    from numba.core.cpu import CPUTargetOptions
    from numba.core.options import TargetOptions
    names = [n for n in dir(CPUTargetOptions) if not n.startswith("__")
             and not callable(getattr(TargetOptions, n, None)) and n != "Mapping"]
    assert "fastmath" in names and "debug" in names
    for name in names:
        if name not in ("nopython", "forceobj"):
            value = "python" if name == "error_model" else False
            f = numlir.njit(**{name: value})(poly)
            assert f(2, 5) == poly(2, 5), name
    with pytest.raises(KeyError, match="no_such_option"):
        numlir.njit(no_such_option=True)
