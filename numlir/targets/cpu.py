"""The CPU target: lower a typed dispatcher overload into one module, run the CPU stages, JIT it
with MLIR's ExecutionEngine and wrap its native entry point as a Python builtin function."""
from __future__ import annotations

import ctypes
import dataclasses
import os
import subprocess
import threading

from mlir import ir
from mlir.execution_engine import ExecutionEngine
from numba.core import target_extension as te
from numba.core import typing

from numlir import config
from numlir.frontend.target import TARGET_NAME
from numlir.lowering import load_rules
from numlir.lowering.core import ModuleLowering
from numlir.passes.pipeline import (
    CPU_STAGES,
    DEALLOC_STAGE,
    ENTRY_BEFORE,
    StageFailed,
    llvm_tool,
    mlir_tool,
    run_stages,
    verify,
)
from numlir.runtime.array_boxing import adopt_free_capsule
from numlir.runtime.entry import add_entry, make_pycfunction

_context_lock = threading.RLock()
_context = None


def mlir_context():
    """The process-wide MLIR context (creating one costs milliseconds; compiles are serialized)."""
    global _context
    if _context is None:
        from numlir import mlir_dialects
        mlir_dialects.install()
        _context = ir.Context()
        _context.allow_unregistered_dialects = False
    return _context


_runner_utils = []


def _load_runner_utils():
    """MLIR's C runner utilities (``memrefCopy``: copies between strided memrefs that
    bufferization may insert), made global in the process so the JIT resolves them; loaded on
    the first module that calls them (the load costs ~40 ms)."""
    if _runner_utils:
        return
    import mlir
    for root in mlir.__path__:
        path = os.path.join(root, "lib", "libmlir_c_runner_utils.so")
        if os.path.exists(path):
            _runner_utils.append(ctypes.CDLL(path, mode=os.RTLD_GLOBAL))
            return


@dataclasses.dataclass
class CompiledFunction:
    """One native signature of a dispatcher: the entry, the engine that owns the code. The IR
    text of each stage (``stages``) is not kept by the compile (printing the module after every
    stage cost ~10 % of a small function's compile): it is rebuilt on first request."""

    signature: typing.Signature
    entry: object
    engine: ExecutionEngine
    keep_alive: tuple
    dispatcher: object = None
    _stages: dict = None

    @property
    def stages(self):
        if self._stages is None:
            with te.target_override(TARGET_NAME), _context_lock, mlir_context(), \
                    ir.Location.unknown():
                self._stages = build_module(self.dispatcher, self.signature.args,
                                            keep_text=True)[2]
        return self._stages

    def llvm_ir(self):
        return _translate(self.stages["llvm"], [mlir_tool("mlir-translate"), "--mlir-to-llvmir"])

    def assembly(self):
        llvm_ir = self.llvm_ir()
        return _translate(llvm_ir, [llvm_tool("llc"), f"-O{config.OPT_LEVEL}", "-o", "-"])


def _translate(text, cmd):
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed:\n{proc.stderr}")
    return proc.stdout


def build_module(dispatcher, argtypes, keep_text=False):
    """Lower ``dispatcher`` at ``argtypes`` and run the CPU stages: (module, entry name, {stage:
    IR text} when ``keep_text``, whether it has parallel regions, return type). Deterministic,
    so that a failing stage and introspection can rebuild the texts a compile did not keep."""
    module = ir.Module.create()
    boundscheck = dispatcher.targetoptions.get("boundscheck")
    mod = ModuleLowering(module, config.BOUNDSCHECK if boundscheck is None else boundscheck)
    kernel_op, return_type = mod.function_for(dispatcher, argtypes, public=True)
    name = kernel_op.sym_name.value
    dump_name = f"{name}.{len(dispatcher._native)}"   # one set of files per signature
    verify(module, name)
    pipeline = CPU_STAGES
    if mod.has_parallel:          # scf.parallel loops: outlined, run on numlir's pool
        from numlir.passes.parallel import with_parallel_stage
        pipeline = with_parallel_stage(CPU_STAGES, after=DEALLOC_STAGE)
    names = [n for n, _ in pipeline]
    dealloc, split = names.index(DEALLOC_STAGE), names.index(ENTRY_BEFORE)
    stages = run_stages(module, dump_name, pipeline[:dealloc], keep_text)
    # private from here on: the inliner would have deleted an unused private kernel, and
    # buffer deallocation gives only private functions ownership results
    kernel_op = _lookup(module, name)
    kernel_op.attributes["sym_visibility"] = ir.StringAttr.get("private")
    stages.update(run_stages(module, dump_name, pipeline[dealloc:split], keep_text))
    add_entry(module, f"{name}_entry", _lookup(module, name), argtypes, return_type,
              exact_layout=not dispatcher._explicit)
    stages.update(run_stages(module, dump_name, pipeline[split:], keep_text))
    return module, f"{name}_entry", stages, mod.has_parallel, return_type


def compile_dispatcher(dispatcher, argtypes, next_entry):
    """Compile ``dispatcher`` at ``argtypes``: a native entry falling back to ``next_entry``."""
    load_rules()
    # lowering may type more code (overload methods, helpers): keep Numba on our target
    with te.target_override(TARGET_NAME), _context_lock, mlir_context(), ir.Location.unknown():
        try:
            module, entry_name, _, parallel, return_type = build_module(dispatcher, argtypes)
        except StageFailed:      # again, keeping every stage's text for the reproducer
            build_module(dispatcher, argtypes, keep_text=True)
            raise
        if _calls(module, "memrefCopy"):
            _load_runner_utils()
        engine = ExecutionEngine(module, opt_level=config.OPT_LEVEL)
        address = _function_address(engine, f"{entry_name}_addr")
        if _defines(module, "nl_free_capsule"):
            adopt_free_capsule(engine, _function_address)
    fn, mdef = make_pycfunction(dispatcher.py_func.__name__, address, next_entry)
    sig = typing.signature(return_type, *argtypes)
    return CompiledFunction(sig, fn, engine, (mdef, next_entry), dispatcher)


def _llvm_func(module, symbol):
    """The ``llvm.func`` named ``symbol`` in the LLVM-dialect ``module``, or None."""
    for op in module.body.operations:
        if op.name == "llvm.func" and op.attributes["sym_name"].value == symbol:
            return op
    return None


def _calls(module, symbol):
    """Whether the LLVM-dialect ``module`` declares ``symbol``."""
    return _llvm_func(module, symbol) is not None


def _defines(module, symbol):
    op = _llvm_func(module, symbol)
    return op is not None and len(op.regions[0].blocks) > 0


def _lookup(module, name):
    for op in module.body.operations:
        if "sym_name" in op.attributes and op.attributes["sym_name"].value == name:
            return op
    raise KeyError(name)


def _function_address(engine, getter):
    """Call the generated ``getter`` (through its packed wrapper) to read a function's address."""
    slot = ctypes.c_void_p()
    packed = (ctypes.c_void_p * 1)(ctypes.addressof(slot))
    ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.raw_lookup(getter))(packed)
    return slot.value
