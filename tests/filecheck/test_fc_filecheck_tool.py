"""The FileCheck fixture itself rejects a wrong check (so the IR tests can fail)."""
import pytest


def test_fixture_detects_a_mismatch(filecheck):
    filecheck("func.func @f() {\n  return\n}\n", "CHECK-LABEL: func.func @f\nCHECK: return\n")
    with pytest.raises(pytest.fail.Exception, match="FileCheck failed"):
        filecheck("func.func @f() {\n  return\n}\n", "CHECK: arith.addi\n")
    with pytest.raises(pytest.fail.Exception):
        filecheck("func.func @f() {\n  arith.addi\n}\n", "CHECK-NOT: arith.addi\n")
