"""Vectorized transcendental math (libmvec through ``passes/vector_math.py``) against NumPy.

Each function runs in a compiled loop ``out[i] = math.f(a[i])`` (the loop the vectorizer turns into
SIMD calls) over random values in its main range, random magnitudes over the whole float range and
edge values (0, -0, inf, nan, denormals, overflow and domain limits); the results must be within
4 ulp of the reference, with NaN, inf and zero exactly where the reference has them. Reference:
NumPy (``math`` for erf/erfc) in float64; for float32, the float64 reference rounded to float32.
"""
import math

import numpy as np
import pytest

import numlir
from numlir import config
from numlir.runtime import libmvec
from numlir.tools.machine_code import loop_calls, object_disassembly
from numlir.tools.ulp import max_ulp, ulp_distance

MAX_ULP = 4
N_RANDOM = 3000


def _elementwise(fn):
    return np.vectorize(fn, otypes=[np.float64])


# name: (math function, reference on float64, main range of the random inputs)
UNARY = {
    "exp": (math.exp, np.exp, (-750, 720)),
    "expm1": (math.expm1, np.expm1, (-40, 720)),
    "log": (math.log, np.log, (0, 10)),
    "log2": (math.log2, np.log2, (0, 10)),
    "log10": (math.log10, np.log10, (0, 10)),
    "log1p": (math.log1p, np.log1p, (-1, 10)),
    "sin": (math.sin, np.sin, (-50, 50)),
    "cos": (math.cos, np.cos, (-50, 50)),
    "tan": (math.tan, np.tan, (-50, 50)),
    "asin": (math.asin, np.arcsin, (-1, 1)),
    "acos": (math.acos, np.arccos, (-1, 1)),
    "atan": (math.atan, np.arctan, (-20, 20)),
    "sinh": (math.sinh, np.sinh, (-720, 720)),
    "cosh": (math.cosh, np.cosh, (-720, 720)),
    "tanh": (math.tanh, np.tanh, (-20, 20)),
    "asinh": (math.asinh, np.arcsinh, (-20, 20)),
    "acosh": (math.acosh, np.arccosh, (1, 20)),
    "atanh": (math.atanh, np.arctanh, (-1, 1)),
    "erf": (math.erf, _elementwise(math.erf), (-7, 7)),
    "erfc": (math.erfc, _elementwise(math.erfc), (-7, 30)),
}
BINARY = {
    "pow": (math.pow, np.power, (0, 20), (-60, 60)),
    "atan2": (math.atan2, np.arctan2, (-20, 20), (-20, 20)),
    "hypot": (math.hypot, np.hypot, (-1e3, 1e3), (-1e3, 1e3)),
}
EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310,
         -1e-310, 1e-200, 1.0, -1.0, 0.5, -0.5, 2.0, 1e300, -1e300, 1.7976931348623157e308,
         709.782712893384, 709.79, -708.4, -745.13, -745.2, 88.72, 88.73, -87.33, -103.97,
         89.41, 710.47, 1e22, 1e100, 3.0e38, 1e-45, 1e-40, 1.1754943508222875e-38, np.pi / 2]


def _inputs(lo, hi, dtype, seed):
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    uniform = rng.uniform(lo, hi, N_RANDOM)
    exponents = rng.uniform(np.log10(float(info.smallest_subnormal)), np.log10(float(info.max)),
                            N_RANDOM)
    magnitudes = 10.0 ** exponents * rng.choice([-1.0, 1.0], N_RANDOM)
    with np.errstate(over="ignore"):
        values = np.concatenate([uniform, magnitudes, EDGES]).astype(dtype)
    return values


def _kernel1(fn):
    def loop(a, out):
        for i in range(a.shape[0]):
            out[i] = fn(a[i])
    return numlir.njit(loop)


def _kernel2(fn):
    def loop(a, b, out):
        for i in range(a.shape[0]):
            out[i] = fn(a[i], b[i])
    return numlir.njit(loop)


def _reference(ref, dtype, *args):
    with np.errstate(all="ignore"):
        want = ref(*(np.asarray(x, np.float64) for x in args))
        return want.astype(dtype)


def _check(got, want, args):
    special = np.isnan(want) | np.isinf(want) | (want == 0)
    same = (np.isnan(got) == np.isnan(want)) & ((got == want) | np.isnan(want) | ~special)
    bad = np.flatnonzero(~same)
    assert bad.size == 0, [(tuple(x[i] for x in args), got[i], want[i]) for i in bad[:5]]
    dist = ulp_distance(got, want)
    worst = int(np.argmax(dist))
    assert dist[worst] <= MAX_ULP, (
        f"{dist[worst]} ulp at {tuple(x[worst] for x in args)}: {got[worst]!r} vs {want[worst]!r}")


DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_within_4_ulp(name, dtype):
    fn, ref, (lo, hi) = UNARY[name]
    a = _inputs(lo, hi, dtype, seed=len(name))
    out = np.empty_like(a)
    _kernel1(fn)(a, out)
    _check(out, _reference(ref, dtype, a), (a,))


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_within_4_ulp(name, dtype):
    fn, ref, (lo, hi), (lo2, hi2) = BINARY[name]
    a = _inputs(lo, hi, dtype, seed=1)
    b = np.random.default_rng(2).permutation(_inputs(lo2, hi2, dtype, seed=3))
    out = np.empty_like(a)
    _kernel2(fn)(a, b, out)
    _check(out, _reference(ref, dtype, a, b), (a, b))


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_ufunc_cbrt_exp2_within_4_ulp(dtype):
    @numlir.njit
    def f(a):
        return np.cbrt(a), np.exp2(a * 0.1)

    a = _inputs(-1e3, 1e3, dtype, seed=7)
    got_cbrt, got_exp2 = f(a)
    _check(got_cbrt, _reference(np.cbrt, dtype, a), (a,))
    _check(got_exp2, _reference(np.exp2, dtype, a * dtype(0.1)), (a,))


def test_ulp_distance_helper():
    x = np.array([1.0, 0.0, -0.0, 5e-324, np.inf, np.nan, 1.0])
    y = np.array([np.nextafter(1.0, 2.0), -0.0, -5e-324, -5e-324, np.inf, np.nan, np.nan])
    assert list(ulp_distance(x, y)[:6]) == [1, 0, 1, 2, 0, 0]
    assert ulp_distance(x, y)[6] > 2 ** 60
    f = np.float32(3.0)
    assert max_ulp(np.array([f]), np.array([np.nextafter(np.nextafter(f, f32_inf()), f32_inf())
                                            ])) == 2


def f32_inf():
    return np.float32(np.inf)


def _exp_kernel():
    def g(a):
        return np.exp(a)
    return numlir.njit(g)


@pytest.mark.skipif(not libmvec.available(), reason="no glibc libmvec here")
def test_hot_loop_calls_simd_exp():
    g = _exp_kernel()
    a = np.linspace(-3, 3, 1001)
    np.testing.assert_allclose(g(a), np.exp(a), rtol=1e-15)
    loops = loop_calls(object_disassembly(g))
    simd = [calls for _, _, calls in loops if any(c.startswith("_ZGV") for c in calls)]
    assert simd, loops
    assert all("exp" not in calls for calls in simd), loops
    assert any(c.endswith("_exp") for calls in simd for c in calls), loops


def _sin_exp(a):
    return np.sin(a) * np.exp(a)


@pytest.mark.skipif(not libmvec.available(), reason="no glibc libmvec here")
@pytest.mark.parametrize("shape, dtype", [((1001,), np.float64), ((30, 37), np.float32)])
def test_fused_loop_calls_simd_sin_and_exp(shape, dtype):
    g = numlir.njit(_sin_exp)
    a = np.linspace(-3, 3, math.prod(shape)).reshape(shape).astype(dtype)
    np.testing.assert_allclose(g(a), _sin_exp(a), rtol=1e-14 if dtype == np.float64 else 2e-6)
    scalar = {"sin", "exp"} if dtype == np.float64 else {"sinf", "expf"}
    loops = loop_calls(object_disassembly(g))
    simd = [calls for _, _, calls in loops if any(c.startswith("_ZGV") for c in calls)]
    assert simd, loops
    assert all(not calls & scalar for calls in simd), loops
    assert any({c.split("_", 2)[-1] for c in calls} == scalar for calls in simd), loops


def test_vector_math_off_keeps_scalar_calls():
    with config.override(VECTOR_MATH=False):
        g = _exp_kernel()
        a = np.linspace(-3, 3, 1001)
        np.testing.assert_allclose(g(a), np.exp(a), rtol=1e-15)
    loops = loop_calls(object_disassembly(g))
    assert any("exp" in calls for _, _, calls in loops), loops
    assert not any(c.startswith("_ZGV") for _, _, calls in loops for c in calls), loops


def test_without_libmvec_scalar_calls(monkeypatch):
    monkeypatch.setattr(libmvec, "_state", {"lib": None, "isas": [], "names": {}})
    assert not libmvec.available()
    g = _exp_kernel()
    a = np.linspace(-3, 3, 1001)
    np.testing.assert_allclose(g(a), np.exp(a), rtol=1e-15)
    assert "_ZGV" not in g.inspect_mlir(stage="llvm")
    loops = loop_calls(object_disassembly(g))
    assert any("exp" in calls for _, _, calls in loops), loops
