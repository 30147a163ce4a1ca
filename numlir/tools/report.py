"""Small helpers shared by the ``numlir`` CLI and the scripts in ``benchmarks/``."""
from __future__ import annotations

import math
import os
import shlex
import statistics
import sys
import time


def fmt_time(seconds):
    """Human-readable duration: ``1.23 s``, ``12.3 ms``, ``4.56 us``."""
    if seconds is None:
        return "-"
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e9:.0f} ns"


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def print_table(headers, rows, out=None):
    """Print rows as an aligned text table (first column left-aligned, others right)."""
    out = out or sys.stdout
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(str(h))] + [len(r[i]) for r in rows if i < len(r)])
              for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    print(line([str(h) for h in headers]), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print(line(r), file=out)


def repro_command():
    """The command line that reproduces this run, relative to the current directory."""
    argv = list(sys.argv)
    if argv and os.path.isabs(argv[0]):
        try:
            argv[0] = os.path.relpath(argv[0])
        except ValueError:
            pass
    exe = sys.executable
    try:
        rel = os.path.relpath(exe)
        if not rel.startswith(".." + os.sep + ".."):
            exe = rel
    except ValueError:
        pass
    return shlex.join([exe, *argv])


def print_header(title):
    import platform

    print(title)
    print(f"reproduce: {repro_command()}")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for ln in fh:
                if ln.startswith("model name"):
                    cpu = ln.partition(":")[2].strip()
                    break
    except OSError:
        pass
    print(f"python {platform.python_version()}, {cpu}, {os.cpu_count()} cores")
    print()


def time_once(fn, args, min_time=0.02):
    """Seconds per call, batching calls so one sample lasts at least ``min_time``."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn(*args)
        dt = time.perf_counter() - t0
        if dt >= min_time or number >= 1 << 20:
            return dt / number
        number *= max(2, int(min_time / max(dt, 1e-9)) + 1)


def median_pair(fn_a, fn_b, args, repeats):
    """Median seconds per call of two functions on the same arguments, samples interleaved."""
    ta, tb = [], []
    for _ in range(repeats):
        ta.append(time_once(fn_a, args))
        tb.append(time_once(fn_b, args))
    return statistics.median(ta), statistics.median(tb)


def precompile_numlir():
    """Write numlir's bytecode caches before timing fresh processes. A pip install writes them
    for Numba and for a non-editable numlir; an editable checkout (and PYTHONDONTWRITEBYTECODE=1,
    as in CI) would otherwise recompile numlir's sources in every child (~0.1 s of its first
    call)."""
    import compileall

    import numlir
    compileall.compile_dir(os.path.dirname(numlir.__file__), quiet=1)
