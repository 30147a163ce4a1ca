"""Scalar arithmetic lowers to the arith/math dialects ('lowered' and 'canonical' stages)."""
import math

import numlir

I64 = numlir.typeof(1)


@numlir.njit
def fc_int_add(a, b):
    return a + b


@numlir.njit
def fc_float_floordiv(a, b):
    return a // b


@numlir.njit
def fc_sqrt(x):
    return math.sqrt(x)


@numlir.njit
def fc_mixed(a, x):
    return a * x


def test_int_add(filecheck):
    assert fc_int_add(2, 3) == 5
    filecheck(fc_int_add.inspect_mlir((I64, I64), stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_int_add(
        CHECK-SAME:    %{{[a-z0-9_]+}}: i64, %{{[a-z0-9_]+}}: i64) -> (i32, i64)
        CHECK:         %[[SUM:[0-9]+]] = arith.addi %{{.*}}, %{{.*}} : i64
        CHECK:         return %{{.*}}, %[[SUM]] : i32, i64
    """, func="nl_fc_int_add")


def test_float_floordiv_uses_math_floor(filecheck):
    assert fc_float_floordiv(7.5, 2.0) == 7.5 // 2.0
    filecheck(fc_float_floordiv.inspect_mlir(stage="canonical"), """
        CHECK-LABEL: func.func @nl_fc_float_floordiv(
        CHECK-SAME:    f64, %{{[a-z0-9_]+}}: f64) -> (i32, f64)
        CHECK:         arith.remf
        CHECK:         math.floor %{{.*}} : f64
        CHECK-NOT:     arith.divsi
        CHECK-NOT:     fptosi
    """, func="nl_fc_float_floordiv")


def test_sqrt_is_math_sqrt(filecheck):
    assert fc_sqrt(2.0) == math.sqrt(2.0)
    filecheck(fc_sqrt.inspect_mlir(stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_sqrt(
        CHECK-SAME:    %[[X:[a-z0-9_]+]]: f64) -> (i32, f64)
        CHECK:         math.sqrt %[[X]] : f64
        CHECK-NOT:     call
    """, func="nl_fc_sqrt")


def test_int_times_float_converts_first(filecheck):
    assert fc_mixed(3, 0.5) == 3 * 0.5
    filecheck(fc_mixed.inspect_mlir(stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_mixed(
        CHECK-SAME:    %[[A:[a-z0-9_]+]]: i64, %[[X:[a-z0-9_]+]]: f64)
        CHECK:         %[[AF:[0-9]+]] = arith.sitofp %[[A]] : i64 to f64
        CHECK:         arith.mulf %[[AF]], %[[X]] : f64
    """, func="nl_fc_mixed")


def test_llvm_stage_has_no_arith_left(filecheck):
    fc_int_add(1, 2)
    filecheck(fc_int_add.inspect_mlir((I64, I64), stage="llvm"), """
        CHECK-LABEL: llvm.func @nl_fc_int_add(
        CHECK:         llvm.add
        CHECK-NOT:     arith.
    """, func="nl_fc_int_add")
