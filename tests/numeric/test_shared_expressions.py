"""Array expressions used by several later statements of a block are inlined into each use
(no intermediate buffer) and emitted once per loop body: results against NumPy, including the
cases where the sharing must stop (a write to a leaf between the uses, a use in another block),
and a chain whose naive inlining would grow exponentially."""
import numpy as np
import pytest

import numlir
from tests.numeric.test_array_exprs import _check
from tests.numeric.test_array_support import check_mutating


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).random(shape) + 0.5


@numlir.njit
def black_scholes(S, K, T, r, v):
    sqrt_t = np.sqrt(T)
    d1 = (np.log(S / K) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    k1 = 1.0 / (1.0 + 0.2316419 * np.abs(d1))
    k2 = 1.0 / (1.0 + 0.2316419 * np.abs(d2))
    w1 = 1.0 - 0.3989422804014327 * np.exp(-0.5 * d1 * d1) * k1 * (
        0.31938153 + k1 * (-0.356563782 + k1 * (1.781477937 + k1 * 1.330274429)))
    w2 = 1.0 - 0.3989422804014327 * np.exp(-0.5 * d2 * d2) * k2 * (
        0.31938153 + k2 * (-0.356563782 + k2 * (1.781477937 + k2 * 1.330274429)))
    n1 = np.where(d1 < 0.0, 1.0 - w1, w1)
    n2 = np.where(d2 < 0.0, 1.0 - w2, w2)
    return S * n1 - K * np.exp(-r * T) * n2


@numlir.njit
def two_results(a, b):
    t = a * b
    return t + 1.0, t - 1.0


@numlir.njit
def write_between_uses(a, b):
    t = a * b
    u = t + 1.0
    a[0] = 100.0          # t's leaf changes: t is computed before this write
    return u, t * 2.0


@numlir.njit
def used_in_reduction_and_expression(a):
    t = np.exp(a) - 1.0
    s = np.sum(t)
    return t / s


@numlir.njit
def used_in_other_block(a, flag):
    t = a * 3.0
    u = t + 1.0
    if flag:
        return u + t
    return u - t


@numlir.njit
def broadcast_shared(x, y):
    d = x[:, None] - y[None, :]
    e = d * d
    return np.sqrt(e + 1.0) + e * d


def _deep_chain(levels):
    """``x = x * x + x`` ``levels`` times in one block (straight-line code, no loop)."""
    src = "def deep_chain(a):\n    x = a * 0.5\n" + "    x = x * x + x\n" * levels + \
        "    return x\n"
    ns = {}
    exec(src, ns)      # noqa: S102 -- generated straight-line source
    return numlir.njit(ns["deep_chain"])


deep_chain = _deep_chain(20)


@numlir.njit
def shared_pairs(a):
    x = a * 0.25
    y = x + x * 0.5
    z = y * x - y
    w = z * y + x
    return w * z - y


@numlir.njit
def shared_int(a, b):
    t = a * b + 3
    return t % 7, t // 5, t > 10


def test_black_scholes():
    n = 1001
    S, K, T = 50.0 + 50.0 * _rand(n), 50.0 + 50.0 * _rand(n, seed=1), 0.25 + 2 * _rand(n, seed=2)
    _check(black_scholes, S, K, T, 0.02, 0.3)


def test_two_results_no_intermediate_buffer():
    a, b = _rand(9), _rand(9, seed=1)
    _check(two_results, a, b)
    text = two_results.inspect_mlir(stage="bufferize")
    assert text.count("memref.alloc(") == 2      # the two results only


def test_write_between_uses():
    check_mutating(write_between_uses, lambda: (_rand(8), _rand(8, seed=1)))


def test_reduction_and_expression():
    _check(used_in_reduction_and_expression, _rand(13))


@pytest.mark.parametrize("flag", [True, False])
def test_other_block(flag):
    _check(used_in_other_block, _rand(5), flag)


@pytest.mark.parametrize("shapes", [((4,), (3,)), ((1,), (6,)), ((5,), (1,)), ((0,), (2,))])
def test_broadcast(shapes):
    _check(broadcast_shared, _rand(*shapes[0]), _rand(*shapes[1], seed=1))


def test_deep_chain_compiles_linearly():
    # naive inlining emits 3**20 multiplications; shared sub-expressions are emitted once
    _check(deep_chain, _rand(6) * 0.01, rtol=1e-9)
    assert deep_chain.inspect_mlir(stage="canonical").count("arith.mulf") < 200


@pytest.mark.parametrize("layout", ["C", "F", "A"])
def test_shared_pairs_layouts(layout):
    a = _rand(6, 5)
    if layout == "F":
        a = np.asfortranarray(a)
    elif layout == "A":
        a = _rand(12, 5)[::2]
    _check(shared_pairs, a)


def test_integers():
    a = np.arange(-20, 20, dtype=np.int64)
    b = np.arange(40, dtype=np.int32)[::-1].copy()
    _check(shared_int, a, b)


@pytest.mark.parametrize("threads", [1, 2])
def test_parallel_black_scholes(threads):
    par = numlir.njit(parallel=True)(black_scholes.py_func)
    n = 50_001
    S, K, T = 50.0 + 50.0 * _rand(n), 50.0 + 50.0 * _rand(n, seed=1), 0.25 + 2 * _rand(n, seed=2)
    old = numlir.get_num_threads()
    numlir.set_num_threads(threads)
    try:
        _check(par, S, K, T, 0.02, 0.3)
    finally:
        numlir.set_num_threads(old)
