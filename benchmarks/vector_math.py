"""Transcendental math over 10^6 elements: numlir (libmvec vector math on / off) vs Numba vs NumPy.

For exp, log, sin, cos, tanh and pow, in float64 and float32, two forms of one kernel:

* ``loop``: ``for i in range(n): out[i] = math.f(a[i])`` into a given array (NumPy:
  ``np.f(a, out=out)``);
* ``ufunc``: ``return np.f(a)``, a new array (NumPy: the same call).

Each compiled version is compiled and checked first; numlir's "scalar" column is the same kernel
compiled with ``NUMLIR_VECTOR_MATH=0``. Then all four are timed ``--repeats`` times, interleaved,
and the median per call is kept. Ratios > 1 mean numlir (vector math) is faster. ``ulp`` is the
largest distance of numlir's result from the float64 NumPy result rounded to the dtype.

    .venv/bin/python benchmarks/vector_math.py [--repeats 5] [--n 1000000] [--only exp ...]
"""
from __future__ import annotations

import argparse
import math
import statistics

import numba
import numpy as np

import numlir
from numlir import config
from numlir.tools.report import fmt_time, geomean, print_header, print_table, time_once
from numlir.tools.ulp import max_ulp

# name: (math function, NumPy ufunc, range of the first argument, of the second (binary only))
FUNCTIONS = {
    "exp": (math.exp, np.exp, (-10, 10), None),
    "log": (math.log, np.log, (1e-3, 1e3), None),
    "sin": (math.sin, np.sin, (-50, 50), None),
    "cos": (math.cos, np.cos, (-50, 50), None),
    "tanh": (math.tanh, np.tanh, (-5, 5), None),
    "pow": (math.pow, np.power, (0.1, 10), (-3, 3)),
}


def _loop(fn, binary):
    if binary:
        def loop2(a, b, out):
            for i in range(a.shape[0]):
                out[i] = fn(a[i], b[i])
        return loop2

    def loop1(a, out):
        for i in range(a.shape[0]):
            out[i] = fn(a[i])
    return loop1


def _ufunc(uf, binary):
    if binary:
        def array2(a, b):
            return uf(a, b)
        return array2

    def array1(a):
        return uf(a)
    return array1


def _versions(name, form, args):
    fn, uf, _, second = FUNCTIONS[name]
    binary = second is not None
    make = (lambda: _loop(fn, binary)) if form == "loop" else (lambda: _ufunc(uf, binary))
    fast = numlir.njit(make())
    with config.override(VECTOR_MATH=False):
        scalar = numlir.njit(make())
        scalar(*args)          # compiled here, with the knob off
    fast(*args)
    nb = numba.njit(make())
    nb(*args)
    if form == "loop":
        def numpy(*xs):
            return uf(*xs[:-1], out=xs[-1])
    else:
        numpy = uf
    return {"numlir": fast, "scalar": scalar, "numba": nb, "numpy": numpy}


def _result(fn, form, args):
    if form == "loop":
        fn(*args)
        return args[-1].copy()
    return fn(*args)


def _bench(name, dtype, form, n, repeats):
    _, uf, (lo, hi), second = FUNCTIONS[name]
    rng = np.random.default_rng(len(name))
    args = [rng.uniform(lo, hi, n).astype(dtype)]
    if second is not None:
        args.append(rng.uniform(*second, n).astype(dtype))
    if form == "loop":
        args.append(np.empty(n, dtype))
    versions = _versions(name, form, args)
    with np.errstate(all="ignore"):
        want = uf(*(x.astype(np.float64) for x in args[:len(args) - (form == "loop")]))
    got = _result(versions["numlir"], form, args)
    ulp = max_ulp(got, want.astype(dtype))
    samples = {k: [] for k in versions}
    for _ in range(repeats):
        for key, fn in versions.items():
            samples[key].append(time_once(fn, args))
    return {k: statistics.median(v) for k, v in samples.items()}, ulp


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="*", default=None)
    opts = parser.parse_args()
    print_header(f"vector math, {opts.n} elements: numlir (libmvec) vs numlir scalar vs Numba "
                 f"{numba.__version__} vs NumPy {np.__version__}")
    rows, ratios = [], {"scalar": [], "numba": [], "numpy": []}
    for name in FUNCTIONS:
        if opts.only and name not in opts.only:
            continue
        for dtype in (np.float64, np.float32):
            for form in ("loop", "ufunc"):
                t, ulp = _bench(name, dtype, form, opts.n, opts.repeats)
                r = {k: t[k] / t["numlir"] for k in ratios}
                for k in ratios:
                    ratios[k].append(r[k])
                rows.append([f"{name} {np.dtype(dtype).name} {form}", fmt_time(t["numlir"]),
                             fmt_time(t["scalar"]), fmt_time(t["numba"]), fmt_time(t["numpy"]),
                             f"{r['scalar']:.2f}", f"{r['numba']:.2f}", f"{r['numpy']:.2f}", ulp])
    rows.append(["geomean", "", "", "", ""] +
                [f"{geomean(ratios[k]):.2f}" for k in ("scalar", "numba", "numpy")] + [""])
    print_table(["kernel", "numlir", "scalar", "numba", "numpy", "scalar/numlir", "numba/numlir",
                 "numpy/numlir", "ulp"], rows)


if __name__ == "__main__":
    main()
