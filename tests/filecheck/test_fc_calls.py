"""Calls between numlir functions: one module, a private callee, func.call and status
propagation."""
import math

import numlir


@numlir.njit
def fc_callee(x):
    return math.sqrt(x) + 1.0


@numlir.njit
def fc_caller(x):
    return fc_callee(x) * 2.0


def test_call_is_func_call(filecheck):
    assert fc_caller(4.0) == (math.sqrt(4.0) + 1.0) * 2.0
    filecheck(fc_caller.inspect_mlir(stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_caller(
        CHECK:         %[[R:[0-9]+]]:2 = {{(func\\.)?}}call @nl_fc_callee(%{{[^)]*}})
        CHECK-SAME:    : (f64) -> (i32, f64)
        CHECK:         %[[FAILED:[0-9]+]] = arith.cmpi ne, %[[R]]#0, %{{.*}} : i32
        CHECK:         cf.cond_br %[[FAILED]], ^[[ERR:bb[0-9]+]], ^[[OK:bb[0-9]+]]
        CHECK:       ^[[ERR]]:
        CHECK:         return %[[R]]#0, %{{.*}} : i32, f64
        CHECK:       ^[[OK]]:
        CHECK:         arith.mulf %[[R]]#1
    """, func="nl_fc_caller")


def test_callee_is_private_in_the_same_module(filecheck):
    fc_caller(1.0)
    filecheck(fc_caller.inspect_mlir(stage="lowered"), """
        CHECK-LABEL: func.func private @nl_fc_callee(
        CHECK:         math.sqrt
        CHECK:         arith.addf
    """, func="nl_fc_callee")


def test_callee_not_compiled_separately():
    fc_caller(1.0)
    assert fc_callee._native == {}
