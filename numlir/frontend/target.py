"""The typing-only Numba target: Numba's bytecode frontend and type inference, no llvmlite codegen.

Every function numlir compiles, and every ``@overload``/``@register_jitable`` implementation Numba
reaches while typing it, is only *typed* here; the typed IR is what ``numlir.lowering`` consumes.
"""
from __future__ import annotations

import dataclasses
import functools

from numba.core import compiler, cpu, imputils, ir, registry, types, typing
from numba.core import target_extension as te
from numba.core.compiler import CompilerBase, DefaultPassBuilder, Flags
from numba.core.compiler_machinery import AnalysisPass, PassManager, register_pass
from numba.core.typed_passes import NopythonTypeInference

TARGET_NAME = "numlir"


class NumlirHardware(te.CPU):
    """Target 'hardware' for numlir. Subclassing CPU keeps every generic/CPU overload applicable."""


te.target_registry[TARGET_NAME] = NumlirHardware


# Modules whose import registers Numba's @overload typing, in two tiers. Scalar code is typed
# without any (see compile_typed); code that uses NumPy gets the first tier before its typing;
# the second (strings, typed containers, Generator, polynomials, jitclass ...) loads, with the
# first, after a typing failure, and the typing is retried.
_NUMPY_REGISTRY_MODULES = (
    "numba.cpython.builtins", "numba.cpython.iterators", "numba.cpython.listobj",
    "numba.cpython.numbers", "numba.cpython.rangeobj", "numba.cpython.slicing",
    "numba.cpython.tupleobj", "numba.core.optional", "numba.core.inline_closurecall",
    "numba.misc.literal", "numba.np.linalg", "numba.np.arraymath", "numba.np.arrayobj",
    "numba.np.random.legacy", "numba.np.npdatetime", "numba.np.npyimpl",
    "numba.cpython.cmathimpl", "numba.cpython.mathimpl", "numba.cpython.randomimpl",
    # numlir's own typing for NumPy functions beyond Numba's (numlir-target overloads)
    "numlir.lowering.axis_reductions", "numlir.lowering.ufunc_two_outputs",
    "numlir.lowering.linalg_loops", "numlir.lowering.sorting",
)
# numlir's own typing of NumPy's creation functions: enough for code whose only NumPy names are
# those, ufuncs and scalar classes (uses_numpy's "own"); loaded with either tier as well
_OWN_REGISTRY_MODULES = ("numlir.lowering.creation",)
_OTHER_REGISTRY_MODULES = (
    "numba.cpython.charseq", "numba.cpython.enumimpl", "numba.cpython.hashing",
    "numba.cpython.heapq", "numba.cpython.setobj", "numba.cpython.unicode",
    "numba.np.random.generator_core", "numba.np.random.generator_methods",
    "numba.np.polynomial.polynomial_core", "numba.np.polynomial.polynomial_functions",
    "numba.typed.typeddict", "numba.typed.dictimpl", "numba.typed.typedlist",
    "numba.typed.listobject", "numba.typed.typedset", "numba.typed.setobject",
    "numba.experimental.jitclass", "numba.experimental.function_type",
    "numba.np.types.datetime_registry",
)
_loaded_tiers = set()


_SHIM_REGISTRY = imputils.Registry("numlir_unused_llvmlite_shims")


class NumlirTargetContext(cpu.CPUContext):
    """Numba's CPU target context minus everything that only serves llvmlite code generation.

    numlir never lowers through it: no NRT initialisation, no lowering registries installed, and
    the @overload-registering modules are imported only when typing needs them.
    """

    def init(self):
        self.is32bit = False

    def load_additional_registries(self):
        pass

    def refresh(self):
        # Overload templates park their (llvmlite) lowering shims in the first registry of the
        # current target's context (Numba's builtin one when the context has it): give them a
        # registry of our own, never installed. Had they gone to Numba's builtin registry, the
        # shims of numlir's @overload_method templates (``a.mean()`` ...) would replace the CPU
        # target's lowering of the same methods whenever numlir typed them after Numba started.
        from numba.core.imputils import RegistryLoader
        if _SHIM_REGISTRY not in self._registries:
            self._registries[_SHIM_REGISTRY] = RegistryLoader(_SHIM_REGISTRY)
        self.typing_context.refresh()

    def codegen(self):
        return _NO_CODEGEN


class _NoCodegen:
    """Stands where Numba expects an llvmlite code generator: compared by identity, never used."""

    def __getattr__(self, name):
        raise RuntimeError(f"numlir's typing-only target has no llvmlite code generator ({name})")


_NO_CODEGEN = _NoCodegen()


def load_own_registries():
    """Import numlir's typing of NumPy creation functions (no Numba implementation modules)."""
    return _load_tiers(("own", _OWN_REGISTRY_MODULES))


def load_numpy_registries():
    """Import the first tier of Numba's Python-level implementations (NumPy, numbers, ranges,
    tuples, lists, math); True if this call loaded them."""
    return _load_tiers(("own", _OWN_REGISTRY_MODULES), ("numpy", _NUMPY_REGISTRY_MODULES))


def load_full_registries():
    """Import every module that registers Numba's Python-level implementations; True if this
    call loaded any."""
    return _load_tiers(("own", _OWN_REGISTRY_MODULES), ("numpy", _NUMPY_REGISTRY_MODULES),
                       ("other", _OTHER_REGISTRY_MODULES))


def _load_tiers(*tiers):
    import importlib
    todo = [(name, modules) for name, modules in tiers if name not in _loaded_tiers]
    if not todo:
        return False
    defer_blas_check()
    for name, modules in todo:
        for module in modules:
            importlib.import_module(module)
        _loaded_tiers.add(name)
    with te.target_override(TARGET_NAME):
        numlir_target.typing_context.refresh()
    return True


def defer_blas_check():
    """Numba's arraymath probes BLAS by importing SciPy (~0.1 s) when it is imported; a spec
    lookup is enough. Call before anything imports ``numba.np.arraymath``."""
    import importlib.util

    from numba.np import linalg
    if getattr(linalg.ensure_blas, "_numlir", False):
        return

    def ensure_blas():
        if importlib.util.find_spec("scipy") is None:
            raise ImportError("scipy 0.16+ is required for linear algebra")
    ensure_blas._numlir = True
    linalg.ensure_blas = ensure_blas


# Builtin classes used as values (``range``, ``float`` as a dtype or a conversion, ...). Numba's
# typeof of a class imports numba.typed's Dict, List and Set (~40 ms) to test subclassing before
# it falls back to the globals these are registered as.
_PLAIN_BUILTIN_CLASSES = frozenset({
    bool, int, float, complex, range, slice, enumerate, zip, reversed, tuple, list, dict, set,
    frozenset, str, bytes, object, type, map, filter,
})


class NumlirTypingContext(typing.Context):
    """Numba's typing context, resolving builtin classes without typeof's detour."""

    def resolve_value_type(self, val):
        if val.__class__ is type and val in _PLAIN_BUILTIN_CLASSES:
            ty = self._get_global_type(val)
            if ty is not None:
                return ty
        return super().resolve_value_type(val)


class _NumlirTargetDescr(registry.CPUTarget):
    """Own typing context and typing-only target context."""

    @functools.cached_property
    def _toplevel_typing_context(self):
        return NumlirTypingContext()

    @functools.cached_property
    def _toplevel_target_context(self):
        return NumlirTargetContext(self.typing_context, self._target_name)


numlir_target = _NumlirTargetDescr(TARGET_NAME)


@dataclasses.dataclass
class TypedIR:
    """What the frontend hands to lowering: SSA Numba IR (with phis) and its types."""

    func_ir: ir.FunctionIR
    typemap: dict
    calltypes: dict
    return_type: types.Type
    args: tuple


@register_pass(mutates_CFG=False, analysis_only=True)
class PublishTypedIR(AnalysisPass):
    """Terminal pass: a non-None ``state.cr`` stops ``CompilerBase`` before any Numba lowering."""

    _name = "numlir_publish_typed_ir"

    def __init__(self):
        AnalysisPass.__init__(self)

    def run_pass(self, state):
        state.cr = TypedIR(state.func_ir, state.typemap, state.calltypes, state.return_type,
                           tuple(state.args))
        return False


class TypedIRCompiler(CompilerBase):
    """Numba's untyped pipeline plus type inference; the IR stays in SSA form (phi nodes)."""

    def define_pipelines(self):
        pm = PassManager("numlir_typed_ir")
        pm.passes.extend(DefaultPassBuilder.define_untyped_pipeline(self.state).passes)
        pm.add_pass(NopythonTypeInference, "nopython frontend")
        pm.add_pass(PublishTypedIR, "publish typed IR")
        pm.finalize()
        return [pm]


def make_flags(parallel=False, boundscheck=None):
    """The flags ``@njit`` sets; numlir reads only the ones that change typing."""
    flags = Flags()
    flags.nrt = True
    flags.no_cpython_wrapper = True
    flags.no_cfunc_wrapper = True
    flags.error_model = "python"
    flags.auto_parallel = cpu.ParallelOptions(parallel)
    if boundscheck is not None:
        flags.boundscheck = boundscheck
    return flags


def compile_typed(typingctx, targetctx, pyfunc, argtypes, return_type, flags, locals):
    """Type ``pyfunc``; on a typing failure with the lazy registries, load them all and retry."""
    from numba.core import errors
    # Templates resolve "the current target" from TLS when no compile is on the stack: make it
    # ours, or Numba refreshes (and fully initialises) its own CPU target context.
    need = uses_numpy(pyfunc, argtypes) if "numpy" not in _loaded_tiers else None
    if need == "numpy":
        load_numpy_registries()     # typing would fail without them: skip the failed first try
    elif need == "own":
        load_own_registries()
    with te.target_override(TARGET_NAME):
        try:
            return compiler.compile_extra(typingctx, targetctx, pyfunc, tuple(argtypes),
                                          return_type, flags, locals or {},
                                          pipeline_class=TypedIRCompiler)
        except errors.TypingError:
            if not load_full_registries():
                raise
        return compiler.compile_extra(typingctx, targetctx, pyfunc, tuple(argtypes), return_type,
                                      flags, locals or {}, pipeline_class=TypedIRCompiler)


# Array attributes Numba types in its core (arraydecl), with no @overload behind them
_CORE_ARRAY_ATTRIBUTES = frozenset({
    "shape", "size", "ndim", "dtype", "itemsize", "nbytes", "strides", "T", "real", "imag",
    "flags", "ctypes", "c_contiguous", "f_contiguous",
})


def uses_numpy(pyfunc, argtypes):
    """Which implementations typing ``pyfunc`` will need: ``"numpy"`` (Numba's first registry
    tier), ``"own"`` (only numlir's NumPy templates: every NumPy name it uses is a ufunc, a
    scalar class or constant, or a creation function numlir types itself) or None, read from its
    code (closures included) and argument types: array methods are Numba ``@overload``
    implementations, array attributes such as ``shape`` are typed by Numba's core. A wrong answer
    costs a failed typing and a retry."""
    import dis

    if any(isinstance(t, (types.NumberClass, types.DType)) for t in argtypes):
        return "numpy"
    arrays = any(isinstance(t, types.Array) for t in argtypes)
    code = getattr(pyfunc, "__code__", None)
    if code is None:
        return "numpy" if arrays else None
    glbls = getattr(pyfunc, "__globals__", {})
    need, stack = None, [code]
    while stack:
        co = stack.pop()
        for name in co.co_names:
            obj = glbls.get(name, _MISSING)
            kind = None if obj is _MISSING else _numpy_kind(obj)
            if kind == "numpy":
                return "numpy"
            need = need or kind
        for ins in dis.get_instructions(co):
            if ins.opname not in ("LOAD_ATTR", "LOAD_METHOD") or \
                    ins.argval in _CORE_ARRAY_ATTRIBUTES:
                continue
            kind = _attribute_kind(ins.argval, arrays)
            if kind == "numpy":
                return "numpy"
            need = need or kind
        stack.extend(c for c in co.co_consts if isinstance(c, type(code)))
    return need


_MISSING = object()


def _numpy_kind(obj):
    """What typing a use of ``obj`` needs: None (not NumPy's, the module itself, whose
    attributes are looked at by name, or a ufunc or scalar class: Numba's core types those),
    "own" (a creation function numlir types) or "numpy"."""
    import numpy as np
    if obj is np or isinstance(obj, np.ufunc) or (isinstance(obj, type)
                                                  and issubclass(obj, np.generic)):
        return None
    if not (getattr(obj, "__module__", None) or "").startswith("numpy"):
        return None
    try:
        return "own" if obj in _OWN_NUMPY_FUNCTIONS else "numpy"
    except TypeError:              # unhashable
        return "numpy"


def _attribute_kind(attr, arrays):
    import cmath
    import math

    import numpy as np
    if hasattr(math, attr) or hasattr(cmath, attr):
        return None                       # math.sqrt, or np.sqrt: a ufunc
    value = getattr(np, attr, _MISSING)
    if value is not _MISSING:
        if value is None or isinstance(value, (bool, int, float)):
            return None                   # np.newaxis, np.pi, np.inf ...
        if isinstance(value, type(np)):
            return "numpy"                # a submodule: np.random, np.linalg ...
        kind = _numpy_kind(value)
        if kind is None and not isinstance(value, (np.ufunc, type)):
            kind = "numpy"                # NumPy's, though its __module__ names another
        return kind
    return "numpy" if arrays else None    # an array method (an @overload_method)


def _own_numpy_functions():
    import numpy as np
    return frozenset({np.empty, np.zeros, np.ones, np.empty_like, np.zeros_like, np.ones_like})


_OWN_NUMPY_FUNCTIONS = _own_numpy_functions()


def type_function(pyfunc, argtypes, return_type=None, parallel=False, locals=None):
    """Run the frontend on ``pyfunc`` for ``argtypes`` and return its :class:`TypedIR`."""
    return compiler.compile_extra(numlir_target.typing_context, numlir_target.target_context,
                                  pyfunc, tuple(argtypes), return_type, make_flags(parallel),
                                  locals or {}, pipeline_class=TypedIRCompiler)


def _install_nep50():
    from numlir.frontend import nep50
    nep50.install()


_install_nep50()

# numlir-target typing of array methods (e.g. reshape of non-contiguous arrays): registered before
# the first typing, as Numba loads templates into a context once
from numlir.lowering import array_typing  # noqa: E402,F401
