"""Array expressions fuse: one linalg.generic per expression chain (also across statements), one
result buffer, reductions of an expression allocate nothing; writes in between stop fusion.

With contiguous operands each expression is emitted twice, the second copy (marked
``numlir.broadcast_twin``) running only when an operand is broadcast along a size-1 dimension at
run time; counts below are of expressions, i.e. of generics without the mark."""
import numpy as np
import pytest

import numlir


@numlir.njit
def chain_statements(a, b, c):
    t = a * b
    u = t + c
    return np.sqrt(u)


@numlir.njit
def chain_one_line(a, b):
    return a * b - 4.1 * a > 2.5 * b


@numlir.njit
def sum_of_product(a, b):
    return np.sum(a * b)


@numlir.njit
def method_reductions(a, b):
    return (a - b).prod(), (a * 2.0).mean(), (a + b).sum()


@numlir.njit
def broadcast_chain(x, y):
    d = x[:, None] - y[None, :]
    return np.sqrt(d * d + 1.0)


@numlir.njit
def write_between(a, b):
    t = a * b
    a[0] = 100.0
    return t + 1.0


@numlir.njit
def used_twice(a, b):
    t = a * b
    return t + 1.0, t - 1.0


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).random(shape)


def _count(dispatcher, stage, needle):
    text = dispatcher.inspect_mlir(stage=stage)
    if needle == "linalg.generic":
        return sum(1 for line in text.splitlines()
                   if "linalg.generic" in line and "numlir.broadcast_twin" not in line)
    return text.count(needle)


def test_chain_across_statements_is_one_generic(filecheck):
    a, b, c = _rand(7), _rand(7, seed=1), _rand(7, seed=2)
    np.testing.assert_allclose(chain_statements(a, b, c), np.sqrt(a * b + c))
    filecheck(chain_statements.inspect_mlir(stage="lowered"), """
        CHECK: linalg.generic
        CHECK-SAME: iterator_types = ["parallel"]
        CHECK: arith.mulf
        CHECK: arith.addf
        CHECK: math.sqrt
        CHECK: linalg.yield
        CHECK: linalg.generic
        CHECK-SAME: numlir.broadcast_twin
        CHECK-NOT: linalg.generic
    """)
    assert _count(chain_statements, "bufferize", "memref.alloc(") == 1


def test_numba_docs_expression_is_one_generic():
    a, b = _rand(100), _rand(100, seed=1)
    np.testing.assert_array_equal(chain_one_line(a, b), a * b - 4.1 * a > 2.5 * b)
    assert _count(chain_one_line, "lowered", "linalg.generic") == 1
    assert _count(chain_one_line, "bufferize", "memref.alloc(") == 1


def test_reduction_of_expression_allocates_nothing():
    a, b = _rand(50), _rand(50, seed=1)
    np.testing.assert_allclose(sum_of_product(a, b), np.sum(a * b))
    assert _count(sum_of_product, "lowered", "linalg.generic") == 1
    assert 'iterator_types = ["reduction"]' in sum_of_product.inspect_mlir(stage="lowered")
    assert _count(sum_of_product, "bufferize", "memref.alloc(") == 0


def test_method_reductions_fuse():
    a, b = _rand(30), _rand(30, seed=1)
    got = method_reductions(a, b)
    np.testing.assert_allclose(got, ((a - b).prod(), (a * 2.0).mean(), (a + b).sum()))
    assert _count(method_reductions, "lowered", "linalg.generic") == 3
    assert _count(method_reductions, "bufferize", "memref.alloc(") == 0


def test_broadcast_chain_one_generic():
    x, y = _rand(5), _rand(4, seed=1)
    np.testing.assert_allclose(broadcast_chain(x, y), np.sqrt((x[:, None] - y[None, :]) ** 2 + 1))
    assert _count(broadcast_chain, "lowered", "linalg.generic") == 1


def test_write_between_stops_fusion():
    a, b = _rand(6), _rand(6, seed=1)
    want = a * b + 1.0
    got = write_between(a.copy(), b)
    np.testing.assert_allclose(got, want)
    assert _count(write_between, "lowered", "linalg.generic") == 2


def test_value_used_twice_is_inlined_into_both_uses():
    # t's elements are recomputed in each result's loop rather than stored and reloaded
    a, b = _rand(6), _rand(6, seed=1)
    p, m = used_twice(a, b)
    np.testing.assert_allclose(p, a * b + 1.0)
    np.testing.assert_allclose(m, a * b - 1.0)
    assert _count(used_twice, "lowered", "linalg.generic") == 2
    assert _count(used_twice, "bufferize", "memref.alloc(") == 2


@numlir.njit
def shared_by_statements(x, y):
    d = x - y
    s = d * d
    return np.where(d < 0.0, s + 1.0, np.sqrt(s)) * d


def test_expression_shared_by_statements_is_one_loop(filecheck):
    # d and s are used by several later statements: one loop, d's subtraction emitted once
    x, y = _rand(7), _rand(7, seed=1)
    d = x - y
    want = np.where(d < 0.0, d * d + 1.0, np.sqrt(d * d)) * d
    np.testing.assert_allclose(shared_by_statements(x, y), want)
    assert _count(shared_by_statements, "lowered", "linalg.generic") == 1
    assert _count(shared_by_statements, "bufferize", "memref.alloc(") == 1
    filecheck(shared_by_statements.inspect_mlir(stage="canonical"), """
        CHECK: linalg.generic
        CHECK: arith.subf
        CHECK-NOT: arith.subf
        CHECK: linalg.yield
    """)


@pytest.mark.parametrize("order", ["C", "F"])
def test_fortran_inputs_keep_fortran_result(order):
    a = np.asarray(_rand(3, 4), order=order)
    b = np.asarray(_rand(3, 4, seed=1), order=order)
    got = chain_statements(a, b, a)
    np.testing.assert_allclose(got, np.sqrt(a * b + a))
    assert got.flags.f_contiguous == (order == "F")


@numlir.njit
def softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def test_expression_also_reduced_is_computed_once():
    # e feeds a reduction (its own loop) and a division: computed once into a buffer, not
    # recomputed (exp twice) in both loops
    x = _rand(9)
    e = np.exp(x - np.max(x))
    np.testing.assert_allclose(softmax(x), e / np.sum(e), rtol=1e-12)
    # one expression computes e: its generic and that generic's broadcasting twin
    assert softmax.inspect_mlir(stage="canonical").count("math.exp") == 2
