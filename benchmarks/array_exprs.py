"""Array expressions, numlir vs Numba ``njit`` vs NumPy: steady-state speed, bandwidth of the
memory-bound kernels, compile time.

Kernels (NumPy code, no explicit loops): the Numba docs' ``a*b - 4.1*a > 2.5*b``, a triad, a
Black-Scholes pricer, ``np.sqrt(x**2 + y**2)``, a chain over several statements, fused reductions
(``np.sum(a * b)``, a mean of an expression), a softmax, a 2-D 5-point stencil written with
slices, and ``np.dot`` of two 300x300 matrices (numlir and Numba: their own loops / BLAS).

Speed: every version runs the same inputs in one process, warmed up, results compared with
NumPy's; samples alternate between the compilers; medians. ``numba/numlir`` > 1: numlir is faster.
Bandwidth: bytes read + written per call / time, next to what ``np.copyto`` reaches moving as
many bytes (a copy of ``bytes per element * N / 16`` float64, timed in the same interleaved
samples): the same traffic and cache footprint as the kernel. A copy of only ``N`` elements
(32 MB, this machine's whole L3) partly runs from the cache the previous call filled and
overstates the memory bandwidth the kernels, with 34-64 MB, can reach (the issue's yardstick:
>= 85 %).

Compile time: first call in fresh processes (``benchmarks/array_loops.py`` has the machinery).

    .venv/bin/python benchmarks/array_exprs.py [--repeats 7] [--compile-repeats 3] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from array_loops import define, run_child  # noqa: E402

from numlir.tools.report import fmt_time, geomean, print_header, print_table, time_once  # noqa: E402

N = 2_000_000

# (name, source defining it with @jit, big args, small args, bytes moved per element or None)
KERNELS = [
    ("numba_docs", """
@jit
def numba_docs(a, b):
    return a * b - 4.1 * a > 2.5 * b
""", "(rng.random(N), rng.random(N))", "(np.ones(4), np.ones(4))", 8 + 8 + 1),
    ("triad", """
@jit
def triad(a, b):
    return a + 2.5 * b
""", "(rng.random(N), rng.random(N))", "(np.ones(4), np.ones(4))", 24),
    ("black_scholes", """
@jit
def black_scholes(s, x, t, r, v):
    sqrt_t = np.sqrt(t)
    d1 = (np.log(s / x) + (r + 0.5 * v * v) * t) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    k1 = 1.0 / (1.0 + 0.2316419 * np.abs(d1))
    k2 = 1.0 / (1.0 + 0.2316419 * np.abs(d2))
    p1 = k1 * (0.31938153 + k1 * (-0.356563782 + k1 * (1.781477937 + k1 * (-1.821255978
                                                                          + k1 * 1.330274429))))
    p2 = k2 * (0.31938153 + k2 * (-0.356563782 + k2 * (1.781477937 + k2 * (-1.821255978
                                                                          + k2 * 1.330274429))))
    c1 = 1.0 - 0.3989422804014327 * np.exp(-0.5 * d1 * d1) * p1
    c2 = 1.0 - 0.3989422804014327 * np.exp(-0.5 * d2 * d2) * p2
    return s * c1 - x * np.exp(-r * t) * c2
""", "(rng.random(N) * 50 + 10, rng.random(N) * 50 + 10, rng.random(N) + 0.1, 0.02, 0.3)",
     "(np.ones(4), np.ones(4), np.ones(4), 0.02, 0.3)", None),
    ("hypot", """
@jit
def hypot(x, y):
    return np.sqrt(x ** 2 + y ** 2)
""", "(rng.random(N), rng.random(N))", "(np.ones(4), np.ones(4))", 24),
    ("chain_statements", """
@jit
def chain_statements(a, b, c):
    t = a * b
    u = t + c
    w = u * u - t
    return np.sqrt(np.abs(w))
""", "(rng.random(N), rng.random(N), rng.random(N))", "(np.ones(4), np.ones(4), np.ones(4))", 32),
    ("sum_product", """
@jit
def sum_product(a, b):
    return np.sum(a * b)
""", "(rng.random(N), rng.random(N))", "(np.ones(4), np.ones(4))", 16),
    ("mean_expr", """
@jit
def mean_expr(a, b):
    return ((a - b) ** 2).mean()
""", "(rng.random(N), rng.random(N))", "(np.ones(4), np.ones(4))", 16),
    ("softmax", """
@jit
def softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)
""", "(rng.random(N),)", "(np.ones(4),)", None),
    ("stencil_slices", """
@jit
def stencil_slices(a):
    return 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])
""", "(rng.random((1500, 1500)),)", "(np.ones((4, 4)),)", None),
    ("dot_300", """
@jit
def dot_300(a, b):
    return np.dot(a, b)
""", "(rng.random((300, 300)), rng.random((300, 300)))", "(np.ones((3, 3)), np.ones((3, 3)))",
     None),
]


def _close(got, want):
    if isinstance(want, np.ndarray):
        return (isinstance(got, np.ndarray) and got.shape == want.shape
                and np.allclose(got, want, rtol=1e-9, atol=1e-12))
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


def _inputs(expr):
    return eval(expr, {"np": np, "rng": np.random.default_rng(0), "N": N})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--compile-repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)

    import numba

    import numlir

    kernels = [k for k in KERNELS if not args.only or k[0] in args.only]
    print_header(f"Array expressions, numlir {numlir.__version__} vs numba {numba.__version__} vs "
                 f"numpy {np.__version__}: median of {args.repeats} samples")
    failures, rows, vs_numba, vs_numpy = [], [], [], []
    bw_rows = []
    for name, src, big, _small, bytes_per in kernels:
        inputs = _inputs(big)
        ref = define(lambda f: f, name, src)          # the plain NumPy function
        nb, nl = define(numba.njit, name, src), define(numlir.njit, name, src)
        want = ref(*inputs)
        try:
            got = nl(*inputs)
        except Exception as exc:   # noqa: BLE001 -- reported in the table
            failures.append(f"{name}: numlir raised {type(exc).__name__}: {exc}")
            continue
        if not _close(got, want):
            failures.append(f"{name}: numlir's result differs from NumPy's")
        nb(*inputs)
        t = {"numpy": [], "numba": [], "numlir": [], "copy": []}
        timed = [("numlir", nl, inputs), ("numba", nb, inputs), ("numpy", ref, inputs)]
        if bytes_per:
            copy_src = np.random.default_rng(1).random(bytes_per * N // 16)
            timed.append(("copy", np.copyto, (np.empty_like(copy_src), copy_src)))
        for _ in range(args.repeats):
            for label, fn, fn_args in timed:
                t[label].append(time_once(fn, fn_args))
        m = {k: statistics.median(v) for k, v in t.items() if v}
        vs_numba.append(m["numba"] / m["numlir"])
        vs_numpy.append(m["numpy"] / m["numlir"])
        rows.append([name, fmt_time(m["numpy"]), fmt_time(m["numba"]), fmt_time(m["numlir"]),
                     f"{m['numba'] / m['numlir']:.2f}", f"{m['numpy'] / m['numlir']:.2f}"])
        if bytes_per:
            bw, copy_bw = bytes_per * N / m["numlir"], bytes_per * N / m["copy"]
            bw_rows.append([name, f"{bw / 1e9:.1f} GB/s", f"{bytes_per * N / m['numba'] / 1e9:.1f}"
                            " GB/s", f"{copy_bw / 1e9:.1f} GB/s", f"{100 * bw / copy_bw:.0f} %"])
    rows.append(["geomean", "", "", "", f"{geomean(vs_numba):.2f}", f"{geomean(vs_numpy):.2f}"])
    print_table(["kernel", "numpy", "numba", "numlir", "numba/numlir", "numpy/numlir"], rows)
    print(f"\nn = {N} float64 (stencil 1500x1500, dot 300x300); > 1: numlir is faster.\n")
    print_table(["memory-bound kernel", "numlir", "numba", "np.copyto, same bytes",
                 "numlir / np.copyto"], bw_rows)
    if bw_rows:
        print("\nnp.copyto of as many bytes as each kernel moves, timed in the same samples.")

    if args.compile_repeats > 0:
        samples = {(m, k[0]): [] for m in ("numlir", "numba") for k in kernels}
        for rep in range(args.compile_repeats):
            for name, src, _big, small, _ in kernels:
                for module in (("numlir", "numba") if rep % 2 == 0 else ("numba", "numlir")):
                    t_first, err = run_child(module, name, src, small)
                    if err:
                        failures.append(f"compile {module} {name}: {err}")
                    else:
                        samples[(module, name)].append(t_first)
        crows, ratios = [], []
        for name, *_ in kernels:
            sl, sb = samples[("numlir", name)], samples[("numba", name)]
            if sl and sb:
                ml, mb = statistics.median(sl), statistics.median(sb)
                ratios.append(ml / mb)
                crows.append([name, fmt_time(ml), fmt_time(mb), f"{ml / mb:.2f}"])
        crows.append(["geomean", "", "", f"{geomean(ratios):.2f}" if ratios else "-"])
        print()
        print_table(["first call, fresh process", "numlir", "numba", "numlir/numba"], crows)
    for f in dict.fromkeys(failures):
        print(f"FAILED {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
