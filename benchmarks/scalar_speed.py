"""Steady-state speed of scalar kernels: numlir vs Numba ``njit``, same inputs, same run.

The kernels are the showcase functions of ``numlir.tools.showcase`` (those of ``numlir
demo``) plus a few extra ones, called with their benchmark-sized inputs. Both compiled
versions are warmed up (compiled and run once) and their results compared; then each is
timed ``--repeats`` times, alternating numlir and Numba, and the median per call is kept.
``numba/numlir`` > 1 means numlir is faster.

    .venv/bin/python benchmarks/scalar_speed.py [--repeats 7] [--only NAME ...]
"""
from __future__ import annotations

import argparse

from numlir.tools.report import fmt_time, geomean, median_pair, print_header, print_table
from numlir.tools.showcase import EXTRA_KERNELS, KERNELS, results_equal


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed samples (default 7)")
    parser.add_argument("--only", nargs="*", help="restrict to these kernel names")
    args = parser.parse_args(argv)

    import numba

    import numlir

    print_header(f"Scalar kernel speed, numlir {numlir.__version__} vs numba "
                 f"{numba.__version__}: median of {args.repeats} samples")

    kernels = KERNELS + EXTRA_KERNELS
    if args.only:
        kernels = [k for k in kernels if k[0] in set(args.only)]
    rows, ratios, failures = [], [], []
    for name, fn, _small, big in kernels:
        label = f"{name}{big}" if len(big) > 1 else f"{name}({big[0]})"
        nb = numba.njit(fn)
        nl = numlir.njit(fn)
        expected = nb(*big)
        try:
            got = nl(*big)
        except Exception as exc:
            msg = (str(exc).strip().splitlines() or [""])[0]
            failures.append(f"{name}: {type(exc).__name__}: {msg}")
            rows.append([label, "-", "FAILED", "-", "-"])
            continue
        same = results_equal(got, expected)
        if not same:
            failures.append(f"{name}: numlir returned {got!r}, numba {expected!r}")
        m_nl, m_nb = median_pair(nl, nb, big, args.repeats)
        ratios.append(m_nb / m_nl)
        rows.append([label, fmt_time(m_nb), fmt_time(m_nl), f"{m_nb / m_nl:.2f}",
                     "yes" if same else "NO"])
    gm = geomean(ratios)
    rows.append(["geomean", "", "", f"{gm:.2f}" if gm else "-", ""])
    print_table(["kernel(args)", "numba", "numlir", "numba/numlir", "same result"], rows)
    print("\nnumba/numlir > 1: numlir is faster.")
    for f in failures:
        print(f"FAILED {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
