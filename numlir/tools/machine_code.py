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

_INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
_RELOC = re.compile(r"^\s*([0-9a-f]+):\s+R_\w+\s+(\S+?)(?:[+-]0x[0-9a-f]+)?\s*$")
_TARGET = re.compile(r"^(?:0x)?([0-9a-f]+)\b")


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


def loop_calls(disassembly):
    """[(loop start, loop end, {functions called inside})] for every innermost loop: a backward
    branch and the code it jumps back over, containing no other backward branch.

    A call's callee is its own relocation, or for ``call *%reg`` the symbol last loaded into
    ``%reg`` by a relocated ``movabs`` before it (LLVM hoists those loads out of loops)."""
    insns, calls, branches, loaded = [], [], [], {}
    for line in disassembly.splitlines():
        m = _RELOC.match(line)
        if m and insns:
            at, mnemonic, operands = insns[-1]
            if mnemonic.startswith("movabs"):
                loaded[operands.rsplit(",", 1)[-1].strip()] = m.group(2)
            elif mnemonic.startswith(("call", "jmp")):
                calls.append((at, m.group(2)))
            continue
        m = _INSN.match(line)
        if not m:
            continue
        at, mnemonic, operands = int(m.group(1), 16), m.group(2), m.group(3)
        insns.append((at, mnemonic, operands))
        if mnemonic.startswith("call") and operands.startswith("*%"):
            calls.append((at, loaded.get(operands[1:].strip(), "?")))
        elif mnemonic.startswith("j"):
            target = _TARGET.match(operands)
            if target and int(target.group(1), 16) < at:
                branches.append((int(target.group(1), 16), at))
    inner = [(lo, hi) for lo, hi in branches
             if not any(lo <= a and b <= hi and (a, b) != (lo, hi) for a, b in branches)]
    return [(lo, hi, {sym for at, sym in calls if lo <= at <= hi}) for lo, hi in inner]
