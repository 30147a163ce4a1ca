"""Call overhead of trivial compiled functions: numlir vs Numba ``njit`` (and plain Python).

Every function has a trivial body, so the time per call is the dispatcher's cost: argument
type lookup, unboxing, the native call and boxing the result. Both compilers are warmed up
(compiled and called) before timing; each number is the median over ``--repeats`` timeit
repeats of ``--number`` calls, reported in microseconds (or ns) per call.

    .venv/bin/python benchmarks/call_overhead.py [--repeats 7] [--number 200000]
"""
from __future__ import annotations

import argparse
import statistics
import timeit

from numlir.tools.report import geomean, print_header, print_table


def no_arg():
    return 1


def one_int(n):
    return n + 1


def two_floats(a, b):
    return a * b + a


def tuple3(a, b):
    return a, b, a + b


def mixed4(a, b, n, flag):
    if flag:
        return a * n + b
    return b


CASES = [
    ("f() -> int", no_arg, ()),
    ("f(int) -> int", one_int, (7,)),
    ("f(float, float) -> float", two_floats, (1.5, 2.5)),
    ("f(float, float) -> 3-tuple", tuple3, (1.5, 2.5)),
    ("f(float, float, int, bool) -> float", mixed4, (1.5, 2.5, 3, True)),
]


def time_calls(fn, args, number, repeats):
    stmt = "f(" + ", ".join(f"a{i}" for i in range(len(args))) + ")"
    env = {"f": fn, **{f"a{i}": a for i, a in enumerate(args)}}
    timer = timeit.Timer(stmt, globals=env)
    timer.timeit(number=max(1, number // 10))  # warm caches
    samples = timer.repeat(repeat=repeats, number=number)
    return statistics.median(samples) / number


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timeit repeats (default 7)")
    parser.add_argument("--number", type=int, default=200_000,
                        help="calls per repeat (default 200000)")
    args = parser.parse_args(argv)

    import numba

    import numlir

    print_header(f"Call overhead, numlir {numlir.__version__} vs numba {numba.__version__}: "
                 f"median of {args.repeats} repeats x {args.number} calls")

    rows, ratios, failures = [], [], []
    for label, fn, fargs in CASES:
        py = fn(*fargs)
        nl = numlir.njit(fn)
        nb = numba.njit(fn)
        try:
            got = nl(*fargs)
            assert got == py, f"numlir returned {got!r}, Python {py!r}"
        except Exception as exc:
            failures.append((label, exc))
            nl = None
        assert nb(*fargs) == py
        t_py = time_calls(fn, fargs, args.number, args.repeats)
        t_nb = time_calls(nb, fargs, args.number, args.repeats)
        t_nl = time_calls(nl, fargs, args.number, args.repeats) if nl else None
        ratio = t_nl / t_nb if t_nl else None
        if ratio:
            ratios.append(ratio)
        rows.append([label, f"{t_py * 1e6:.3f}", f"{t_nb * 1e6:.3f}",
                     f"{t_nl * 1e6:.3f}" if t_nl else "FAILED",
                     f"{ratio:.2f}" if ratio else "-"])
    print_table(["signature", "Python us", "numba us", "numlir us", "numlir/numba"], rows)
    gm = geomean(ratios)
    if gm:
        print(f"\ngeomean numlir/numba = {gm:.2f}  (< 1: numlir has the lower call overhead)")
    print("'Python us' is the same function uncompiled, for scale.")
    for label, exc in failures:
        print(f"\nFAILED {label}: {type(exc).__name__}: {exc}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
