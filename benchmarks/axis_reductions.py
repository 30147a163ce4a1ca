"""Reductions along an axis, numlir vs Numba ``njit`` vs NumPy: steady-state speed on 1000x1000
and 4000x250 float64 C arrays.

Kernels: ``sum``/``mean``/``max`` along axis 0 and 1, ``var`` along axis 0, ``argmax`` along axis 1,
``cumsum`` along axis 0. The axis is a run-time argument (``f(a, k)``), the general case; the
``*_lit`` rows write it as a constant in the source. Numba has no axis form of several of these
(``n/a``). Every version runs the same inputs in one process, warmed up, results compared with
NumPy's; samples alternate between the implementations; medians. ``numba/numlir`` and
``numpy/numlir`` > 1: numlir is faster.

    .venv/bin/python benchmarks/axis_reductions.py [--repeats 7] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import statistics

import numpy as np

from numlir.tools.report import fmt_time, geomean, print_header, print_table, time_once


def sum_axis(a, k):
    return np.sum(a, axis=k)


def mean_axis(a, k):
    return np.mean(a, axis=k)


def max_axis(a, k):
    return np.max(a, axis=k)


def var_axis(a, k):
    return np.var(a, axis=k)


def argmax_axis(a, k):
    return np.argmax(a, axis=k)


def cumsum_axis(a, k):
    return np.cumsum(a, axis=k)


def sum_lit0(a, k):
    return a.sum(axis=0)


def sum_lit1(a, k):
    return a.sum(axis=1)


# (row name, function, axis)
KERNELS = [
    ("sum axis=0", sum_axis, 0), ("sum axis=1", sum_axis, 1),
    ("mean axis=0", mean_axis, 0), ("mean axis=1", mean_axis, 1),
    ("max axis=0", max_axis, 0), ("max axis=1", max_axis, 1),
    ("var axis=0", var_axis, 0), ("argmax axis=1", argmax_axis, 1),
    ("cumsum axis=0", cumsum_axis, 0),
    ("sum_lit axis=0", sum_lit0, 0), ("sum_lit axis=1", sum_lit1, 1),
]
SHAPES = [(1000, 1000), (4000, 250)]


def _close(got, want):
    got, want = np.asarray(got), np.asarray(want)
    return (got.shape == want.shape and got.dtype == want.dtype
            and np.allclose(got, want, rtol=1e-10, atol=1e-12))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="kernel names (sum, mean, ...)")
    args = parser.parse_args(argv)

    import numba

    import numlir

    kernels = [k for k in KERNELS if not args.only or k[0].split()[0] in args.only]
    print_header(f"Axis reductions, numlir {numlir.__version__} vs numba {numba.__version__} vs "
                 f"numpy {np.__version__}: median of {args.repeats} samples")
    rng = np.random.default_rng(0)
    failures, rows, vs_numba, vs_numpy = [], [], [], []
    for shape in SHAPES:
        a = rng.random(shape)
        for name, fn, axis in kernels:
            inputs = (a, axis)
            nl = numlir.njit(fn)
            want = fn(*inputs)
            try:
                got = nl(*inputs)
            except Exception as exc:   # noqa: BLE001 -- reported in the table
                failures.append(f"{name} {shape}: numlir raised {type(exc).__name__}: {exc}")
                continue
            if not _close(got, want):
                failures.append(f"{name} {shape}: numlir's result differs from NumPy's")
            nb = numba.njit(fn)
            try:
                if not _close(nb(*inputs), want):
                    nb = None
            except Exception:          # noqa: BLE001 -- Numba has no such form
                nb = None
            impls = [("numlir", nl), ("numpy", fn)] + ([("numba", nb)] if nb else [])
            t = {label: [] for label, _ in impls}
            for _ in range(args.repeats):
                for label, f in impls:
                    t[label].append(time_once(f, inputs))
            m = {k: statistics.median(v) for k, v in t.items()}
            r_numpy = m["numpy"] / m["numlir"]
            vs_numpy.append(r_numpy)
            if nb:
                r_numba = m["numba"] / m["numlir"]
                vs_numba.append(r_numba)
            label = f"{name} {shape[0]}x{shape[1]}"
            rows.append([label, fmt_time(m["numpy"]), fmt_time(m.get("numba")),
                         fmt_time(m["numlir"]), f"{r_numba:.2f}" if nb else "n/a",
                         f"{r_numpy:.2f}"])
    gm_nb, gm_np = geomean(vs_numba), geomean(vs_numpy)
    rows.append(["geomean", "", "", "", f"{gm_nb:.2f}" if gm_nb else "n/a",
                 f"{gm_np:.2f}" if gm_np else "n/a"])
    print_table(["kernel", "numpy", "numba", "numlir", "numba/numlir", "numpy/numlir"], rows)
    print("\nfloat64 C arrays, axis a run-time int argument (sum_lit: a constant); > 1: numlir "
          "is faster; n/a: Numba has no such form (or gives another result).")
    for f in failures:
        print(f"FAILED {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
