"""Compile time of scalar functions: numlir vs Numba, each measured in fresh processes.

For every function F_i of the list below, ``--repeats`` fresh child processes are started
per compiler (``sys.executable -c <script>``). Each child

1. times ``import numlir`` (or ``import numba``),
2. defines all functions with ``@njit`` (lazy: nothing is compiled yet),
3. times the FIRST call of F_i: compile + run, from just before the call to just after it
   ("cold": includes every one-time initialisation of the compiler),
4. then times the first call of the NEXT function F_{i+1} in the same process ("warm": the
   steady per-function compile cost once the compiler is initialised).

So every function gets ``--repeats`` cold and ``--repeats`` warm samples per compiler, and
the table shows their medians. Processes run one at a time, alternating the compilers.

    .venv/bin/python benchmarks/compile_time.py [--repeats 5] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import textwrap

from numlir.tools.report import geomean, precompile_numlir, print_header, print_table
from numlir.tools.showcase import results_equal

# Each entry: (name, source defining it with @jit, args as a Python expression).
# Helpers are private to one function, so a "warm" compile never reuses a compiled helper.
FUNCTIONS = [
    ("int_loop", """
@jit
def int_loop(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s
""", "(1000,)"),
    ("branches", """
@jit
def branches(n):
    acc = 0
    for i in range(n):
        if i % 15 == 0:
            acc += 15
        elif i % 5 == 0:
            acc -= 5
        elif i % 3 == 0:
            acc += 3
        else:
            acc ^= i
    return acc
""", "(1000,)"),
    ("math_calls", """
import math

@jit
def math_calls(x, n):
    s = 0.0
    for k in range(1, n):
        t = x / k
        s += math.sin(t) * math.exp(-t) + math.sqrt(t) - math.log(1.0 + t) + math.atan2(t, x)
    return s
""", "(2.5, 100)"),
    ("tuple_return", """
@jit
def tuple_return(a, b, c):
    # min()/max() would be natural here but numlir cannot compile them yet
    lo = a if a < b else b
    lo = lo if lo < c else c
    hi = a if a > b else b
    hi = hi if hi > c else c
    mean = (a + b + c) / 3.0
    return lo, hi, mean
""", "(3.0, -1.5, 7.25)"),
    ("helper_calls", """
@jit
def _hc_square(x):
    return x * x

@jit
def _hc_norm(x, y):
    return (_hc_square(x) + _hc_square(y)) ** 0.5

@jit
def helper_calls(n):
    s = 0.0
    for i in range(n):
        s += _hc_norm(float(i), 1.0)
    return s
""", "(100,)"),
    ("complex_arith", """
@jit
def complex_arith(re, im, n):
    z = complex(re, im)
    w = 1j
    for _ in range(n):
        w = w * z + 1.0 / (z + 2.0)
    return abs(w)
""", "(0.5, 0.25, 50)"),
    ("while_collatz", """
@jit
def while_collatz(x):
    steps = 0
    while x != 1:
        if x % 2 == 0:
            x //= 2
        else:
            x = 3 * x + 1
        steps += 1
    return steps
""", "(27,)"),
    ("nested_float", """
@jit
def nested_float(n, m):
    total = 0.0
    for i in range(n):
        row = 0.0
        for j in range(m):
            row += (i + 1.0) / (j + 1.0)
            if row > 1e6:
                break
        total += row
    return total
""", "(50, 40)"),
    ("raise_check", """
@jit
def raise_check(n):
    if n < 0:
        raise ValueError("n must be non-negative")
    r = 1
    for k in range(2, n + 1):
        r = r * k % 1000000007
    return r
""", "(20,)"),
    ("mixed_types", """
@jit
def mixed_types(n, scale, flag):
    acc = 0.0
    cnt = 0
    for i in range(n):
        v = i * scale
        if flag and v > 10.0:
            cnt += 1
            acc += v // 3
        elif not flag:
            acc -= v
    return acc + cnt
""", "(100, 0.75, True)"),
]

CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
import {module} as _mod
t_import = time.perf_counter() - t0
jit = _mod.njit
ns = {{"jit": jit}}
exec(compile({src!r}, "<compile_time functions>", "exec"), ns)
out = {{"import": t_import}}
for key, name, fargs in (("cold", {cold!r}, {cold_args}), ("warm", {warm!r}, {warm_args})):
    fn = ns[name]
    try:
        t0 = time.perf_counter()
        r = fn(*fargs)
        out[key] = time.perf_counter() - t0
        out["r_" + key] = repr(r)
    except Exception as exc:
        msg = str(exc).strip().splitlines()
        out["e_" + key] = type(exc).__name__ + ": " + (msg[0] if msg else "")
print("RESULT" + json.dumps(out))
'''


def run_child(module, cold_idx, warm_idx, src):
    cold, warm = FUNCTIONS[cold_idx], FUNCTIONS[warm_idx]
    code = CHILD.format(module=module, src=src, cold=cold[0], warm=warm[0],
                        cold_args=cold[2], warm_args=warm[2])
    precompile_numlir()
    env = dict(os.environ)
    env.pop("NUMBA_CACHE_DIR", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300)
    for line in res.stdout.splitlines():
        if line.startswith("RESULT"):
            return json.loads(line[len("RESULT"):]), None
    err = (res.stderr.strip().splitlines() or ["(no output)"])
    return None, f"child exited {res.returncode}: " + " | ".join(err[-3:])


def expected_results():
    ns = {"jit": lambda f: f}
    exec("".join(textwrap.dedent(s) for _, s, _ in FUNCTIONS), ns)
    return {name: ns[name](*eval(args)) for name, _, args in FUNCTIONS}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5,
                        help="fresh processes per function and compiler (default 5)")
    parser.add_argument("--only", nargs="*", help="restrict to these function names")
    args = parser.parse_args(argv)
    global FUNCTIONS
    if args.only:
        FUNCTIONS = [f for f in FUNCTIONS if f[0] in set(args.only)]
        if len(FUNCTIONS) < 2:
            parser.error("--only needs at least two known function names (one is compiled "
                         "cold, the next one warm)")

    import numba

    import numlir

    print_header(f"Compile time, numlir {numlir.__version__} vs numba {numba.__version__}: "
                 f"median of {args.repeats} fresh processes per function and compiler")

    src = "".join(textwrap.dedent(s) for _, s, _ in FUNCTIONS)
    expected = expected_results()
    n = len(FUNCTIONS)
    samples = {m: {"import": [], "cold": [[] for _ in range(n)], "warm": [[] for _ in range(n)]}
               for m in ("numlir", "numba")}
    errors = {}
    wrong = {}
    for rep in range(args.repeats):
        for i in range(n):
            j = (i + 1) % n
            for module in (("numlir", "numba") if rep % 2 == 0 else ("numba", "numlir")):
                out, err = run_child(module, i, j, src)
                if out is None:
                    errors.setdefault((module, FUNCTIONS[i][0]), err)
                    continue
                s = samples[module]
                s["import"].append(out["import"])
                for idx, key in ((i, "cold"), (j, "warm")):
                    name = FUNCTIONS[idx][0]
                    if "e_" + key in out:
                        errors.setdefault((module, name), out["e_" + key])
                        continue
                    s[key][idx].append(out[key])
                    got = ast.literal_eval(out["r_" + key])
                    if not results_equal(got, expected[name]):
                        wrong[(module, name)] = (got, expected[name])
        print(f"  repeat {rep + 1}/{args.repeats} done", file=sys.stderr, flush=True)

    def med(xs):
        return statistics.median(xs) if xs else None

    def ms(x):
        return f"{x * 1e3:.1f}" if x is not None else "FAILED"

    def ratio(a, b):
        return a / b if a is not None and b else None

    rows, cold_ratios, warm_ratios = [], [], []
    for i, (name, _, fargs) in enumerate(FUNCTIONS):
        cl, cb = med(samples["numlir"]["cold"][i]), med(samples["numba"]["cold"][i])
        wl, wb = med(samples["numlir"]["warm"][i]), med(samples["numba"]["warm"][i])
        rc, rw = ratio(cl, cb), ratio(wl, wb)
        if rc:
            cold_ratios.append(rc)
        if rw:
            warm_ratios.append(rw)
        rows.append([name, ms(cl), ms(cb), f"{rc:.2f}" if rc else "-",
                     ms(wl), ms(wb), f"{rw:.2f}" if rw else "-"])
    gc, gw = geomean(cold_ratios), geomean(warm_ratios)
    rows.append(["geomean", "", "", f"{gc:.2f}" if gc else "-", "", "",
                 f"{gw:.2f}" if gw else "-"])
    print_table(["function", "cold numlir ms", "cold numba ms", "ratio",
                 "warm numlir ms", "warm numba ms", "ratio"], rows)
    print("\ncold = first call (compile + run) in a fresh process; warm = first call of a "
          "second, different function\nin the same process; ratio = numlir / numba "
          "(< 1: numlir compiles faster).")

    print()
    imp_l, imp_b = med(samples["numlir"]["import"]), med(samples["numba"]["import"])
    print_table(["import (fresh process)", "median ms", "samples"], [
        ["import numlir", ms(imp_l), len(samples["numlir"]["import"])],
        ["import numba", ms(imp_b), len(samples["numba"]["import"])],
    ])
    print("(numlir imports numba for its typing front end, so 'import numlir' includes it.)")

    for (module, name), err in sorted(errors.items()):
        print(f"\nFAILED {module} {name}: {err}")
    for (module, name), (got, exp) in sorted(wrong.items()):
        print(f"\nWRONG RESULT {module} {name}: got {got}, Python gives {exp}")
    return 1 if errors or wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
