"""The vector-math pass on a hand-written LLVM-dialect module: what it declares and annotates."""
import pytest
from mlir import ir

from numlir import config
from numlir.passes.vector_math import vectorize_math
from numlir.runtime import libmvec
from numlir.targets.cpu import mlir_context

MODULE = """
llvm.func @expm1f(f32) -> f32
llvm.func @strlen(!llvm.ptr) -> i64
llvm.func @keepme()
llvm.mlir.global appending @llvm.compiler.used()
    {addr_space = 0 : i32, section = "llvm.metadata"} : !llvm.array<1 x ptr> {
  %0 = llvm.mlir.addressof @keepme : !llvm.ptr
  %1 = llvm.mlir.undef : !llvm.array<1 x ptr>
  %2 = llvm.insertvalue %0, %1[0] : !llvm.array<1 x ptr>
  llvm.return %2 : !llvm.array<1 x ptr>
}
llvm.func @f(%x: f64, %y: f32) -> f32 {
  %0 = llvm.intr.pow(%x, %x) : (f64, f64) -> f64
  %1 = llvm.fptrunc %0 : f64 to f32
  %2 = llvm.call @expm1f(%1) : (f32) -> f32
  llvm.return %2 : f32
}
"""


def _run(enabled):
    with mlir_context(), ir.Location.unknown(), config.override(VECTOR_MATH=enabled):
        module = ir.Module.parse(MODULE)
        vectorize_math(module)
        assert module.operation.verify()
        return str(module)


@pytest.mark.skipif(not libmvec.available(), reason="no glibc libmvec here")
def test_declares_and_annotates():
    text = _run(True)
    decl = next(line for line in text.splitlines() if "llvm.func @expm1f" in line)
    assert "_ZGV_LLVM_N4v_expm1f(_ZGVbN4v_expm1f)" in decl
    assert "memory_effects" in decl and "no_unwind" in decl
    assert "llvm.func @llvm.pow.f64(f64, f64) -> f64" in text
    assert "_ZGV_LLVM_N2vv_llvm.pow.f64(_ZGVbN2vv_pow)" in text
    assert "llvm.func @_ZGVbN2vv_pow(vector<2xf64>, vector<2xf64>) -> vector<2xf64>" in text
    assert "vector-function-abi-variant" not in next(
        line for line in text.splitlines() if "@strlen" in line)
    # one compiler.used list, keeping the symbol that was there and the vector functions
    assert text.count("@llvm.compiler.used") == 1
    used = text[text.index("@llvm.compiler.used"):]
    assert "@keepme" in used and "@_ZGVbN4v_expm1f" in used and "@_ZGVbN2vv_pow" in used


def test_off_changes_nothing():
    assert "_ZGV" not in _run(False)
