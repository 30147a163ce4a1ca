"""Named pass pipelines: an ordered list of stages, each a list of upstream MLIR passes.

Every stage's IR is kept on the compiled function (``inspect_mlir(stage=...)``), written to
``NUMLIR_DUMP_IR`` when set, printed after a pass named by ``NUMLIR_PRINT_AFTER``, and a failing
stage writes its input module and the ``mlir-opt`` command that reproduces the failure.
"""
from __future__ import annotations

import os
import shlex
import sys

from mlir import ir
from mlir.passmanager import PassManager

from numlir import config
from numlir.errors import PassFailure
from numlir.passes.nontemporal import loop_annotations, mark_fresh_outputs, nontemporal_stores
from numlir.passes.poison_memrefs import replace_poison_memrefs
from numlir.passes.scalar_buffers import scalar_buffers_to_stack
from numlir.passes.split_dealloc import split_deallocs
from numlir.passes.vector_math import vectorize_math

# (stage name, [pass pipeline elements, each "anchor(pass)" or a module-level pass])
CPU_STAGES = [
    ("lowered", []),
    ("canonical", ["inline", "func.func(mem2reg)", "func.func(canonicalize)", "func.func(cse)"]),
    # array expressions (linalg.generic on tensors) become buffers and loop nests
    ("bufferize", ["one-shot-bufferize", mark_fresh_outputs, "convert-linalg-to-loops",
                   "convert-math-to-funcs", scalar_buffers_to_stack, nontemporal_stores,
                   "func.func(canonicalize)"]),
    ("scf", ["lift-cf-to-scf", "func.func(canonicalize)"]),
    # frees every buffer compiled code allocates and does not return; private functions get an
    # i1 "caller owns it" result per returned memref, which the native entry reads
    ("dealloc", [replace_poison_memrefs,
                 "ownership-based-buffer-deallocation{private-function-dynamic-ownership=true}",
                 "canonicalize", "buffer-deallocation-simplification", split_deallocs,
                 "bufferization-lower-deallocations", "canonicalize"]),
    # the native entry point is added here (numlir.runtime.entry), after its kernel's final ABI
    ("llvm", ["convert-complex-to-standard", "arith-expand", "convert-math-to-llvm",
              "convert-math-to-libm", "expand-strided-metadata", "lower-affine",
              "convert-scf-to-cf", "convert-to-llvm", "reconcile-unrealized-casts",
              vectorize_math, loop_annotations]),
]
ENTRY_BEFORE = "llvm"      # the stage before which the native entry is added
DEALLOC_STAGE = "dealloc"  # the kernel turns private before this stage


def stage_names(stages=CPU_STAGES):
    return [name for name, _ in stages]


def _pipeline_text(passes):
    return "builtin.module(" + ",".join(passes) + ")"


def _pass_name(element):
    if callable(element):
        return element.pass_name
    inner = element.split("(", 1)[1][:-1] if "(" in element else element
    return inner.split("{", 1)[0].strip()


class StageFailed(Exception):
    """A stage failed in a run that kept no IR text to write a reproducer from."""


def run_stages(module, func_name, stages=CPU_STAGES, keep_text=True):
    """Run ``stages`` over ``module`` in place; returns {stage: IR text} (empty if not kept).
    Without ``keep_text`` a failing stage raises :class:`StageFailed`; with it, a
    :class:`PassFailure` naming the reproducer written from the text before that stage."""
    texts = {}
    dump_dir = config.DUMP_IR
    text = None
    for name, passes in stages:
        if passes:
            before = text if text is not None or not keep_text else str(module)
            try:
                _run(module, passes)
            except Exception as err:   # MLIRError: write the reproducer and fail loudly
                if before is None:     # the caller rebuilds the module keeping the texts
                    first = (str(err).strip().splitlines() or [""])[0]
                    raise StageFailed(f"numlir: MLIR stage '{name}' failed for {func_name}: "
                                      f"{first}") from err
                raise _failure(func_name, name, passes, before, err) from None
        text = None
        if keep_text or dump_dir:
            text = str(module)
            if keep_text:
                texts[name] = text
            if dump_dir:
                os.makedirs(dump_dir, exist_ok=True)
                with open(os.path.join(dump_dir, f"{func_name}.{name}.mlir"), "w") as fh:
                    fh.write(text)
    return texts


def _run(module, passes):
    target = config.PRINT_AFTER
    if not target:   # runs of upstream passes in one PassManager each, numlir's passes between
        group = []
        for element in passes + [None]:
            if isinstance(element, str):
                group.append(element)
                continue
            if group:
                pm = PassManager.parse(_pipeline_text(group))
                if config.DEBUG_VERIFY:
                    pm.enable_verifier(True)
                pm.run(module.operation)
                group = []
            if element is not None:
                element(module)
        return
    for element in passes:          # pass by pass, printing after the requested ones
        if callable(element):
            element(module)
        else:
            PassManager.parse(_pipeline_text([element])).run(module.operation)
        if target == "all" or _pass_name(element) == target:
            print(f"// -----// IR Dump After {_pass_name(element)} //----- //", file=sys.stderr)
            print(module, file=sys.stderr)


def mlir_tool(name):
    import mlir
    for root in mlir.__path__:
        path = os.path.join(root, "bin", name)
        if os.path.exists(path):
            return path
    return name


def llvm_tool(name):
    try:
        import llvm
        for root in llvm.__path__:
            path = os.path.join(root, "bin", name)
            if os.path.exists(path):
                return path
    except ImportError:
        pass
    return name


def _failure(func_name, stage, passes, module_text, err):
    os.makedirs(config.REPRO_DIR, exist_ok=True)
    path = os.path.join(config.REPRO_DIR, f"{func_name}.{stage}.mlir")
    with open(path, "w") as fh:
        fh.write(module_text)
    upstream = [p for p in passes if isinstance(p, str)]
    cmd = f"{mlir_tool('mlir-opt')} --pass-pipeline={shlex.quote(_pipeline_text(upstream))} {path}"
    first = str(err).strip().splitlines()
    summary = "\n".join(first[:6])
    return PassFailure(f"numlir: MLIR stage '{stage}' failed for {func_name}:\n{summary}\n"
                       f"reproduce with:\n  {cmd}")


def verify(module, func_name):
    """Verify the lowered module; invalid IR is a numlir bug, reported with a reproducer."""
    try:
        ok = module.operation.verify()
        err = None
    except Exception as e:          # MLIRError carries the diagnostics
        ok, err = False, e
    if not ok:
        os.makedirs(config.REPRO_DIR, exist_ok=True)
        path = os.path.join(config.REPRO_DIR, f"{func_name}.invalid.mlir")
        with open(path, "w") as fh:
            fh.write(module.operation.get_asm(assume_verified=True))
        detail = "\n".join(str(err).strip().splitlines()[:4]) if err else ""
        raise PassFailure(f"numlir: internal error, lowering produced invalid IR for {func_name} "
                          f"(module written to {path}):\n{detail}")


__all__ = ["CPU_STAGES", "StageFailed", "run_stages", "stage_names", "ir"]
