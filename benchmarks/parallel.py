"""``parallel=True`` kernels: numlir parallel vs numlir serial vs Numba ``parallel=True``.

Kernels (the serial numlir version is the same source compiled with ``parallel=False``, where
``prange`` is ``range``). Explicit ``prange`` loops, compute-bound: Mandelbrot, one n-body step
(forces + update), pairwise distances, a Monte-Carlo estimate of pi (counter-based splitmix64
random numbers, a ``+=`` reduction); memory-bound: triad ``a + s * b`` and a sum. NumPy array
expressions with no ``prange`` (parallel because the function is ``parallel=True``): triad
``a + s * b`` into a new array, ``np.sum(a * b)``, a 2-d Laplace stencil on slices, and
Black-Scholes call prices (log, sqrt, exp, a polynomial normal CDF, ``np.where``).

All versions run the same inputs in one process; each is warmed up (compiled and run once), the
results are compared with numlir serial's, then each is timed ``--repeats`` times, interleaved,
and the median per call is kept. Each sample starts after a pause of ``SETTLE`` seconds: both
runtimes keep their idle threads spinning for a while after a region (Numba's OpenMP workers
~4 ms, numlir's ``NUMLIR_SPIN_US`` = 1 ms), and a sample started while the other runtime's threads
still spin would share the cores with them. Calls within a sample follow each other, as a
program calling one kernel in a loop does. ``serial/par`` is numlir's parallel speed-up over itself,
``numba/numlir`` > 1 means numlir parallel is faster than Numba parallel.

Overhead: a parallel region of 2 iterations each storing one element, per call, minus the same
function compiled serially (so the call itself cancels out), for numlir and Numba.

    .venv/bin/python benchmarks/parallel.py [--repeats 5] [--threads N] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import statistics
import textwrap
import time

import numpy as np

from numlir.tools.report import fmt_time, geomean, print_header, print_table, time_once

# (name, kind, source defining it with @jit and prange, args expression)
KERNELS = [
    ("mandelbrot", "compute", """
@jit
def mandelbrot(w, h, max_iter):
    out = np.empty((h, w), np.int64)
    for y in prange(h):
        ci = -1.25 + 2.5 * y / h
        for x in range(w):
            cr = -2.0 + 3.0 * x / w
            zr = 0.0
            zi = 0.0
            k = 0
            while k < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                k += 1
            out[y, x] = k
    return out
""", "(400, 300, 200)"),
    ("nbody_step", "compute", """
@jit
def nbody_step(pos, vel, mass, dt):
    n = pos.shape[0]
    acc = np.empty_like(pos)
    for i in prange(n):
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(n):
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            r2 = dx * dx + dy * dy + dz * dz + 1e-3
            inv = mass[j] / (r2 * np.sqrt(r2))
            ax += dx * inv
            ay += dy * inv
            az += dz * inv
        acc[i, 0] = ax
        acc[i, 1] = ay
        acc[i, 2] = az
    new_pos = np.empty_like(pos)
    for i in prange(n):
        for d in range(3):
            v = vel[i, d] + dt * acc[i, d]
            new_pos[i, d] = pos[i, d] + dt * v
    return new_pos
""", "(np.random.default_rng(0).random((2000, 3)), np.zeros((2000, 3)), "
     "np.random.default_rng(1).random(2000), 0.01)"),
    ("pairwise_dist", "compute", """
@jit
def pairwise_dist(x):
    n, d = x.shape
    out = np.empty((n, n))
    for i in prange(n):
        for j in range(n):
            s = 0.0
            for k in range(d):
                t = x[i, k] - x[j, k]
                s += t * t
            out[i, j] = np.sqrt(s)
    return out
""", "(np.random.default_rng(2).random((1000, 8)),)"),
    ("monte_carlo_pi", "compute", """
@jit
def monte_carlo_pi(n, seed):
    hits = 0
    for i in prange(n):
        z = np.uint64(seed) + np.uint64(i) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        x = (z >> np.uint64(32)) * (1.0 / 4294967296.0)
        y = (z & np.uint64(0xFFFFFFFF)) * (1.0 / 4294967296.0)
        if x * x + y * y <= 1.0:
            hits += 1
    return 4.0 * hits / n
""", "(4_000_000, 12345)"),
    ("triad", "memory", """
@jit
def triad(out, a, b, s):
    for i in prange(a.shape[0]):
        out[i] = a[i] + s * b[i]
    return out
""", "(np.empty(4_000_000), np.random.default_rng(3).random(4_000_000), "
     "np.random.default_rng(4).random(4_000_000), 1.5)"),
    ("sum", "memory", """
@jit
def sum(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    return s
""", "(np.random.default_rng(5).random(8_000_000),)"),
    # array expressions: no prange, the fused expressions and reductions are the regions
    ("triad_expr", "memory", """
@jit
def triad_expr(a, b, s):
    return a + s * b
""", "(np.random.default_rng(3).random(4_000_000), np.random.default_rng(4).random(4_000_000), "
     "1.5)"),
    ("sum_product", "memory", """
@jit
def sum_product(a, b):
    return np.sum(a * b)
""", "(np.random.default_rng(5).random(4_000_000), np.random.default_rng(6).random(4_000_000))"),
    ("laplace_2d", "memory", """
@jit
def laplace_2d(a, out):
    out[1:-1, 1:-1] = 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])
    return out
""", "(np.random.default_rng(7).random((2000, 2000)), np.zeros((2000, 2000)))"),
    ("black_scholes", "compute", """
@jit
def black_scholes(S, K, T, r, v):
    sqrt_t = np.sqrt(T)
    d1 = (np.log(S / K) + (r + 0.5 * v * v) * T) / (v * sqrt_t)
    d2 = d1 - v * sqrt_t
    k1 = 1.0 / (1.0 + 0.2316419 * np.abs(d1))
    k2 = 1.0 / (1.0 + 0.2316419 * np.abs(d2))
    w1 = 1.0 - 0.3989422804014327 * np.exp(-0.5 * d1 * d1) * k1 * (
        0.31938153 + k1 * (-0.356563782 + k1 * (1.781477937 + k1 * (-1.821255978
                                                                   + k1 * 1.330274429))))
    w2 = 1.0 - 0.3989422804014327 * np.exp(-0.5 * d2 * d2) * k2 * (
        0.31938153 + k2 * (-0.356563782 + k2 * (1.781477937 + k2 * (-1.821255978
                                                                   + k2 * 1.330274429))))
    n1 = np.where(d1 < 0.0, 1.0 - w1, w1)
    n2 = np.where(d2 < 0.0, 1.0 - w2, w2)
    return S * n1 - K * np.exp(-r * T) * n2
""", "(50.0 + 50.0 * np.random.default_rng(8).random(2_000_000), "
     "50.0 + 50.0 * np.random.default_rng(9).random(2_000_000), "
     "0.25 + 2.0 * np.random.default_rng(10).random(2_000_000), 0.02, 0.3)"),
]

TINY = """
@jit
def tiny(out):
    for i in prange(out.shape[0]):
        out[i] = i
    return out
"""

# the same with an inner loop: numlir makes each iteration a chunk (a real region)
TINY_SPLIT = """
@jit
def tiny(out):
    for i in prange(out.shape[0]):
        for j in range(1):
            out[i] = i + j
    return out
"""

# an array expression on an array below the small-array threshold: one chunk, run by the caller
TINY_EXPR = """
@jit
def tiny(out):
    out[:] = out * 0.5 + 1.0
    return out
"""


def define(jit, prange, name, src):
    ns = {"jit": jit, "np": np, "prange": prange}
    exec(compile(textwrap.dedent(src), f"<parallel {name}>", "exec"), ns)  # noqa: S102
    return ns[name]


def same(got, want):
    if isinstance(want, np.ndarray):
        return got.shape == want.shape and np.allclose(got, want, rtol=1e-9, atol=1e-12)
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


SETTLE = 0.03     # seconds of quiet before each sample (see the module docstring)


def overhead(fn_par, fn_ser, out, repeats):
    """Median extra seconds per call of the parallel region over the serial function."""
    fn_par(out)
    fn_ser(out)
    extra = []
    for _ in range(repeats):
        time.sleep(SETTLE)
        t_par = time_once(fn_par, (out,), 0.05)
        time.sleep(SETTLE)
        extra.append(t_par - time_once(fn_ser, (out,), 0.05))
    return statistics.median(extra)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed samples (default 5)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for both numlir and Numba (default: all CPUs)")
    parser.add_argument("--only", nargs="*", help="restrict to these kernel names")
    args = parser.parse_args(argv)

    import numba

    import numlir

    if args.threads:
        numlir.set_num_threads(args.threads)
        numba.set_num_threads(args.threads)
    kernels = [k for k in KERNELS if not args.only or k[0] in set(args.only)]
    print_header(f"parallel=True, numlir {numlir.__version__} vs numba {numba.__version__}: "
                 f"{numlir.get_num_threads()} numlir threads, {numba.get_num_threads()} Numba "
                 f"threads, median "
                 f"of {args.repeats} samples")

    failures, rows = [], []
    speedups = {"compute": [], "memory": []}
    vs_numba = {"compute": [], "memory": []}
    for name, kind, src, argsrc in kernels:
        inputs = eval(argsrc, {"np": np})  # noqa: S307 -- the table above
        nl_par = define(numlir.njit(parallel=True), numlir.prange, name, src)
        nl_ser = define(numlir.njit, numlir.prange, name, src)
        nb_par = define(numba.njit(parallel=True), numba.prange, name, src)
        want = nl_ser(*inputs)
        try:
            got = nl_par(*inputs)
        except Exception as exc:        # noqa: BLE001 -- reported in the table
            failures.append(f"{name}: numlir parallel raised {type(exc).__name__}: {exc}")
            continue
        for who, res in (("numlir parallel", got), ("numba parallel", nb_par(*inputs))):
            if not same(res, want):
                failures.append(f"{name}: {who} differs from numlir serial")
        samples = {"par": [], "ser": [], "nb": []}
        for _ in range(args.repeats):
            for key, fn in (("par", nl_par), ("ser", nl_ser), ("nb", nb_par)):
                time.sleep(SETTLE)
                samples[key].append(time_once(fn, inputs))
        t_par, t_ser, t_nb = (statistics.median(samples[k]) for k in ("par", "ser", "nb"))
        speedups[kind].append(t_ser / t_par)
        vs_numba[kind].append(t_nb / t_par)
        rows.append([name, kind, fmt_time(t_ser), fmt_time(t_par), fmt_time(t_nb),
                     f"{t_ser / t_par:.2f}", f"{t_nb / t_par:.2f}"])
    for kind in ("compute", "memory"):
        g1, g2 = geomean(speedups[kind]), geomean(vs_numba[kind])
        if g1:
            rows.append([f"geomean {kind}", "", "", "", "", f"{g1:.2f}", f"{g2:.2f}"])
    g_all = geomean(vs_numba["compute"] + vs_numba["memory"])
    if g_all:
        rows.append(["geomean all", "", "", "", "", "", f"{g_all:.2f}"])
    print_table(["kernel", "bound", "numlir serial", "numlir par", "numba par", "serial/par",
                 "numba/numlir"], rows)

    orows = []
    for label, src, out in (("2 iterations, light body", TINY, np.zeros(2, np.int64)),
                            ("2 iterations, inner loop", TINY_SPLIT, np.zeros(2, np.int64)),
                            ("array expression, 1000 elements", TINY_EXPR, np.zeros(1000))):
        ov = [overhead(define(jit(parallel=True), pr, "tiny", src), define(jit, pr, "tiny", src),
                       out, args.repeats)
              for jit, pr in ((numlir.njit, numlir.prange), (numba.njit, numba.prange))]
        orows.append([label, fmt_time(ov[0]), fmt_time(ov[1])])
    print()
    print_table(["parallel region (extra time per call over serial)", "numlir", "numba"], orows)
    print("numlir runs a light loop (and an array expression) below 2 x LIGHT_BODY_CHUNK "
          "iterations (elements) in the caller; the inner-loop body's 2 iterations are 2 chunks "
          "(a real region).")
    print("\nserial/par: numlir's parallel speed-up; numba/numlir > 1: numlir parallel is faster "
          "than Numba parallel.\nThe machine's other processes share its cores: speed-ups vary "
          "from run to run.")
    for f in failures:
        print(f"FAILED {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
