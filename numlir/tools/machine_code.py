"""The machine code the JIT really produced (after LLVM's O3 pipeline, vectorizer included).

``inspect_asm()`` runs ``llc`` on the unoptimised LLVM IR; this reads the ExecutionEngine's own
object file instead and disassembles it with ``llvm-objdump -dr`` (calls of external functions
show up as relocations naming the callee). ``loop_calls`` lists, for each innermost loop of that
listing, the functions called in it.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile

from numlir.passes.pipeline import llvm_tool
from numlir.tools.x86_callees import resolve_callees

_INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
_RELOC = re.compile(r"^\s*([0-9a-f]+):\s+R_\w+\s+(\S+?)(?:[+-]0x[0-9a-f]+)?\s*$")
_TARGET = re.compile(r"^(?:0x)?([0-9a-f]+)\b")
_FUNC = re.compile(r"^[0-9a-f]+ <(.+)>:\s*$")


def object_disassembly(dispatcher, signature=None):
    """``llvm-objdump -dr`` of the JIT object holding ``dispatcher``'s compiled ``signature``."""
    compiled = dispatcher._pick(signature)
    fd, path = tempfile.mkstemp(suffix=".o")
    os.close(fd)
    try:
        compiled.engine.dump_to_object_file(path)
        proc = subprocess.run([llvm_tool("llvm-objdump"), "-dr", "--no-show-raw-insn", path],
                              capture_output=True, text=True, check=False)
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        raise RuntimeError(f"llvm-objdump failed:\n{proc.stderr}")
    return proc.stdout


def functions(disassembly):
    """{function name: [(address, mnemonic, operands, relocated symbol or None)]}."""
    funcs, insns = {}, None
    for line in disassembly.splitlines():
        m = _FUNC.match(line)
        if m:
            insns = funcs.setdefault(m.group(1), [])
            continue
        if insns is None:
            continue
        m = _RELOC.match(line)
        if m and insns:
            at, mnemonic, operands, _ = insns[-1]
            insns[-1] = (at, mnemonic, operands, m.group(2))
            continue
        m = _INSN.match(line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2), m.group(3).split("#")[0].strip(), None))
    return funcs


def branch_target(operands):
    m = _TARGET.match(operands)
    return int(m.group(1), 16) if m else None


def loop_calls(disassembly):
    """[(loop start, loop end, {functions called inside})] for every innermost loop: a backward
    branch and the code it jumps back over, containing no other backward branch. A call through a
    register names every symbol a relocated ``movabs`` may have left there (LLVM hoists those
    loads out of loops; ``x86_callees``)."""
    loops = []
    for insns in functions(disassembly).values():
        callees = resolve_callees(insns)
        branches = []
        for at, mnemonic, operands, _ in insns:
            if mnemonic.startswith("j"):
                target = branch_target(operands)
                if target is not None and target < at:
                    branches.append((target, at))
        inner = [(lo, hi) for lo, hi in branches
                 if not any(lo <= a and b <= hi and (a, b) != (lo, hi) for a, b in branches)]
        for lo, hi in inner:
            called = set()
            for at, names in callees.items():
                if lo <= at <= hi:
                    called |= names
            loops.append((lo, hi, called))
    return loops
