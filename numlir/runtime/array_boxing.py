"""NumPy arrays across the native entry: zero-copy unboxing into memref descriptors and boxing of
returned memrefs into NumPy arrays, with ownership (see docs/architecture.md, "Memory model").

An argument array becomes a memref whose *allocated* pointer is the ndarray object itself (borrowed
for the call) and whose aligned pointer is its data. A returned memref comes with the ownership flag
computed by MLIR's ownership-based buffer deallocation: an owned buffer (allocated by compiled code)
is handed to a new ndarray whose base is a capsule that frees it; a borrowed one is a view of the
argument whose ndarray has the same allocated pointer, and keeps that argument alive as its base.
"""
from __future__ import annotations

import ctypes

import numpy as np
from numba.np.numpy_support import as_dtype

from numlir.lowering import datamodel as dm

# PyArrayObject_fields and PyArray_Descr offsets (stable NumPy ABI, x86-64/aarch64)
_DATA, _ND, _DIMS, _STRIDES, _DESCR, _FLAGS = 16, 24, 32, 40, 56, 64
_DESCR_BYTEORDER, _DESCR_TYPE_NUM = 26, 28
_C_CONTIGUOUS, _F_CONTIGUOUS, _ALIGNED, _WRITEABLE = 0x1, 0x2, 0x100, 0x400


def _numpy_api():
    capsule = np._core._multiarray_umath._ARRAY_API
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    table = (ctypes.c_void_p * 300).from_address(get(capsule, None))
    return {"PyArray_Type": table[2], "PyArray_DescrFromType": table[45],
            "PyArray_NewFromDescr": table[94], "PyArray_SetBaseObject": table[282]}


_API = _numpy_api()
_FREE_CAPSULE_SOURCE = """
llvm.func @PyCapsule_GetPointer(!llvm.ptr, !llvm.ptr) -> !llvm.ptr
llvm.func @free(!llvm.ptr)
llvm.func @nl_free_capsule(%cap: !llvm.ptr) {
  %null = llvm.mlir.zero : !llvm.ptr
  %p = llvm.call @PyCapsule_GetPointer(%cap, %null) : (!llvm.ptr, !llvm.ptr) -> !llvm.ptr
  llvm.call @free(%p) : (!llvm.ptr) -> ()
  llvm.return
}
func.func @nl_free_capsule_addr() -> !llvm.ptr {
  %a = llvm.mlir.addressof @nl_free_capsule : !llvm.ptr
  return %a : !llvm.ptr
}
"""
_runtime = {}


def free_capsule_pointer(em):
    """An ``!llvm.ptr`` to the capsule destructor, for the code ``em`` emits. Until the process
    has one, an entry defines it in its own module (``em.defines_free_capsule``: saves the first
    compile a separate JIT, ~10 ms) and :func:`adopt_free_capsule` keeps that engine forever."""
    if "free_capsule" in _runtime or not em.may_define_runtime:
        return em.ptr(free_capsule_address())
    em.defines_free_capsule = True
    return em.op("llvm.mlir.addressof @nl_free_capsule : !llvm.ptr", "p")


def free_capsule_source():
    return _FREE_CAPSULE_SOURCE


def adopt_free_capsule(engine, function_address):
    """After JIT-compiling a module that defines the destructor: keep its engine for good."""
    if "free_capsule" not in _runtime:
        _runtime["engine"] = engine
        _runtime["free_capsule"] = function_address(engine, "nl_free_capsule_addr")


def free_capsule_address():
    """Address of the capsule destructor that frees buffers handed to NumPy. It lives in a
    process-wide engine that is never released: arrays routinely outlive the function (and so
    the JIT code) that created them."""
    addr = _runtime.get("free_capsule")
    if addr is None:
        from mlir import ir
        from mlir.execution_engine import ExecutionEngine
        from mlir.passmanager import PassManager

        from numlir.targets.cpu import _context_lock, _function_address, mlir_context
        with _context_lock, mlir_context(), ir.Location.unknown():
            module = ir.Module.parse(_FREE_CAPSULE_SOURCE)
            PassManager.parse("builtin.module(convert-to-llvm,reconcile-unrealized-casts)").run(
                module.operation)
            engine = ExecutionEngine(module, opt_level=2)
            addr = _function_address(engine, "nl_free_capsule_addr")
        _runtime["engine"] = engine
        _runtime["free_capsule"] = addr
    return addr


def descriptor_type(ndim):
    if ndim == 0:
        return "!llvm.struct<(ptr, ptr, i64)>"
    return f"!llvm.struct<(ptr, ptr, i64, array<{ndim} x i64>, array<{ndim} x i64>)>"


def _typenum(arrty):
    return as_dtype(arrty.dtype).num


def unbox_array(em, obj, ty, fallback):
    """Check that ``obj`` is an ndarray matching Numba type ``ty``; return its memref value."""
    tid = em.type_id(obj)
    em.guard(em.op(f"arith.cmpi eq, {tid}, {em.const(_API['PyArray_Type'])} : i64", "k"), fallback)
    nd = em.load(obj, _ND, "i32")
    em.guard(em.op(f"arith.cmpi eq, {nd}, {em.const(ty.ndim, 'i32')} : i32", "k"), fallback)
    descr = em.load(obj, _DESCR, "!llvm.ptr")
    num = em.load(descr, _DESCR_TYPE_NUM, "i32")
    em.guard(em.op(f"arith.cmpi eq, {num}, {em.const(_typenum(ty), 'i32')} : i32", "k"), fallback)
    order = em.load(descr, _DESCR_BYTEORDER, "i8")
    em.guard(em.op(f"arith.cmpi ne, {order}, {em.const(ord('>'), 'i8')} : i8", "k"), fallback)
    flags = em.load(obj, _FLAGS, "i32")
    if em.exact_layout:   # what typeof would say: C if C-contiguous, else F if F-, else A
        mask = {"C": _C_CONTIGUOUS}.get(ty.layout, _C_CONTIGUOUS | _F_CONTIGUOUS)
        contiguous = {"C": _C_CONTIGUOUS, "F": _F_CONTIGUOUS}.get(ty.layout, 0)
    else:                 # explicit signatures: any array the layout can hold
        contiguous = mask = {"C": _C_CONTIGUOUS, "F": _F_CONTIGUOUS}.get(ty.layout, 0)
    mask |= _ALIGNED | _WRITEABLE
    want = contiguous | (_ALIGNED if ty.aligned else 0) | (_WRITEABLE if ty.mutable else 0)
    masked = em.op(f"arith.andi {flags}, {em.const(mask, 'i32')} : i32")
    em.guard(em.op(f"arith.cmpi eq, {masked}, {em.const(want, 'i32')} : i32", "k"), fallback)
    data = em.load(obj, _DATA, "!llvm.ptr")
    st = descriptor_type(ty.ndim)
    d = em.op(f"llvm.mlir.undef : {st}", "d")
    d = em.op(f"llvm.insertvalue {obj}, {d}[0] : {st}", "d")
    d = em.op(f"llvm.insertvalue {data}, {d}[1] : {st}", "d")
    d = em.op(f"llvm.insertvalue {em.const(0)}, {d}[2] : {st}", "d")
    if ty.ndim:
        dims = em.load(obj, _DIMS, "!llvm.ptr")
        strides = em.load(obj, _STRIDES, "!llvm.ptr")
        itemsize = em.const(as_dtype(ty.dtype).itemsize)
        for i in range(ty.ndim):
            d = em.op(f"llvm.insertvalue {em.load(dims, 8 * i, 'i64')}, {d}[3, {i}] : {st}", "d")
            sb = em.load(strides, 8 * i, "i64")
            rem = em.op(f"arith.remsi {sb}, {itemsize} : i64")
            em.guard(em.op(f"arith.cmpi eq, {rem}, {em.const(0)} : i64", "k"), fallback)
            se = em.op(f"arith.divsi {sb}, {itemsize} : i64")
            d = em.op(f"llvm.insertvalue {se}, {d}[4, {i}] : {st}", "d")
    em.array_inputs.append(obj)
    em.array_input_types[obj] = ty
    mt = dm.memref_type(ty)
    return em.op(f"builtin.unrealized_conversion_cast {d} : {st} to {mt}", "m")


def box_array(em, ty, value):
    """Emit the ndarray for the returned memref ``value``: the argument object itself when the
    value is exactly an argument (as Numba and the uncompiled function: ``f(a) is a``), else a
    new ndarray over the owned buffer or viewing the borrowed one."""
    owned = next(em.owned_flags)
    st = descriptor_type(ty.ndim)
    mt = dm.memref_type(ty)
    d = em.op(f"builtin.unrealized_conversion_cast {value} : {mt} to {st}", "d")
    alloc = em.op(f"llvm.extractvalue {d}[0] : {st}", "p")
    aligned = em.op(f"llvm.extractvalue {d}[1] : {st}", "p")
    offset = em.op(f"llvm.extractvalue {d}[2] : {st}")
    itemsize = as_dtype(ty.dtype).itemsize
    byte_off = em.op(f"arith.muli {offset}, {em.const(itemsize)} : i64")
    data = em.op(f"llvm.getelementptr {aligned}[{byte_off}] : (!llvm.ptr, i64) -> !llvm.ptr, i8",
                 "p")
    sizes = [em.op(f"llvm.extractvalue {d}[3, {i}] : {st}") for i in range(ty.ndim)]
    byte_strides = [em.op(f"arith.muli {em.op(f'llvm.extractvalue {d}[4, {i}] : {st}')}, "
                          f"{em.const(itemsize)} : i64") for i in range(ty.ndim)]
    null = em.op("llvm.mlir.zero : !llvm.ptr", "p")
    same = _argument_itself(em, ty, owned, alloc, data, sizes, byte_strides)
    is_arg = em.op(f"llvm.icmp \"ne\" {same}, {null} : !llvm.ptr", "k")
    arg_blk, new_blk, join = em.block("isarg"), em.block("newarr"), em.block("array")
    em.stmt(f"cf.cond_br {is_arg}, {arg_blk}, {new_blk}")
    em.label(arg_blk)
    em.capi("Py_IncRef", same, result=False)
    em.stmt(f"cf.br {join}({same}, {null} : !llvm.ptr, !llvm.ptr)")
    em.label(new_blk)
    n = em.const(max(ty.ndim, 1))
    dims = em.op(f"llvm.alloca {n} x i64 : (i64) -> !llvm.ptr", "p")
    strides = em.op(f"llvm.alloca {n} x i64 : (i64) -> !llvm.ptr", "p")
    for i in range(ty.ndim):
        em.store(sizes[i], dims, 8 * i)
        em.store(byte_strides[i], strides, 8 * i)
    descr = em.capi("PyArray_DescrFromType", em.const(_typenum(ty), "i32"), table=_API)
    flags = _ALIGNED | (_WRITEABLE if ty.mutable else 0)
    arr = em.capi("PyArray_NewFromDescr", em.ptr(_API["PyArray_Type"]), descr,
                  em.const(ty.ndim, "i32"), dims, strides, data, em.const(flags, "i32"), null,
                  table=_API)
    base = _base_object(em, owned, alloc)
    has_base = em.op(f"llvm.icmp \"ne\" {base}, {null} : !llvm.ptr", "k")
    set_blk, done = em.block("setbase"), em.block("based")
    em.stmt(f"cf.cond_br {has_base}, {set_blk}, {done}")
    em.label(set_blk)
    em.capi("PyArray_SetBaseObject", arr, base, table=_API)
    em.stmt(f"cf.br {done}")
    em.label(done)
    em.stmt(f"cf.br {join}({arr}, {base} : !llvm.ptr, !llvm.ptr)")
    out, out_base = em.fresh("arr"), em.fresh("base")
    em.lines.append(f"{join}({out}: !llvm.ptr, {out_base}: !llvm.ptr):")
    em.boxed.append((alloc, owned, out_base))
    return out


def _argument_itself(em, ty, owned, alloc, data, sizes, byte_strides):
    """The argument ndarray that the borrowed result is exactly (same buffer, data pointer,
    dtype, shape and strides), else null."""
    found = em.op("llvm.mlir.zero : !llvm.ptr", "p")
    borrowed = em.op(f"arith.xori {owned}, {em.const(1, 'i1')} : i1", "k")
    for obj in em.array_inputs:
        ity = em.array_input_types[obj]
        if ity.ndim != ty.ndim or ity.dtype != ty.dtype:
            continue
        cond = em.op(f"llvm.icmp \"eq\" {alloc}, {obj} : !llvm.ptr", "k")
        cond = em.op(f"arith.andi {cond}, {borrowed} : i1", "k")
        obj_data = em.load(obj, _DATA, "!llvm.ptr")
        eq = em.op(f"llvm.icmp \"eq\" {data}, {obj_data} : !llvm.ptr", "k")
        cond = em.op(f"arith.andi {cond}, {eq} : i1", "k")
        if ty.ndim:
            dims = em.load(obj, _DIMS, "!llvm.ptr")
            strides = em.load(obj, _STRIDES, "!llvm.ptr")
            for i in range(ty.ndim):
                for mine, table in ((sizes[i], dims), (byte_strides[i], strides)):
                    eq = em.op(f"arith.cmpi eq, {mine}, {em.load(table, 8 * i, 'i64')} : i64",
                               "k")
                    cond = em.op(f"arith.andi {cond}, {eq} : i1", "k")
        found = em.op(f"llvm.select {cond}, {obj}, {found} : i1, !llvm.ptr", "p")
    return found


def _base_object(em, owned, alloc):
    """A new reference to the object that keeps the returned buffer alive (null if none)."""
    own_blk, borrow_blk, join = em.block("own"), em.block("borrow"), em.block("base")
    em.stmt(f"cf.cond_br {owned}, {own_blk}, {borrow_blk}")
    em.label(own_blk)
    # an owned buffer already boxed in this result (e.g. ``return a, a[1:]``) shares its capsule
    prev = em.op("llvm.mlir.zero : !llvm.ptr", "p")
    for p_alloc, p_owned, p_base in em.boxed:
        same = em.op(f"llvm.icmp \"eq\" {alloc}, {p_alloc} : !llvm.ptr", "k")
        same = em.op(f"arith.andi {same}, {p_owned} : i1", "k")
        prev = em.op(f"llvm.select {same}, {p_base}, {prev} : i1, !llvm.ptr", "p")
    fresh, reuse = em.block("newcap"), em.block("reusecap")
    is_null = em.op(f"llvm.icmp \"eq\" {prev}, {em.op('llvm.mlir.zero : !llvm.ptr', 'p')} : "
                    f"!llvm.ptr", "k")
    em.stmt(f"cf.cond_br {is_null}, {fresh}, {reuse}")
    em.label(fresh)
    em.used.add("PyCapsule_New")
    dptr = free_capsule_pointer(em)
    cap = em.capi("PyCapsule_New", alloc, em.op("llvm.mlir.zero : !llvm.ptr", "p"), dptr)
    em.stmt(f"cf.br {join}({cap} : !llvm.ptr)")
    em.label(reuse)
    em.capi("Py_IncRef", prev, result=False)
    em.stmt(f"cf.br {join}({prev} : !llvm.ptr)")
    em.label(borrow_blk)
    base = em.op("llvm.mlir.zero : !llvm.ptr", "p")
    for obj in em.array_inputs:       # the argument whose buffer this is
        same = em.op(f"llvm.icmp \"eq\" {alloc}, {obj} : !llvm.ptr", "k")
        base = em.op(f"llvm.select {same}, {obj}, {base} : i1, !llvm.ptr", "p")
    found = em.op(f"llvm.icmp \"ne\" {base}, {em.op('llvm.mlir.zero : !llvm.ptr', 'p')} : "
                  f"!llvm.ptr", "k")
    inc, skip = em.block("incbase"), em.block("nobase")
    em.stmt(f"cf.cond_br {found}, {inc}, {skip}")
    em.label(inc)
    em.capi("Py_IncRef", base, result=False)
    em.stmt(f"cf.br {join}({base} : !llvm.ptr)")
    em.label(skip)
    em.stmt(f"cf.br {join}({base} : !llvm.ptr)")
    out = em.fresh("base")
    em.lines.append(f"{join}({out}: !llvm.ptr):")
    return out
