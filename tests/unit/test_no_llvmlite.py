"""numlir never runs Numba's llvmlite lowering or code generation, for its own functions or for the
Numba ``@overload`` / ``register_jitable`` implementations they reach (those are only typed)."""
import math

import pytest
from numba.core import codegen, lowering
from numba.extending import overload, register_jitable

import numlir
from numlir.frontend.target import numlir_target


def shifted(x):
    return x + 1


@overload(shifted)
def _shifted_impl(x):
    return lambda x: x * 3 + 1


@register_jitable
def halve(x):
    return x / 2


@pytest.fixture
def no_llvmlite(monkeypatch):
    """Fail on any llvmlite lowering, module or library creation while the test runs.

    One-off initialisation may build a small llvmlite module once per process: Numba's target
    context setup (NRT included), and importing ``numba.typed``, whose module-level ``@njit``
    creates Numba's own CPU target context (typing a global class imports it lazily). Both are
    forced here, before the spies start: initialise numlir's target context, import numba.typed and
    compile a function that reaches Numba's builtin templates."""
    import numba.typed.typeddict  # noqa: F401
    numlir_target.target_context.refresh()
    numlir.njit(lambda a, b: divmod(a, b)[0] + math.floor(a))(7, 2)
    events = []

    def spy(what):
        def record(*args, **kws):
            events.append(what)
            raise AssertionError(f"llvmlite used: {what}")
        return record

    monkeypatch.setattr(lowering.BaseLower, "lower", spy("BaseLower.lower"))
    monkeypatch.setattr(codegen.CPUCodegen, "_create_empty_module", spy("_create_empty_module"))
    monkeypatch.setattr(codegen.CPUCodegen, "create_library", spy("create_library"))
    yield events
    assert events == []


def inner(x, y):
    q, r = divmod(x, y)
    return q * 10 + r + math.hypot(x, y)


def test_calls_between_numlir_functions(no_llvmlite):
    g = numlir.njit(inner)

    @numlir.njit
    def outer(x):
        return g(x, 4.0) + math.sin(x) + math.floor(x) + abs(-x)

    args = [0.5, 7.25, -3.0]
    ref = [inner(x, 4.0) + math.sin(x) + math.floor(x) + abs(-x) for x in args]
    assert [outer(x) for x in args] == ref


def test_numba_overload_and_register_jitable(no_llvmlite):
    @numlir.njit
    def f(x):
        return shifted(x) + halve(x)

    for x in (3, 2.5):
        assert f(x) == (x * 3 + 1) + x / 2


def test_round_with_ndigits(no_llvmlite):
    f = numlir.njit(lambda x: round(x, 2))
    for x in (1.2345, 0.125, 1e300):
        assert f(x) == round(x, 2)
    # -2.675 is stored as -2.67499999...: CPython rounds the exact decimal value (-2.67), Numba
    # (and numlir) scale by 10**2 and round half-even (-2.68); numlir follows Numba's algorithm
    import numpy as np
    for x in (-2.675, 2.675, 0.285):
        assert f(x) == float(np.rint(x * 100.0) / 100.0)


def test_the_spies_catch_numba_codegen(no_llvmlite):
    import numba
    with pytest.raises(Exception):
        numba.njit(lambda x: x + 1)(1)
    assert no_llvmlite, "a Numba compile went unnoticed: the spies watch the wrong functions"
    no_llvmlite.clear()
