"""vector-math: let LLVM's loop vectorizer call glibc's libmvec for transcendental functions.

Runs on the LLVM-dialect module (end of the ``llvm`` stage). The MLIR ExecutionEngine offers no
way to set LLVM's ``-vector-library``, but the vectorizer also reads the function attribute
``vector-function-abi-variant`` (VFABI names, e.g. ``_ZGV_LLVM_N4v_llvm.exp.f64(_ZGVdN4v_exp)``)
of a call, which falls back to the attributes of the called function. So, for each math function
the module uses and libmvec has SIMD variants of (for the host's instruction sets):

* an LLVM math intrinsic (``llvm.intr.exp`` from ``convert-math-to-llvm``): a declaration of the
  intrinsic (``llvm.exp.f64``) carrying the attribute is added; the intrinsic ops translate to
  calls of that very declaration;
* a C library declaration (``expm1``, ``cbrtf``, ... from numlir's lowering or
  ``convert-math-to-libm``): the attribute, plus ``memory(none)`` and ``nounwind`` (C math
  functions only write ``errno``, which compiled code never reads; the vectorizer needs a call
  without side effects);

and the vector functions are declared, listed in ``llvm.compiler.used`` so that no LLVM pass drops
them before the vectorizer runs. A loop the vectorizer leaves scalar still calls the scalar
function. Only declarations are touched, plus one walk collecting the intrinsics in use.
"""
from __future__ import annotations

from mlir import ir

from numlir import config
from numlir.runtime import libmvec

NAME = "vector-math"

# LLVM intrinsics made by convert-math-to-llvm (named as their C function) -> number of arguments
INTRINSICS = {
    "exp": 1, "exp2": 1, "exp10": 1, "log": 1, "log2": 1, "log10": 1, "sin": 1, "cos": 1,
    "tan": 1, "asin": 1, "acos": 1, "atan": 1, "sinh": 1, "cosh": 1, "tanh": 1,
    "pow": 2, "atan2": 2,
}
# C library functions declared by calls -> number of arguments (float32: name + "f")
LIBM = dict(INTRINSICS, expm1=1, log1p=1, cbrt=1, erf=1, erfc=1, asinh=1, acosh=1, atanh=1,
            hypot=2)
_BITS = {"f64": 64, "f32": 32}
# memory(none); MLIR releases differ in the memory locations they spell out
_NO_MEMORY = ["#llvm.memory_effects<other = none, argMem = none, inaccessibleMem = none"
              + extra + ">" for extra in (", errnoMem = none, targetMem0 = none, "
                                          "targetMem1 = none", ", errnoMem = none", "")]


def _no_memory():
    for text in _NO_MEMORY:
        try:
            return text, ir.Attribute.parse(text)
        except Exception:    # MLIRError: not this release's syntax
            continue
    raise RuntimeError("vector-math: cannot spell memory(none) in this MLIR's LLVM dialect")


def _libm_name(name):
    """(C function, float type) of a C math declaration ``exp``/``expf``, or None."""
    if name in LIBM:
        return name, "f64"
    if name.endswith("f") and name[:-1] in LIBM:
        return name[:-1], "f32"
    return None


def _intrinsics_used(module):
    found = set()

    def visit(op):
        name = op.name
        if name.startswith("llvm.intr.") and name[10:] in INTRINSICS:
            ty = str(op.results[0].type)
            if ty in _BITS:
                found.add((name[10:], ty))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return found


def _variant_attr(scalar, fn, nargs, ty):
    """The attribute text listing the vector variants of ``fn`` for ``scalar``, and the
    [(symbol, lanes)] it names; ("", []) if libmvec has none."""
    cname = fn + ("f" if ty == "f32" else "")
    found = libmvec.variants(cname, nargs, _BITS[ty])
    text = ",".join(f"_ZGV_LLVM_N{lanes}{'v' * nargs}_{scalar}({symbol})"
                    for symbol, lanes in found)
    return text, found


def vectorize_math(module):
    """Add libmvec variants to the math functions ``module`` (LLVM dialect) calls, in place."""
    if not config.VECTOR_MATH:
        return
    symbols = {}
    for op in module.body.operations:
        if op.name == "llvm.func" or op.name == "llvm.mlir.global":
            symbols[op.attributes["sym_name"].value] = op
    libm = [(name, op) for name, op in symbols.items()
            if op.name == "llvm.func" and _libm_name(name) and len(op.regions[0].blocks) == 0]
    intrinsics = _intrinsics_used(module)
    if not (libm or intrinsics) or not libmvec.available():
        return
    vectors = {}       # symbol -> (lanes, float type, nargs)
    decls = []
    no_memory_text, no_memory = _no_memory()
    for name, op in libm:
        fn, ty = _libm_name(name)
        nargs = LIBM[fn]
        if str(op.attributes["function_type"]) != f"!llvm.func<{ty} ({', '.join([ty] * nargs)})>":
            continue
        text, found = _variant_attr(name, fn, nargs, ty)
        if not found:
            continue
        op.attributes["memory_effects"] = no_memory
        op.attributes["no_unwind"] = ir.UnitAttr.get()
        op.attributes["passthrough"] = _with_variant(op, text)
        vectors.update((s, (lanes, ty, nargs)) for s, lanes in found)
    for fn, ty in sorted(intrinsics):
        scalar = f"llvm.{fn}.{ty}"
        if scalar in symbols:
            continue
        nargs = INTRINSICS[fn]
        text, found = _variant_attr(scalar, fn, nargs, ty)
        if not found:
            continue
        decls.append(f'llvm.func @{scalar}({", ".join([ty] * nargs)}) -> {ty} attributes '
                     f'{{passthrough = [["vector-function-abi-variant", "{text}"]]}}')
        vectors.update((s, (lanes, ty, nargs)) for s, lanes in found)
    used = sorted(s for s in vectors if s not in symbols)
    if not used:
        return
    for symbol in used:
        lanes, ty, nargs = vectors[symbol]
        vty = f"vector<{lanes}x{ty}>"
        decls.append(f'llvm.func @{symbol}({", ".join([vty] * nargs)}) -> {vty} '
                     f'attributes {{memory_effects = {no_memory_text}, no_unwind}}')
    kept = symbols.get("llvm.compiler.used")
    others = _addresses(kept) if kept is not None else []
    # someone else's list becomes part of ours; its symbols are stand-ins while parsing
    decls.extend(f"llvm.func @{name}()" for name in others)
    decls.append(_compiler_used(others + used))
    extra = ir.Module.parse("\n".join(decls), context=module.context)
    if kept is not None:
        kept.erase()
    for op in list(extra.body.operations):
        if op.attributes["sym_name"].value not in others:
            module.body.append(op)


def _with_variant(op, text):
    entries = []
    if "passthrough" in op.attributes:
        entries = [str(a) for a in op.attributes["passthrough"]
                   if "vector-function-abi-variant" not in str(a)]
    entries.append(f'["vector-function-abi-variant", "{text}"]')
    return ir.Attribute.parse("[" + ", ".join(entries) + "]")


def _addresses(global_op):
    names = []

    def visit(op):
        if op.name == "llvm.mlir.addressof":
            names.append(op.attributes["global_name"].value)
        return ir.WalkResult.ADVANCE

    global_op.walk(visit)
    return names


def _compiler_used(symbols):
    n = len(symbols)
    lines = [f'llvm.mlir.global appending @llvm.compiler.used() {{addr_space = 0 : i32, '
             f'section = "llvm.metadata"}} : !llvm.array<{n} x ptr> {{',
             f"  %a = llvm.mlir.undef : !llvm.array<{n} x ptr>"]
    prev = "%a"
    for i, symbol in enumerate(symbols):
        lines.append(f"  %p{i} = llvm.mlir.addressof @{symbol} : !llvm.ptr")
        lines.append(f"  %v{i} = llvm.insertvalue %p{i}, {prev}[{i}] : !llvm.array<{n} x ptr>")
        prev = f"%v{i}"
    lines.append(f"  llvm.return {prev} : !llvm.array<{n} x ptr>")
    lines.append("}")
    return "\n".join(lines)


vectorize_math.pass_name = NAME
