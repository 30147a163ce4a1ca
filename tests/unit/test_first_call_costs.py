"""The first-call measures keep behaviour: cyclic GC paused only while compiling (and left alone
when the user turned it off), the NumPy registry tier chosen from the code, builtin classes typed
as Numba types them, stage texts rebuilt on request."""
import gc
import math

import numpy as np
from numba.core import types

import numlir
from numlir.frontend.target import numlir_target, uses_numpy

A1 = types.Array(types.float64, 1, "C")


def _indexing(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i] + math.sqrt(abs(a[i]))
    return s


def _method(a):
    return a.sum()


def _nested_method(a):
    def inner(x):
        return x.copy()
    return inner(a)


def _numpy_name(n):
    return np.zeros(n)


def _scalar(x):
    return math.sqrt(x) + abs(x)


def _ufuncs_and_classes(a):
    return np.sqrt(a) + np.float32(2.0) * np.pi


def _numpy_function(a):
    return np.where(a > 0, a, 0.0)


def _submodule(n):
    return np.random.rand(n)


def test_uses_numpy():
    assert uses_numpy(_indexing, (A1, A1)) is None          # core attributes, math, builtins
    assert uses_numpy(_method, (A1,)) == "numpy"            # array methods: @overload_method
    assert uses_numpy(_nested_method, (A1,)) == "numpy"     # closures' code counts
    assert uses_numpy(_numpy_name, (types.int64,)) == "own"  # np.zeros: numlir's template
    assert uses_numpy(_scalar, (types.float64,)) is None
    assert uses_numpy(_scalar, (types.NumberClass(types.float64),)) == "numpy"
    assert uses_numpy(_ufuncs_and_classes, (A1,)) is None
    assert uses_numpy(_numpy_function, (A1,)) == "numpy"
    assert uses_numpy(_submodule, (types.int64,)) == "numpy"


def test_each_kind_compiles_and_matches():
    for fn, arg in ((_indexing, None), (_method, None), (_nested_method, None),
                    (_numpy_name, 4), (_ufuncs_and_classes, None), (_numpy_function, None)):
        a = np.linspace(-1.0, 2.0, 7) if arg is None else arg
        args = (a, a) if fn is _indexing else (a,)
        np.testing.assert_allclose(numlir.njit(fn)(*args), fn(*args), rtol=1e-6)


def test_gc_resumes_after_compile():
    f = numlir.njit(lambda x: x * 2.0 + 1.0)
    assert gc.isenabled()
    assert f(1.5) == 4.0
    assert gc.isenabled()


def test_gc_left_off_when_user_disabled_it():
    f = numlir.njit(lambda x: x - 3)
    gc.disable()
    try:
        assert f(5) == 2
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_builtin_classes_typed_as_numba_does():
    ctx = numlir_target.typing_context
    for cls in (float, int, range, complex, bool, enumerate, zip, slice, tuple):
        ty = ctx.resolve_value_type(cls)
        assert ty == ctx._get_global_type(cls), cls


def test_builtin_classes_in_compiled_code():
    @numlir.njit
    def f(n):
        s = 0.0
        for i, k in enumerate(range(n)):
            s += float(i) * int(k) + complex(1.0, 0.0).real
        return s, np.zeros(n, dtype=float).sum()
    assert f(4) == (sum(float(i) * i + 1.0 for i in range(4)), 0.0)


def test_stages_rebuilt_on_request():
    f = numlir.njit(lambda a: a * 2.0)
    np.testing.assert_array_equal(f(np.arange(3.0)), np.arange(3.0) * 2.0)
    cf = next(iter(f._native.values()))
    assert cf._stages is None            # the compile printed nothing
    text = f.inspect_mlir(stage="lowered")
    assert "linalg.generic" in text
    assert set(cf.stages) >= {"lowered", "canonical", "bufferize", "scf", "dealloc", "llvm"}
    assert "llvm.func" in f.inspect_mlir(stage="llvm")
