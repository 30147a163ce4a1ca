"""Which function each call of an x86-64 disassembly (AT&T syntax) may reach.

JIT code calls external functions through a register, ``movabs $sym, %reg`` (a relocation)
hoisted out of the loop, then ``call *%reg``. A forward "reaching definitions" pass over the
basic blocks tracks, for each register, the symbols such loads may have left there; any other
write to the register, or a call for the caller-saved ones, forgets them.
"""
from __future__ import annotations

import re

_CALLER_SAVED = {"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"}
_LEGACY = {"a": "rax", "b": "rbx", "c": "rcx", "d": "rdx", "si": "rsi", "di": "rdi",
           "bp": "rbp", "sp": "rsp"}
_NO_WRITE = ("cmp", "test", "push", "call", "j", "ret", "nop", "ucomis", "comis", "vucomis",
             "vcomis", "bt")
_TARGET = re.compile(r"^(?:0x)?([0-9a-f]+)\b")


def _register(name):
    """The 64-bit register a register operand (``%r13d``, ``%eax``, ``%al``) belongs to."""
    name = name.lstrip("%")
    m = re.fullmatch(r"r(\d+)[dwb]?", name)
    if m:
        return "r" + m.group(1)
    m = re.fullmatch(r"[re]?([a-d])[xlh]|[re]?(si|di|bp|sp)l?", name)
    if m:
        return _LEGACY[m.group(1) or m.group(2)]
    return None


def _destination(mnemonic, operands):
    if not operands or mnemonic.startswith(_NO_WRITE):
        return None
    last = operands.rsplit(",", 1)[-1].strip()
    return _register(last) if last.startswith("%") and "(" not in last else None


def _target(operands):
    m = _TARGET.match(operands)
    return int(m.group(1), 16) if m else None


def _blocks(insns):
    """Basic blocks as index ranges, and each block's successors."""
    index = {at: i for i, (at, _, _, _) in enumerate(insns)}
    leaders = {0}
    for i, (_, mnemonic, operands, _) in enumerate(insns):
        if mnemonic.startswith(("j", "ret", "ud2")):
            leaders.add(i + 1)
            target = _target(operands) if mnemonic.startswith("j") else None
            if target in index:
                leaders.add(index[target])
    starts = sorted(x for x in leaders if x < len(insns))
    ranges = list(zip(starts, starts[1:] + [len(insns)]))
    by_start = {s: b for b, (s, _) in enumerate(ranges)}
    succs = []
    for b, (s, e) in enumerate(ranges):
        _, mnemonic, operands, _ = insns[e - 1]
        out = []
        if mnemonic.startswith("j"):
            target = _target(operands)
            if target in index:
                out.append(by_start[index[target]])
        if not mnemonic.startswith(("jmp", "ret", "ud2")) and b + 1 < len(ranges):
            out.append(b + 1)
        succs.append(out)
    return ranges, succs


def _step(state, insn, calls):
    at, mnemonic, operands, symbol = insn
    if mnemonic.startswith("call"):
        if symbol:
            calls[at] = {symbol}
        elif operands.startswith("*%"):
            reg = _register(operands[1:])
            calls[at] = set(state.get(reg, ()))
        for reg in _CALLER_SAVED:
            state.pop(reg, None)
        return
    dest = _destination(mnemonic, operands)
    if dest is None:
        return
    if mnemonic.startswith("movabs") and symbol:
        state[dest] = frozenset([symbol])
    else:
        state.pop(dest, None)


def resolve_callees(insns):
    """{address of each call: {symbols it may call}} for one function's instructions
    ``[(address, mnemonic, operands, relocated symbol or None)]``."""
    if not insns:
        return {}
    ranges, succs = _blocks(insns)
    ins = [None] * len(ranges)
    ins[0] = {}
    work = [0]
    while work:
        b = work.pop()
        state = dict(ins[b])
        s, e = ranges[b]
        for insn in insns[s:e]:
            _step(state, insn, {})
        for n in succs[b]:
            merged = dict(ins[n]) if ins[n] is not None else None
            if merged is None:
                merged = state
            else:
                for reg, syms in state.items():
                    merged[reg] = merged.get(reg, frozenset()) | syms
            if merged != ins[n]:
                ins[n] = merged
                work.append(n)
    calls = {}
    for b, (s, e) in enumerate(ranges):
        state = dict(ins[b] or {})
        for insn in insns[s:e]:
            _step(state, insn, calls)
    return calls
