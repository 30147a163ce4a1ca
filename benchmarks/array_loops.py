"""Explicit-loop array kernels, numlir vs Numba ``njit``: steady-state speed and compile time.

Kernels (loops over NumPy arrays, no array expressions): a 2-D 5-point stencil, a prefix sum, a
prime sieve returning ``np.nonzero(flags)[0]``, a dot product, row sums of a matrix and column sums
of a Fortran-ordered matrix.

Speed: both compiled versions run the same inputs in one process; each is warmed up (compiled and
run once), numlir's result is compared with Numba's, then each is timed ``--repeats``
times, alternating numlir and Numba, and the median per call is kept. ``numba/numlir`` > 1 means
numlir is faster.

Compile time: for every kernel and compiler, ``--compile-repeats`` fresh processes
(``sys.executable -c <script>``) import the compiler, define the kernel, build small inputs and
time the FIRST call (compile + run); the table shows the medians. ``numlir/numba`` < 1 means
numlir compiles faster.

    .venv/bin/python benchmarks/array_loops.py [--repeats 7] [--compile-repeats 3] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap

import numpy as np

from numlir.tools.report import (
    fmt_time,
    geomean,
    median_pair,
    precompile_numlir,
    print_header,
    print_table,
    time_once,
)

# Each entry: (name, source defining it with @jit, big args, small args) -- the args are Python
# expressions evaluated with ``np`` in scope; the small ones are for the compile-time children.
KERNELS = [
    ("stencil5", """
@jit
def stencil5(a):
    n, m = a.shape
    out = np.zeros((n, m))
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i, j] = 0.2 * (a[i, j] + a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])
    return out
""", "(np.random.default_rng(0).random((512, 512)),)", "(np.ones((4, 4)),)"),
    ("prefix_sum", """
@jit
def prefix_sum(a):
    out = np.empty_like(a)
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
        out[i] = s
    return out
""", "(np.random.default_rng(1).random(1_000_000),)", "(np.ones(4),)"),
    ("sieve", """
@jit
def sieve(n):
    flags = np.ones(n + 1, np.bool_)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = False
        i += 1
    return np.nonzero(flags)[0]
""", "(1_000_000,)", "(30,)"),
    ("dot", """
@jit
def dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s
""", "(np.random.default_rng(2).random(1_000_000), np.random.default_rng(3).random(1_000_000))",
     "(np.ones(4), np.ones(4))"),
    ("row_sums", """
@jit
def row_sums(m):
    out = np.zeros(m.shape[0])
    for i in range(m.shape[0]):
        s = 0.0
        for j in range(m.shape[1]):
            s += m[i, j]
        out[i] = s
    return out
""", "(np.random.default_rng(4).random((1000, 1000)),)", "(np.ones((3, 4)),)"),
    ("col_sums_F", """
@jit
def col_sums_F(m):
    out = np.zeros(m.shape[1])
    for j in range(m.shape[1]):
        s = 0.0
        for i in range(m.shape[0]):
            s += m[i, j]
        out[j] = s
    return out
""", "(np.asfortranarray(np.random.default_rng(5).random((1000, 1000))),)",
     "(np.asfortranarray(np.ones((3, 4))),)"),
]

CHILD = r'''
import json, time
import numpy as np
t0 = time.perf_counter()
import {module} as _mod
t_import = time.perf_counter() - t0
ns = {{"jit": _mod.njit, "np": np}}
exec(compile({src!r}, "<array_loops kernel>", "exec"), ns)
args = {args}
fn = ns[{name!r}]
out = {{"import": t_import}}
try:
    t0 = time.perf_counter()
    fn(*args)
    out["first_call"] = time.perf_counter() - t0
except Exception as exc:
    msg = str(exc).strip().splitlines()
    out["error"] = type(exc).__name__ + ": " + (msg[0] if msg else "")
print("RESULT" + json.dumps(out))
'''




def same_result(got, want):
    if isinstance(want, np.ndarray):
        return (isinstance(got, np.ndarray) and got.dtype == want.dtype
                and got.shape == want.shape
                and (np.array_equal(got, want) if want.dtype.kind in "biu"
                     else np.allclose(got, want, rtol=1e-12, atol=0)))
    return abs(got - want) <= 1e-12 * max(1.0, abs(want))


def define(jit, name, src):
    ns = {"jit": jit, "np": np}
    code = compile(textwrap.dedent(src), f"<array_loops {name}>", "exec")
    exec(code, ns)  # noqa: S102 -- the kernels are source strings
    return ns[name]


def run_child(module, name, src, args):
    precompile_numlir()
    code = CHILD.format(module=module, src=textwrap.dedent(src), args=args, name=name)
    env = dict(os.environ)
    env.pop("NUMBA_CACHE_DIR", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300, check=False)
    for line in res.stdout.splitlines():
        if line.startswith("RESULT"):
            out = json.loads(line[len("RESULT"):])
            if "error" in out:
                return None, out["error"]
            return out["first_call"], None
    err = res.stderr.strip().splitlines() or ["(no output)"]
    return None, f"child exited {res.returncode}: " + " | ".join(err[-3:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed samples (default 7)")
    parser.add_argument("--compile-repeats", type=int, default=3,
                        help="fresh processes per kernel and compiler (default 3; 0 skips)")
    parser.add_argument("--only", nargs="*", help="restrict to these kernel names")
    args = parser.parse_args(argv)

    import numba

    import numlir

    kernels = KERNELS
    if args.only:
        kernels = [k for k in KERNELS if k[0] in set(args.only)]
    print_header(f"Array loop kernels, numlir {numlir.__version__} vs numba {numba.__version__}: "
                 f"speed median of {args.repeats} samples, compile time median of "
                 f"{args.compile_repeats} fresh processes")

    failures = []
    rows, ratios = [], []
    for name, src, big, _small in kernels:
        inputs = eval(big, {"np": np})
        nb = define(numba.njit, name, src)
        nl = define(numlir.njit, name, src)
        expected = nb(*inputs)
        try:
            got = nl(*inputs)
        except Exception as exc:        # noqa: BLE001 -- reported in the table
            msg = (str(exc).strip().splitlines() or [""])[0]
            failures.append(f"{name}: numlir raised {type(exc).__name__}: {msg}")
            rows.append([name, fmt_time(time_once(nb, inputs)), "FAILED", "-", "-"])
            continue
        same = same_result(got, expected)
        if not same:
            failures.append(f"{name}: numlir's result differs from numba's")
        m_nl, m_nb = median_pair(nl, nb, inputs, args.repeats)
        ratios.append(m_nb / m_nl)
        rows.append([name, fmt_time(m_nb), fmt_time(m_nl), f"{m_nb / m_nl:.2f}",
                     "yes" if same else "NO"])
    gm = geomean(ratios)
    rows.append(["geomean", "", "", f"{gm:.2f}" if gm else "-", ""])
    print_table(["kernel", "numba", "numlir", "numba/numlir", "same result"], rows)
    print("\nnumba/numlir > 1: numlir is faster. Inputs: stencil5 512x512, prefix_sum/dot 10^6 "
          "float64,\nsieve n=10^6, row_sums 1000x1000 C, col_sums_F 1000x1000 Fortran order.")

    if args.compile_repeats > 0:
        print(flush=True)
        samples = {(m, k[0]): [] for m in ("numlir", "numba") for k in kernels}
        for rep in range(args.compile_repeats):
            for name, src, _big, small in kernels:
                for module in (("numlir", "numba") if rep % 2 == 0 else ("numba", "numlir")):
                    t, err = run_child(module, name, src, small)
                    if err:
                        failures.append(f"compile {module} {name}: {err}")
                    else:
                        samples[(module, name)].append(t)
            print(f"  compile repeat {rep + 1}/{args.compile_repeats} done", file=sys.stderr,
                  flush=True)
        crows, cratios = [], []
        for name, *_ in kernels:
            sl, sb = samples[("numlir", name)], samples[("numba", name)]
            ml = statistics.median(sl) if sl else None
            mb = statistics.median(sb) if sb else None
            r = ml / mb if ml and mb else None
            if r:
                cratios.append(r)
            crows.append([name, fmt_time(ml) if ml else "FAILED", fmt_time(mb) if mb else "FAILED",
                          f"{r:.2f}" if r else "-"])
        cg = geomean(cratios)
        crows.append(["geomean", "", "", f"{cg:.2f}" if cg else "-"])
        print_table(["kernel (first call, fresh process)", "numlir", "numba", "numlir/numba"],
                    crows)
        print("\nfirst call = compile + run on small inputs, including each compiler's one-time "
              "initialisation;\nnumlir/numba < 1: numlir compiles faster.")

    for f in dict.fromkeys(failures):
        print(f"FAILED {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
