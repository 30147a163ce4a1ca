"""``DISABLE_JIT``: the Python function runs, nothing is compiled (also for explicit signatures)."""
import numlir
from numlir import config


def uses_python_objects(x):
    return [x, str(x)]                      # not compilable: proves the Python function ran


def test_disable_jit_runs_python():
    f = numlir.njit(uses_python_objects)
    with config.override(DISABLE_JIT=True):
        assert f(3) == uses_python_objects(3)
        assert f(x=2.5) == uses_python_objects(2.5)
    assert f._native == {}


def test_disable_jit_skips_eager_signatures():
    with config.override(DISABLE_JIT=True):
        f = numlir.njit("int64(int64)")(uses_python_objects)
        assert f("anything") == uses_python_objects("anything")
    assert f._native == {}


def test_jit_back_on_compiles():
    def twice(x):
        return 2 * x
    f = numlir.njit(twice)
    with config.override(DISABLE_JIT=True):
        assert f(4) == twice(4)
    assert f(4) == twice(4)
    assert len(f._native) == 1
