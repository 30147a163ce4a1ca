"""The streaming-store version of a fresh array-expression output (``passes/nontemporal.py``):
a run-time size check, a scalar peel up to the first 32-byte aligned element, a vector loop
with non-temporal aligned stores, a scalar tail, the original loop otherwise, one sfence; the
LLVM IR keeps the ``!nontemporal`` stores, and the peel and tail loops are not vectorized."""
import numpy as np

import numlir
from numlir import config


def _triad(a, b):
    return a + 2.5 * b


def test_triad_streaming_loop(filecheck):
    with config.override(NT_BYTES=4096):
        triad = numlir.njit(_triad)
        a = np.arange(1000.0)
        np.testing.assert_array_equal(triad(a, a), a + 2.5 * a)
        text = triad.inspect_mlir(stage="bufferize")
        llvm_ir = triad.inspect_llvm()
    filecheck(text, """
        CHECK: %[[OUT:.+]] = memref.alloc({{.*}}numlir.fresh_output
        CHECK: %[[BYTES:.+]] = arith.muli {{.*}}, %c8
        CHECK: %[[BIG:.+]] = arith.cmpi uge, %[[BYTES]], %c4096
        CHECK: scf.if %[[BIG]] {
        CHECK: %[[PTR:.+]] = memref.extract_aligned_pointer_as_index %[[OUT]]
        CHECK: %[[NEG:.+]] = arith.subi %c0, %[[PTR]]
        CHECK: %[[GAP:.+]] = arith.andi %[[NEG]], %c31
        CHECK: %[[PEEL0:.+]] = arith.divui %[[GAP]], %c8
        CHECK: %[[PEEL:.+]] = arith.minui %[[PEEL0]]
        CHECK: scf.for {{.*}} = %c0 to %[[PEEL]] step %c1 {
        CHECK: memref.store
        CHECK: %[[END:.+]] = arith.addi %[[PEEL]]
        CHECK: scf.for %[[I:.+]] = %[[PEEL]] to %[[END]] step %c4 {
        CHECK: vector.load {{.*}} vector<4xf64>
        CHECK: vector.load {{.*}} vector<4xf64>
        CHECK: arith.mulf {{.*}} : vector<4xf64>
        CHECK: arith.addf {{.*}} : vector<4xf64>
        CHECK: vector.store {{.*}}, %[[OUT]][%[[I]]] {alignment = 32 : i64, nontemporal = true}
        CHECK: scf.for {{.*}} = %[[END]] to
        CHECK: memref.store
        CHECK: llvm.inline_asm has_side_effects "sfence"
        CHECK: } else {
        CHECK: scf.for
        CHECK: memref.store
    """)
    filecheck(llvm_ir, """
        CHECK: store <4 x double> {{.*}}, align 32, !nontemporal
        CHECK: call void asm sideeffect "sfence"
        CHECK: !{!"llvm.loop.vectorize.enable", i1 false}
    """)
