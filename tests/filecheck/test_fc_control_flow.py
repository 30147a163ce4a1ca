"""Branches and loops: cf in the 'lowered' stage, structured scf ops after 'lift-cf-to-scf'."""
import numlir


@numlir.njit
def fc_loop(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


@numlir.njit
def fc_branch(x):
    if x > 0:
        return x * 2
    return -x


def test_range_loop_is_structured_in_scf_stage(filecheck):
    assert fc_loop(10) == fc_loop.py_func(10)
    filecheck(fc_loop.inspect_mlir(stage="scf"), """
        CHECK-LABEL: func.func @nl_fc_loop(
        CHECK:         scf.{{while|for}}
        CHECK:         arith.muli
        CHECK:         scf.yield
        CHECK:         return
        CHECK-NOT:     {{ cf[.]}}
    """, func="nl_fc_loop")


def test_range_loop_is_a_cfg_in_lowered_stage(filecheck):
    fc_loop(3)
    filecheck(fc_loop.inspect_mlir(stage="lowered"), """
        CHECK-LABEL: func.func @nl_fc_loop(
        CHECK-NOT:     scf.
        CHECK:         cf.cond_br
        CHECK-NOT:     scf.
    """, func="nl_fc_loop")


def test_if_becomes_scf_if(filecheck):
    assert [fc_branch(v) for v in (-3, 0, 4)] == [fc_branch.py_func(v) for v in (-3, 0, 4)]
    filecheck(fc_branch.inspect_mlir(stage="scf"), """
        CHECK-LABEL: func.func @nl_fc_branch(
        CHECK:         %[[C:[0-9]+]] = arith.cmpi sgt
        CHECK:         scf.if %[[C]] -> (i64)
        CHECK:           arith.muli
        CHECK:         } else {
        CHECK:           arith.subi
        CHECK-NOT:     {{ cf[.]}}
    """, func="nl_fc_branch")
