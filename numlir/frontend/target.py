"""The typing-only Numba target: Numba's bytecode frontend and type inference, no llvmlite codegen.

Every function numlir compiles, and every ``@overload``/``@register_jitable`` implementation Numba
reaches while typing it, is only *typed* here; the typed IR is what ``numlir.lowering`` consumes.
"""
from __future__ import annotations

import dataclasses

from numba.core import compiler, cpu, ir, registry, types
from numba.core import target_extension as te
from numba.core.compiler import CompilerBase, DefaultPassBuilder, Flags
from numba.core.compiler_machinery import AnalysisPass, PassManager, register_pass
from numba.core.typed_passes import NopythonTypeInference

TARGET_NAME = "numlir"


class NumlirHardware(te.CPU):
    """Target 'hardware' for numlir. Subclassing CPU keeps every generic/CPU overload applicable."""


te.target_registry[TARGET_NAME] = NumlirHardware


class _NumlirTargetDescr(registry.CPUTarget):
    """Own typing context and (never used for codegen) target context."""


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


def type_function(pyfunc, argtypes, return_type=None, parallel=False, locals=None):
    """Run the frontend on ``pyfunc`` for ``argtypes`` and return its :class:`TypedIR`."""
    return compiler.compile_extra(numlir_target.typing_context, numlir_target.target_context,
                                  pyfunc, tuple(argtypes), return_type, make_flags(parallel),
                                  locals or {}, pipeline_class=TypedIRCompiler)
