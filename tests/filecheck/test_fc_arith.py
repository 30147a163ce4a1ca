"""Scalar arithmetic lowers to the arith/math dialects ('lowered' and 'canonical' stages)."""
import math

import numlir


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
    filecheck(fc_int_add.inspect_mlir((numlir.typeof(1),) * 2, stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_int_add(%{{.*}}: i64, %{{.*}}: i64) -> (i32, i64)
        CHECK:         %[[SUM:[0-9]+]] = arith.addi %{{.*}}, %{{.*}} : i64
        CHECK:         return %{{.*}}, %[[SUM]] : i32, i64
        CHECK-LABEL: func.func @nl_fc_int_add_entry(
    """)


def test_float_floordiv_uses_math_floor(filecheck):
    assert fc_float_floordiv(7.5, 2.0) == 7.5 // 2.0
    filecheck(fc_float_floordiv.inspect_mlir(stage="canonical"), """
        CHECK-LABEL: func.func @nl_fc_float_floordiv(%{{.*}}: f64, %{{.*}}: f64) -> (i32, f64)
        CHECK:         arith.remf
        CHECK:         math.floor %{{.*}} : f64
        CHECK-NOT:     arith.divsi
        CHECK-LABEL: func.func @nl_fc_float_floordiv_entry(
    """)


def test_sqrt_is_math_sqrt(filecheck):
    assert fc_sqrt(2.0) == math.sqrt(2.0)
    filecheck(fc_sqrt.inspect_mlir(stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_sqrt(
        CHECK-SAME:    %[[X:[a-z0-9_]+]]: f64) -> (i32, f64)
        CHECK:         math.sqrt %[[X]] : f64
        CHECK-NOT:     func.call
        CHECK-LABEL: func.func @nl_fc_sqrt_entry(
    """)


def test_int_times_float_converts_first(filecheck):
    assert fc_mixed(3, 0.5) == 3 * 0.5
    filecheck(fc_mixed.inspect_mlir(stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_mixed(
        CHECK-SAME:    %[[A:[a-z0-9_]+]]: i64, %[[X:[a-z0-9_]+]]: f64)
        CHECK:         %[[AF:[0-9]+]] = arith.sitofp %[[A]] : i64 to f64
        CHECK:         arith.mulf %[[AF]], %[[X]] : f64
    """)


def test_llvm_stage_has_no_arith_left(filecheck):
    fc_int_add(1, 2)
    filecheck(fc_int_add.inspect_mlir((numlir.typeof(1),) * 2, stage="llvm"), """
        CHECK-LABEL: llvm.func @nl_fc_int_add(
        CHECK:         llvm.add
        CHECK-NOT:     arith.addi
        CHECK-NOT:     func.func
    """)
