"""Matrix products through BLAS: ``cblas_?gemm`` of the OpenBLAS that NumPy's wheels bundle
(``numpy.libs/libscipy_openblas64_*.so``, ILP64, symbols ``scipy_cblas_dgemm64_`` ...).

The library is made global in the process (``RTLD_GLOBAL``) so the JIT resolves the symbol. An
operand qualifies when one of its two strides is 1 and the other a valid leading dimension (C or
Fortran order, transposes, row slices); otherwise, or when no bundled OpenBLAS is found, the caller
falls back to its loop nest.
"""
from __future__ import annotations

import ctypes
import glob
import os

from mlir import ir
from mlir.dialects import arith, func, memref
from numba.core import types

from numlir.lowering import array_views as av

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_SYMBOLS = {types.float64: "scipy_cblas_dgemm64_", types.float32: "scipy_cblas_sgemm64_"}
_lib = None


def _library():
    """The bundled OpenBLAS loaded with RTLD_GLOBAL, or False if there is none."""
    global _lib
    if _lib is None:
        _lib = False
        try:
            import numpy
            root = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs")
            paths = sorted(glob.glob(os.path.join(root, "libscipy_openblas64_*.so*")))
            if paths:
                lib = ctypes.CDLL(paths[0], mode=os.RTLD_GLOBAL)
                if all(hasattr(lib, s) for s in _SYMBOLS.values()):
                    _lib = lib
        except OSError:
            _lib = False
    return _lib


def available(dtype):
    return dtype in _SYMBOLS and bool(_library())


def _declare(ctx, name, scalar):
    if name in ctx.mod.externals:
        return
    ctx.mod.externals.add(name)
    i32, i64, ptr = (ir.IntegerType.get_signless(32), ir.IntegerType.get_signless(64),
                     ir.Type.parse("!llvm.ptr"))
    ftype = ir.FunctionType.get([i32, i32, i32, i64, i64, i64, scalar, ptr, i64, ptr, i64, scalar,
                                 ptr, i64], [])
    with ir.InsertionPoint(ctx.mod.module.body), ir.Location.unknown():
        func.FuncOp(name, ftype, visibility="private")


def _pointer(arr, itemsize):
    """The address of ``arr``'s first element as an ``!llvm.ptr``."""
    meta = av.metadata(arr)
    base = memref.extract_aligned_pointer_as_index(arr)
    addr = arith.addi(base, arith.muli(meta.offset, av.cindex(itemsize)))
    i64 = ir.IntegerType.get_signless(64)
    from mlir.dialects import llvm  # ~13 ms to import: only where used
    return llvm.inttoptr(llvm.PointerType.get(), arith.index_cast(i64, addr))


def _operand(sizes, strides):
    """(usable i1, transpose flag i32, leading dimension index) of a (rows, cols) operand."""
    rows, cols = sizes
    rs, cs = strides
    one = av.cindex(1)
    P = av.P
    row_ld = arith.maxsi(arith.maxsi(cols, one), one)
    col_ld = arith.maxsi(rows, one)
    c_like = arith.andi(arith.cmpi(P.eq, cs, one), arith.cmpi(P.sge, rs, row_ld))
    f_like = arith.andi(arith.cmpi(P.eq, rs, one), arith.cmpi(P.sge, cs, col_ld))
    i32 = ir.IntegerType.get_signless(32)
    trans = arith.select(c_like, arith.constant(i32, _NO_TRANS), arith.constant(i32, _TRANS))
    ld = arith.select(c_like, rs, cs)
    return arith.ori(c_like, f_like), trans, ld


def gemm_if_possible(ctx, dtype, a, a_sizes, a_strides, b, b_sizes, b_strides, out, m, n, k,
                     fallback):
    """``out[m, n] = a[m, k] @ b[k, n]`` through BLAS when both operands qualify at run time,
    else ``fallback()`` (which must write ``out``). ``out`` is C-contiguous."""
    name = _SYMBOLS[dtype]
    scalar = ir.F64Type.get() if dtype == types.float64 else ir.F32Type.get()
    _declare(ctx, name, scalar)
    ok_a, trans_a, lda = _operand(a_sizes, a_strides)
    ok_b, trans_b, ldb = _operand(b_sizes, b_strides)
    from mlir.dialects import scf
    if_op = scf.IfOp(arith.andi(ok_a, ok_b), has_else=True)
    itemsize = dtype.bitwidth // 8
    i32, i64 = ir.IntegerType.get_signless(32), ir.IntegerType.get_signless(64)
    with ir.InsertionPoint(if_op.then_block):
        ldc = arith.maxsi(n, av.cindex(1))
        args = [arith.constant(i32, _ROW_MAJOR), trans_a, trans_b,
                *(arith.index_cast(i64, v) for v in (m, n, k)),
                arith.constant(scalar, 1.0), _pointer(a, itemsize), arith.index_cast(i64, lda),
                _pointer(b, itemsize), arith.index_cast(i64, ldb), arith.constant(scalar, 0.0),
                _pointer(out, itemsize), arith.index_cast(i64, ldc)]
        func.CallOp([], ir.FlatSymbolRefAttr.get(name), args)
        scf.YieldOp([])
    with ir.InsertionPoint(if_op.else_block):
        fallback()
        scf.YieldOp([])
