"""The FileCheck fixture itself rejects a wrong check (so the IR tests can fail)."""
import pytest

MODULE = """module {
  func.func @f(%arg0: i64) -> i64 {
    %0 = arith.addi %arg0, %arg0 : i64
    return %0 : i64
  }
  func.func private @g() {
    %0 = arith.muli %c, %c : i64
    return
  }
}
"""


def test_fixture_detects_a_mismatch(filecheck):
    filecheck(MODULE, "CHECK-LABEL: func.func @f\nCHECK: arith.addi\n")
    with pytest.raises(pytest.fail.Exception, match="FileCheck failed"):
        filecheck(MODULE, "CHECK: arith.subi\n")
    with pytest.raises(pytest.fail.Exception):
        filecheck(MODULE, "CHECK: arith.addi\nCHECK-NOT: arith.muli\n")


def test_func_restricts_the_input(filecheck):
    filecheck(MODULE, "CHECK-LABEL: func.func @f(\nCHECK: return\nCHECK-NOT: arith.muli\n",
              func="f")
    with pytest.raises(pytest.fail.Exception):
        filecheck(MODULE, "CHECK: arith.muli\n", func="f")
    filecheck(MODULE, "CHECK: func.func private @g\nCHECK-NEXT: arith.muli\n", func="g")
