"""Native entry points: a ``METH_FASTCALL | METH_KEYWORDS`` C function per compiled signature.

The entry checks the Python type of every argument in machine code (a pointer compare against the
type objects ``typeof`` maps to the signature's Numba types), unboxes, calls the kernel, boxes the
result, and turns a non-zero kernel status into the Python exception. Arguments it does not accept
(other types, keywords, another count) go unchanged to ``self``: the next entry of the dispatcher's
chain, ending in the dispatcher's Python slow path. The entry is emitted as MLIR text (func, arith,
cf and llvm dialects) calling the CPython C-API, and wrapped with ``PyCFunction_NewEx``.
"""
from __future__ import annotations

import ctypes
import itertools

import numpy as np
from mlir import ir
from numba.core import types
from numba.np.numpy_support import from_dtype

from numlir.errors import UnsupportedError
from numlir.lowering import datamodel as dm
from numlir.runtime import array_boxing, exceptions

METH_FASTCALL, METH_KEYWORDS = 0x80, 0x02
_KEEP = []                     # Python constants whose addresses compiled code holds
_PY_OBJECT_HEAD = 16           # ob_refcnt + ob_type: the value of float/complex/NumPy scalars


def _numpy_scalar_types():
    """Numba scalar type -> NumPy scalar classes that ``typeof`` maps to it."""
    out = {}
    for cls in set(np.sctypeDict.values()):
        try:
            nbty = from_dtype(np.dtype(cls))
        except Exception:
            continue
        if isinstance(nbty, (types.Integer, types.Float, types.Complex, types.Boolean)):
            out.setdefault(nbty, []).append(cls)
    return out


_NP_SCALARS = _numpy_scalar_types()

_CAPI = {
    "PyLong_AsLongLong": "(!llvm.ptr) -> i64",
    "PyErr_Occurred": "() -> !llvm.ptr",
    "PyErr_Clear": "() -> ()",
    "PySlice_Unpack": "(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32",
    "PyObject_Vectorcall": "(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> !llvm.ptr",
    "PyObject_CallOneArg": "(!llvm.ptr, !llvm.ptr) -> !llvm.ptr",
    "PyFloat_FromDouble": "(f64) -> !llvm.ptr",
    "PyLong_FromLongLong": "(i64) -> !llvm.ptr",
    "PyLong_FromUnsignedLongLong": "(i64) -> !llvm.ptr",
    "PyBool_FromLong": "(i64) -> !llvm.ptr",
    "PyComplex_FromDoubles": "(f64, f64) -> !llvm.ptr",
    "PyTuple_New": "(i64) -> !llvm.ptr",
    "PyTuple_SetItem": "(!llvm.ptr, i64, !llvm.ptr) -> i32",
    "Py_IncRef": "(!llvm.ptr) -> ()",
    "Py_DecRef": "(!llvm.ptr) -> ()",
    "PyCapsule_New": "(!llvm.ptr, !llvm.ptr, !llvm.ptr) -> !llvm.ptr",
    "PyArray_DescrFromType": "(i32) -> !llvm.ptr",
    "PyArray_NewFromDescr": "(!llvm.ptr, !llvm.ptr, i32, !llvm.ptr, !llvm.ptr, !llvm.ptr, i32, "
                            "!llvm.ptr) -> !llvm.ptr",
    "PyArray_SetBaseObject": "(!llvm.ptr, !llvm.ptr) -> i32",
}


class _Emitter:
    """Tiny SSA text emitter: fresh names, blocks, C-API calls."""

    def __init__(self):
        self.lines, self.n, self.used = [], 0, set()
        self.array_inputs = []      # ndarray objects unboxed so far (candidate bases of views)
        self.array_input_types = {}  # their Numba types
        self.owned_flags = iter(())  # ownership flags of the kernel's memref results, in order
        self.boxed = []             # (allocated ptr, owned flag, base object) of boxed arrays
        self.exact_layout = True    # accept only arrays whose typeof layout is the signature's
        self.may_define_runtime = False   # may define the capsule destructor in its text
        self.defines_free_capsule = False

    def fresh(self, hint="v"):
        self.n += 1
        return f"%{hint}{self.n}"

    def block(self, hint="b"):
        self.n += 1
        return f"^{hint}{self.n}"

    def op(self, text, hint="v"):
        name = self.fresh(hint)
        self.lines.append(f"  {name} = {text}")
        return name

    def stmt(self, text):
        self.lines.append(f"  {text}")

    def label(self, name):
        self.lines.append(f"{name}:")

    def capi(self, fn, *args, result=True, table=None):
        """Call a C-API function by symbol, or through the address ``table[fn]`` (NumPy's API)."""
        sig = _CAPI[fn]
        if table is None:
            self.used.add(fn)
            call = f"func.call @{fn}({', '.join(args)}) : {sig}"
        else:
            fp = self.ptr(table[fn])
            call = f"llvm.call {fp}({', '.join(args)}) : !llvm.ptr, {sig.replace(') -> ()', ')')}"
        return self.op(call) if result else self.stmt(call)

    def store(self, value, base, offset):
        addr = self.op(f"llvm.getelementptr {base}[{offset}] : (!llvm.ptr) -> !llvm.ptr, i8", "a")
        self.stmt(f"llvm.store {value}, {addr} : i64, !llvm.ptr")

    def const(self, value, ty="i64"):
        return self.op(f"arith.constant {value} : {ty}", "c")

    def ptr(self, address):
        return self.op(f"llvm.inttoptr {self.const(address)} : i64 to !llvm.ptr", "p")

    def load(self, base, offset, ty):
        addr = self.op(f"llvm.getelementptr {base}[{offset}] : (!llvm.ptr) -> !llvm.ptr, i8", "a")
        return self.op(f"llvm.load {addr} : !llvm.ptr -> {ty}", "l")

    def type_id(self, obj):
        tp = self.load(obj, 8, "!llvm.ptr")
        return self.op(f"llvm.ptrtoint {tp} : !llvm.ptr to i64", "t")

    def any_of(self, tid, classes):
        conds = [self.op(f"arith.cmpi eq, {tid}, {self.const(id(c))} : i64", "k") for c in classes]
        cond = conds[0]
        for c in conds[1:]:
            cond = self.op(f"arith.ori {cond}, {c} : i1", "k")
        return cond

    def guard(self, cond, fallback):
        """Continue when ``cond`` holds, else branch to the fallback block."""
        ok = self.block("ok")
        self.stmt(f"cf.cond_br {cond}, {ok}, {fallback}")
        self.label(ok)


def _unbox(em, obj, ty, fallback):
    """Emit type checks and unboxing of ``obj`` as Numba type ``ty``; returns the leaf values."""
    ty = dm.strip_literal(ty)
    if isinstance(ty, types.Array):
        return [array_boxing.unbox_array(em, obj, ty, fallback)]
    if isinstance(ty, (types.NoneType, types.Omitted)):
        is_none = em.op(f"arith.cmpi eq, {em.op(f'llvm.ptrtoint {obj} : !llvm.ptr to i64')}, "
                        f"{em.const(id(None))} : i64", "k")
        em.guard(is_none, fallback)
        return []
    if isinstance(ty, types.BaseTuple):
        tid = em.type_id(obj)
        em.guard(em.any_of(tid, [tuple]), fallback)
        size = em.load(obj, _PY_OBJECT_HEAD, "i64")
        em.guard(em.op(f"arith.cmpi eq, {size}, {em.const(len(ty.types))} : i64", "k"), fallback)
        leaves = []
        for i, et in enumerate(ty.types):
            item = em.load(obj, 24 + 8 * i, "!llvm.ptr")
            leaves += _unbox(em, item, et, fallback)
        return leaves
    if isinstance(ty, types.SliceType):
        return _unbox_slice(em, obj, ty, fallback)
    np_classes = _NP_SCALARS.get(ty, [])
    mlir_ty = str(dm.scalar_type(ty)) if dm.scalar_type(ty) is not None else None
    tid = em.type_id(obj)
    if isinstance(ty, types.Boolean):
        is_py = em.any_of(tid, [bool])
        py_blk, np_blk, done = em.block("pybool"), em.block("npbool"), em.block("bool")
        em.stmt(f"cf.cond_br {is_py}, {py_blk}, {np_blk}")
        em.label(py_blk)
        v1 = em.op(f"arith.cmpi eq, {em.op(f'llvm.ptrtoint {obj} : !llvm.ptr to i64')}, "
                   f"{em.const(id(True))} : i64", "k")
        em.stmt(f"cf.br {done}({v1} : i1)")
        em.label(np_blk)
        em.guard(em.any_of(tid, np_classes), fallback)
        raw = em.load(obj, _PY_OBJECT_HEAD, "i8")
        v2 = em.op(f"arith.cmpi ne, {raw}, {em.const(0, 'i8')} : i8", "k")
        em.stmt(f"cf.br {done}({v2} : i1)")
        val = em.fresh("bv")
        em.lines.append(f"{done}({val}: i1):")
        return [val]
    if ty == types.int64:
        is_py = em.any_of(tid, [int])
        py_blk, np_blk, done = em.block("pyint"), em.block("npint"), em.block("int")
        em.stmt(f"cf.cond_br {is_py}, {py_blk}, {np_blk}")
        em.label(py_blk)
        v1 = em.capi("PyLong_AsLongLong", obj)
        minus1 = em.op(f"arith.cmpi eq, {v1}, {em.const(-1)} : i64", "k")
        chk, good = em.block("ovf"), em.block("iok")
        em.stmt(f"cf.cond_br {minus1}, {chk}, {good}")
        em.label(chk)
        err = em.op(f"llvm.ptrtoint {em.capi('PyErr_Occurred')} : !llvm.ptr to i64")
        clear = em.block("clr")
        em.stmt(f"cf.cond_br {em.op(f'arith.cmpi eq, {err}, {em.const(0)} : i64', 'k')}, "
                f"{good}, {clear}")
        em.label(clear)
        em.capi("PyErr_Clear", result=False)
        em.stmt(f"cf.br {fallback}")
        em.label(good)
        em.stmt(f"cf.br {done}({v1} : i64)")
        em.label(np_blk)
        em.guard(em.any_of(tid, np_classes), fallback)
        v2 = em.load(obj, _PY_OBJECT_HEAD, "i64")
        em.stmt(f"cf.br {done}({v2} : i64)")
        val = em.fresh("iv")
        em.lines.append(f"{done}({val}: i64):")
        return [val]
    py_class = {types.float64: float, types.complex128: complex}.get(ty)
    classes = ([py_class] if py_class else []) + np_classes
    if not classes or mlir_ty is None:
        raise UnsupportedError(f"passing arguments of type {ty} from Python")
    em.guard(em.any_of(tid, classes), fallback)
    if isinstance(ty, types.Complex):
        ft = str(dm.scalar_type(ty.underlying_float))
        width = ty.underlying_float.bitwidth // 8
        re = em.load(obj, _PY_OBJECT_HEAD, ft)
        im = em.load(obj, _PY_OBJECT_HEAD + width, ft)
        return [em.op(f"complex.create {re}, {im} : {mlir_ty}", "z")]
    return [em.load(obj, _PY_OBJECT_HEAD, mlir_ty)]


def _unbox_slice(em, obj, ty, fallback):
    """A ``slice`` as the slice model (start, stop, step; None as the sentinels for the step's
    direction), which is what ``PySlice_Unpack`` gives. Its errors (step 0, bounds that are not
    integers) are NumPy's for ``a[s]``: they propagate. A two-member slice type (code compiled
    for step 1) takes only what ``typeof`` types so: step None or 1."""
    em.guard(em.any_of(em.type_id(obj), [slice]), fallback)
    slots = em.op(f"llvm.alloca {em.const(3)} x i64 : (i64) -> !llvm.ptr", "p")
    ptrs = [em.op(f"llvm.getelementptr {slots}[{8 * i}] : (!llvm.ptr) -> !llvm.ptr, i8", "a")
            for i in range(3)]
    rc = em.capi("PySlice_Unpack", obj, *ptrs)
    bad, ok = em.block("badslice"), em.block("slice")
    failed = em.op(f"arith.cmpi ne, {rc}, {em.const(0, 'i32')} : i32", "k")
    em.stmt(f"cf.cond_br {failed}, {bad}, {ok}")
    em.label(bad)
    em.stmt(f"return {em.op('llvm.mlir.zero : !llvm.ptr', 'p')} : !llvm.ptr")
    em.label(ok)
    vals = [em.op(f"llvm.load {p} : !llvm.ptr -> i64", "l") for p in ptrs]
    if not ty.has_step:
        em.guard(em.op(f"arith.cmpi eq, {vals[2]}, {em.const(1)} : i64", "k"), fallback)
    return vals


def _box(em, ty, leaves):
    """Emit boxing of a value of Numba type ``ty`` from its leaves; returns a new reference."""
    ty = dm.strip_literal(ty)
    if isinstance(ty, types.Array):
        return array_boxing.box_array(em, ty, leaves[0])
    if isinstance(ty, types.BaseTuple):
        tup = em.capi("PyTuple_New", em.const(len(ty.types)))
        pos = 0
        for i, et in enumerate(ty.types):
            n = len(dm.leaf_types(et))
            item = _box(em, et, leaves[pos:pos + n])
            pos += n
            em.capi("PyTuple_SetItem", tup, em.const(i), item)
        return tup
    if isinstance(ty, types.Optional):
        has, no = em.block("some"), em.block("none")
        done = em.block("boxed")
        em.stmt(f"cf.cond_br {leaves[0]}, {has}, {no}")
        em.label(has)
        em.stmt(f"cf.br {done}({_box(em, ty.type, leaves[1:])} : !llvm.ptr)")
        em.label(no)
        em.stmt(f"cf.br {done}({_box(em, types.none, [])} : !llvm.ptr)")
        out = em.fresh("o")
        em.lines.append(f"{done}({out}: !llvm.ptr):")
        return out
    if isinstance(ty, types.DType):        # a dtype is a compile-time constant
        from numba.np.numpy_support import as_dtype
        dtype = as_dtype(ty.dtype)
        _KEEP.append(dtype)
        obj = em.ptr(id(dtype))
        em.capi("Py_IncRef", obj, result=False)
        return obj
    if isinstance(ty, (types.NoneType, types.Omitted)) or not dm.leaf_types(ty):
        none = em.ptr(id(None))
        em.capi("Py_IncRef", none, result=False)
        return none
    if isinstance(ty, types.SliceType):
        raise UnsupportedError("returning slice objects to Python")
    (v,) = leaves
    if isinstance(ty, types.Boolean):
        return em.capi("PyBool_FromLong", em.op(f"arith.extui {v} : i1 to i64"))
    if isinstance(ty, types.Integer):
        if ty.bitwidth < 64:
            ext = "arith.extsi" if ty.signed else "arith.extui"
            v = em.op(f"{ext} {v} : i{ty.bitwidth} to i64")
        return em.capi("PyLong_FromLongLong" if ty.signed else "PyLong_FromUnsignedLongLong", v)
    if isinstance(ty, types.Float):
        if ty.bitwidth != 64:
            v = em.op(f"arith.extf {v} : {dm.scalar_type(ty)} to f64")
        return em.capi("PyFloat_FromDouble", v)
    if isinstance(ty, types.Complex):
        ct = str(dm.scalar_type(ty))
        re = em.op(f"complex.re {v} : {ct}")
        im = em.op(f"complex.im {v} : {ct}")
        if ty.bitwidth != 128:
            re = em.op(f"arith.extf {re} : f32 to f64")
            im = em.op(f"arith.extf {im} : f32 to f64")
        return em.capi("PyComplex_FromDoubles", re, im)
    raise UnsupportedError(f"returning values of type {ty} to Python")


def _declarations(em):
    """``func.func private`` declarations of the C-API functions the emitter called."""
    return [f"func.func private @{fn}{_CAPI[fn].replace(') -> ()', ')')}" for fn in sorted(em.used)]


def entry_source(entry_name, kernel_name, argtypes, return_type, kernel_type, exact_layout=True):
    """MLIR text of the entry function (and the C-API declarations it uses)."""
    em = _Emitter()
    em.exact_layout = exact_layout
    em.may_define_runtime = True
    fallback = "^fallback"
    nargs = em.op(f"arith.andi %nargsf, {em.const(2**63 - 1)} : i64")
    zero = em.op("llvm.ptrtoint %kwnames : !llvm.ptr to i64")
    no_kw = em.op(f"arith.cmpi eq, {zero}, {em.const(0)} : i64", "k")
    count = em.op(f"arith.cmpi eq, {nargs}, {em.const(len(argtypes))} : i64", "k")
    em.guard(em.op(f"arith.andi {no_kw}, {count} : i1", "k"), fallback)
    leaves = []
    for i, aty in enumerate(argtypes):
        obj = em.load("%args", 8 * i, "!llvm.ptr")
        leaves += _unbox(em, obj, aty, fallback)
    in_types = ", ".join(str(t) for t in kernel_type.inputs)
    out_types = ", ".join(str(t) for t in kernel_type.results)
    res = em.fresh("r")
    nres = len(kernel_type.results)
    em.stmt(f"{res}:{nres} = func.call @{kernel_name}({', '.join(leaves)}) : "
            f"({in_types}) -> ({out_types})")
    failed = em.op(f"arith.cmpi ne, {res}#0, {em.const(0, 'i32')} : i32", "k")
    err, ok = em.block("err"), em.block("done")
    em.stmt(f"cf.cond_br {failed}, {err}, {ok}")
    em.label(ok)
    n_leaves = len(dm.leaf_types(return_type))
    em.owned_flags = iter([f"{res}#{i}" for i in range(1 + n_leaves, nres)])
    boxed = _box(em, return_type, [f"{res}#{i}" for i in range(1, 1 + n_leaves)])
    em.stmt(f"return {boxed} : !llvm.ptr")
    em.label(err)
    code = em.capi("PyLong_FromLongLong", em.op(f"arith.extsi {res}#0 : i32 to i64"))
    raiser = em.ptr(id(exceptions.raise_status))
    em.capi("PyObject_CallOneArg", raiser, code)
    em.capi("Py_DecRef", code, result=False)
    em.stmt(f"return {em.op('llvm.mlir.zero : !llvm.ptr')} : !llvm.ptr")
    em.label(fallback)
    fwd = em.capi("PyObject_Vectorcall", "%self", "%args", "%nargsf", "%kwnames")
    em.stmt(f"return {fwd} : !llvm.ptr")
    decls = _declarations(em)
    if em.defines_free_capsule:
        from numlir.runtime.array_boxing import free_capsule_source
        decls.append(free_capsule_source())
    ftype = "(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> !llvm.ptr"
    body = "\n".join(em.lines)
    return "\n".join(decls + [
        f"func.func @{entry_name}(%self: !llvm.ptr, %args: !llvm.ptr, %nargsf: i64, "
        f"%kwnames: !llvm.ptr) -> !llvm.ptr {{",
        body, "}",
        f"func.func @{entry_name}_addr() -> !llvm.ptr {{",
        f"  %f = func.constant @{entry_name} : {ftype}",
        f"  %a = builtin.unrealized_conversion_cast %f : {ftype} to !llvm.ptr",
        "  return %a : !llvm.ptr",
        "}",
    ])


def add_entry(module, entry_name, kernel_op, argtypes, return_type, exact_layout=True):
    """Append the entry function for ``kernel_op`` to ``module``."""
    kname = kernel_op.attributes["sym_name"].value
    ktype = ir.FunctionType(ir.TypeAttr(kernel_op.attributes["function_type"]).value)
    src = entry_source(entry_name, kname, argtypes, return_type, ktype, exact_layout)
    decl = f"func.func private @{kname}{_fn_sig(ktype)}\n"
    append_source(module, decl + src)


def print_source(name, argtypes):
    """MLIR text of ``name(values...)``: box the values and call Python's ``print`` on them
    (compiled code runs with the GIL held, called from its native entry)."""
    em = _Emitter()
    # arrays are printed through temporary views that own nothing (the call borrows them)
    em.owned_flags = itertools.repeat(em.const(0, "i1"))
    params, objs, pos = [], [], 0
    for i, ty in enumerate(argtypes):
        if isinstance(ty, types.Literal) and isinstance(ty.literal_value, str):
            _KEEP.append(ty.literal_value)
            obj = em.ptr(id(ty.literal_value))
            em.capi("Py_IncRef", obj, result=False)
            objs.append(obj)
            continue
        ty = dm.strip_literal(ty)
        leaves = []
        for t in dm.leaf_types(ty):
            leaves.append(f"%a{pos}")
            params.append(f"%a{pos}: {t}")
            pos += 1
        objs.append(_box(em, ty, leaves))
    n = em.const(max(len(objs), 1))
    vec = em.op(f"llvm.alloca {n} x !llvm.ptr : (i64) -> !llvm.ptr", "p")
    for i, obj in enumerate(objs):
        addr = em.op(f"llvm.getelementptr {vec}[{8 * i}] : (!llvm.ptr) -> !llvm.ptr, i8", "a")
        em.stmt(f"llvm.store {obj}, {addr} : !llvm.ptr, !llvm.ptr")
    import builtins
    null = em.op("llvm.mlir.zero : !llvm.ptr", "p")
    res = em.capi("PyObject_Vectorcall", em.ptr(id(builtins.print)), vec, em.const(len(objs)),
                  null)
    for obj in objs:
        em.capi("Py_DecRef", obj, result=False)
    ok = em.op(f"llvm.icmp \"ne\" {res}, {null} : !llvm.ptr", "k")
    dec, done = em.block("dec"), em.block("printed")
    em.stmt(f"cf.cond_br {ok}, {dec}, {done}")
    em.label(dec)
    em.capi("Py_DecRef", res, result=False)
    em.stmt(f"cf.br {done}")
    em.label(done)
    em.stmt("return")
    decls = _declarations(em)
    return "\n".join(decls + [f"func.func private @{name}({', '.join(params)}) {{",
                                "\n".join(em.lines), "}"])


def append_source(module, src):
    """Parse ``src`` and move its functions into ``module`` (declarations it already has are
    skipped)."""
    parsed = ir.Module.parse(src)
    existing = {op.attributes["sym_name"].value for op in module.body.operations
                if "sym_name" in op.attributes}
    for op in list(parsed.body.operations):
        if op.attributes["sym_name"].value in existing:
            continue
        module.body.append(op.detach_from_parent())


def _fn_sig(ftype):
    ins = ", ".join(str(t) for t in ftype.inputs)
    outs = ", ".join(str(t) for t in ftype.results)
    return f"({ins}) -> ({outs})"


class _PyMethodDef(ctypes.Structure):
    _fields_ = [("ml_name", ctypes.c_char_p), ("ml_meth", ctypes.c_void_p),
                ("ml_flags", ctypes.c_int), ("ml_doc", ctypes.c_char_p)]


_new_cfunction = ctypes.pythonapi.PyCFunction_NewEx
_new_cfunction.restype = ctypes.py_object
_new_cfunction.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.py_object]


def make_pycfunction(name, address, next_callable):
    """A builtin function object calling the native entry at ``address``; ``self`` is the next
    callable of the chain. Returns (function, keep-alive objects)."""
    mdef = _PyMethodDef(name.encode(), address, METH_FASTCALL | METH_KEYWORDS, None)
    fn = _new_cfunction(ctypes.addressof(mdef), next_callable, None)
    return fn, mdef
