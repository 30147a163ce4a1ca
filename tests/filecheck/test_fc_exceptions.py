"""Exceptions are status codes: a guarded branch to a block returning a non-zero i32 status."""
import re

import pytest

import numlir
from numlir.runtime import exceptions


@numlir.njit
def fc_int_floordiv(a, b):
    return a // b


@numlir.njit
def fc_raise(x):
    if x < 0:
        raise ValueError("negative")
    return x


def _status_classes(function_text):
    """Exception classes of the non-zero i32 status constants in one function's text."""
    codes = {int(c) for c in re.findall(r"arith.constant (\d+) : i32", function_text)} - {0}
    return {exceptions._table[c][0] for c in codes}


def test_zero_division_check(filecheck, mlir_function):
    with pytest.raises(ZeroDivisionError):
        fc_int_floordiv(1, 0)
    assert fc_int_floordiv(-7, 2) == -7 // 2
    text = fc_int_floordiv.inspect_mlir(stage="lowered")
    filecheck(text, """
        CHECK-LABEL: func.func @nl_fc_int_floordiv(
        CHECK-SAME:    %{{[a-z0-9_]+}}: i64, %[[B:[a-z0-9_]+]]: i64) -> (i32, i64)
        CHECK:         %[[ISZERO:[0-9]+]] = arith.cmpi eq, %[[B]], %{{.*}} : i64
        CHECK:         cf.cond_br %[[ISZERO]], ^[[ERR:bb[0-9]+]], ^[[OK:bb[0-9]+]]
        CHECK:       ^[[ERR]]:
        CHECK-NOT:   {{bb[0-9]+:}}
        CHECK:         %[[CODE:[a-z0-9_]+]] = arith.constant {{[1-9][0-9]*}} : i32
        CHECK-NOT:   {{bb[0-9]+:}}
        CHECK:         return %[[CODE]], %{{.*}} : i32, i64
        CHECK:       ^[[OK]]:
        CHECK:         arith.divsi
    """, func="nl_fc_int_floordiv")
    assert _status_classes(mlir_function(text, "nl_fc_int_floordiv")) == {ZeroDivisionError}


def test_raise_statement(filecheck, mlir_function):
    with pytest.raises(ValueError, match="negative"):
        fc_raise(-1)
    assert fc_raise(5) == 5
    text = fc_raise.inspect_mlir(stage="canonical")
    filecheck(text, """
        CHECK-LABEL: func.func @nl_fc_raise(
        CHECK-DAG:     %[[CODE:c[1-9][0-9]*_i32]] = arith.constant {{[1-9][0-9]*}} : i32
        CHECK-DAG:     %[[NEG:[0-9]+]] = arith.cmpi slt
        CHECK:         cf.cond_br %[[NEG]], ^[[ERR:bb[0-9]+]], ^{{bb[0-9]+}}
        CHECK:       ^[[ERR]]:
        CHECK-NEXT:    return %[[CODE]], %{{.*}} : i32, i64
    """, func="nl_fc_raise")
    assert _status_classes(mlir_function(text, "nl_fc_raise")) == {ValueError}
