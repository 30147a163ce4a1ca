"""NumPy coverage report: which of the NumPy functions Numba supports numlir compiles correctly.

    python -m numlir.tools.numpy_coverage [NAME ...] [--timeout S] [--jobs N] [--failures-only]

The function list is derived from Numba: every attribute of ``numpy`` and ``numpy.linalg`` that
Numba's CPU typing context has a type for (the global registrations of ``npydecl`` and of the
``@overload``\\s in ``numba.np``), aliases counted once. Functions typed for the numlir target
alone (NumPy functions Numba lacks) are listed after the total, which counts only Numba's.

For each function the first argument recipe (a small table of call shapes: one vector, two
vectors, a square matrix, array + axis, ..., plus call expressions for functions taking scalars or
lists) that both NumPy and Numba's own ``njit`` accept is compiled with ``numlir.njit`` and its
result compared with NumPy's. Without SciPy Numba refuses all of ``np.linalg``; there NumPy's
acceptance alone picks the recipe.

Functions run in a worker process (restarted after a crash or a timeout); this is a report, not a
test: it always exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

# -- the arrays recipes are built from ------------------------------------------------------------


def _arrays():
    sq = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]])    # SPD, well conditioned
    return {
        "v": np.array([0.3, 0.7, 0.1, 0.9, 0.5, 0.2]),
        "w": np.array([0.15, 0.25, 0.4, 0.6, 0.75, 0.95]),           # increasing
        "u": np.array([1.0, -2.0, 3.0, 0.5, -1.5, 2.5]),
        "vi": np.array([3, 0, 2, 5, 1, 4], dtype=np.int64),
        "wi": np.array([2, 4, 6, 1, 3, 9], dtype=np.int64),
        "vb": np.array([True, False, True, True, False, False]),
        "vc": np.array([1 + 2j, -0.5 + 1j, 3 - 1j, 0.25 + 0j, -2 - 2j, 1j]),
        "m": np.arange(1.0, 7.0).reshape(2, 3) / 7,
        "sq": sq,
        "sq2": sq[::-1].copy(),
        "z": np.array([0.0, 1.5, 0.0, -2.0, 0.0, 3.0]),
        "v3": np.array([1.0, 2.0, 3.5]),
        "w3": np.array([-1.0, 0.5, 2.0]),
        "vn": np.array([0.3, np.nan, 0.1, 0.9, np.nan, 0.2]),
        "idx": np.array([[2, 0, 1], [1, 1, 0]], dtype=np.int64),
        "dt": np.array(["2020-01-01", "NaT", "2021-03-04"], dtype="datetime64[D]"),
    }


# Recipes: a call expression over ``{f}`` (the function) and array names from ``_arrays``. Tried
# in order; the first one NumPy and Numba both accept is the one numlir is tested on.
GENERIC = (
    "{f}(v)", "{f}(v, w)", "{f}(sq)", "{f}(vi)", "{f}(vi, wi)", "{f}(sq, sq2)", "{f}(m)",
    "{f}(m, 1)", "{f}(v, 2)", "{f}(v, 0.5)", "{f}(w, w, v)", "{f}(vb)", "{f}(vc)",
    "{f}(v, vi)", "{f}(vi, 2)", "{f}(sq, 1)", "{f}(v3, w3)", "{f}(0.5, 2.0, 5)",
    "{f}(0.5, 2.0)", "{f}(4)", "{f}(v, 2, 0)",
)

# Functions whose arguments no generic recipe fits (scalars, shapes, lists, several arrays).
SPECIFIC = {
    "reshape": ("{f}(m, (3, 2))",),
    "full_like": ("{f}(v, 2.5)",),
    "insert": ("{f}(v, 2, 9.0)",),
    "select": ("{f}([v > 0.5, v < 0.2], [v, w])",),
    "piecewise": ("{f}(v, [v > 0.5], [1.0, 0.0])",),
    "take_along_axis": ("{f}(m, idx, 1)",),
    "row_stack": ("{f}((v, w))",),
    "indices": ("{f}((2, 3))",),
    "kaiser": ("{f}(5, 2.0)",),
    "tril_indices_from": ("{f}(sq)",),
    "triu_indices_from": ("{f}(sq)",),
    "fill_diagonal": ("{f}(sq.copy(), 7.0)",),
    "moveaxis": ("{f}(m, 0, 1)",),
    "swapaxes": ("{f}(m, 0, 1)",),
    "expand_dims": ("{f}(v, 0)",),
    "broadcast_to": ("{f}(v, (2, 6))",),
    "resize": ("{f}(v, (2, 4))",),
    "split": ("{f}(v, 3)",),
    "array_split": ("{f}(v, 4)",),
    "hsplit": ("{f}(m, 3)",),
    "vsplit": ("{f}(m, 2)",),
    "dsplit": ("{f}(m.reshape(1, 2, 3), 3)",),
    "stack": ("{f}((v, w))",),
    "hstack": ("{f}((v, w))",),
    "vstack": ("{f}((v, w))",),
    "dstack": ("{f}((v, w))",),
    "column_stack": ("{f}((v, w))",),
    "concatenate": ("{f}((v, w))",),
    "concat": ("{f}((v, w))",),
    "append": ("{f}(v, w)",),
    "broadcast_arrays": ("{f}(v, m[:, :1])",),
    "roll": ("{f}(v, 2)",),
    "repeat": ("{f}(v, 2)",),
    "take": ("{f}(v, vi)",),
    "searchsorted": ("{f}(w, v)",),
    "digitize": ("{f}(v, w)",),
    "histogram": ("{f}(v)",),
    "interp": ("{f}(v, w, u)",),
    "where": ("{f}(v > 0.4, v, w)", "{f}(z)"),
    "clip": ("{f}(v, 0.2, 0.6)",),
    "percentile": ("{f}(v, 30.0)",),
    "nanpercentile": ("{f}(vn, 30.0)",),
    "quantile": ("{f}(v, 0.3)",),
    "nanquantile": ("{f}(vn, 0.3)",),
    "nan_to_num": ("{f}(vn)",),
    "partition": ("{f}(v, 2)",),
    "argpartition": ("{f}(v, 2)",),
    "ediff1d": ("{f}(v)",),
    "trim_zeros": ("{f}(z)",),
    "delete": ("{f}(v, 2)",),
    "isin": ("{f}(vi, wi)",),
    "bincount": ("{f}(vi)",),
    "linspace": ("{f}(0.5, 2.0, 5)",),
    "logspace": ("{f}(0.5, 2.0, 5)",),
    "geomspace": ("{f}(0.5, 2.0, 5)",),
    "arange": ("{f}(1.0, 4.0, 0.5)",),
    "full": ("{f}((2, 3), 1.5)",),
    "empty": ("{f}(0)",),
    "cross": ("{f}(v3, w3)",),
    "kron": ("{f}(v3, sq)",),
    "vander": ("{f}(v3)",),
    "unwrap": ("{f}(u * 3)",),
    "tri": ("{f}(3)",),
    "eye": ("{f}(3)",),
    "identity": ("{f}(3)",),
    "nancumsum": ("{f}(vn)",), "nancumprod": ("{f}(vn)",), "nansum": ("{f}(vn)",),
    "nanprod": ("{f}(vn)",), "nanmean": ("{f}(vn)",), "nanmax": ("{f}(vn)",),
    "nanmin": ("{f}(vn)",), "nanmedian": ("{f}(vn)",), "nanstd": ("{f}(vn)",),
    "nanvar": ("{f}(vn)",), "nanargmax": ("{f}(vn)",), "nanargmin": ("{f}(vn)",),
    "count_nonzero": ("{f}(z)",), "nonzero": ("{f}(z)",), "flatnonzero": ("{f}(z)",),
    "argwhere": ("{f}(z)",), "extract": ("{f}(v > 0.4, v)",),
    "matrix_power": ("{f}(sq, 3)",),
    "lstsq": ("{f}(sq, v3)",),
    "solve": ("{f}(sq, v3)",),
    "norm": ("{f}(v)", "{f}(sq)"),
    "tensordot": ("{f}(sq, sq2)",),
    "ldexp": ("{f}(v, vi)",),
    "isnat": ("{f}(dt)",),
}

# Functions whose result is not a deterministic function of the inputs.
SKIP = {"empty": "uninitialised result", "empty_like": "uninitialised result"}


# -- the function list, derived from Numba ---------------------------------------------------------


def supported_functions():
    """``[(qualified name, function, by Numba)]`` of the NumPy functions Numba's CPU target types
    (``by Numba`` True) or only numlir does (False)."""
    from numba.core.registry import cpu_target

    from numlir.frontend.target import load_full_registries
    load_full_registries()
    tctx = cpu_target.typing_context
    tctx.refresh()
    found = {}
    for modname, mod in (("np", np), ("np.linalg", np.linalg)):
        for name in sorted(dir(mod)):
            if name.startswith("_"):
                continue
            obj = getattr(mod, name)
            if not callable(obj) or isinstance(obj, type) or id(obj) in found:
                continue
            try:
                fnty = tctx._lookup_global(obj)
            except Exception:  # noqa: BLE001 (odd objects: not supported)
                fnty = None
            if fnty is None:
                continue
            canonical = getattr(obj, "__name__", name)
            if getattr(mod, canonical, None) is not obj:
                canonical = name
            found[id(obj)] = (f"{modname}.{canonical}", obj, _usable_on_cpu(fnty))
    return sorted(found.values(), key=lambda item: item[0])


def _usable_on_cpu(fnty):
    """Templates registered for the numlir target alone do not make a function Numba-supported."""
    templates = getattr(fnty, "templates", None)
    if not templates:
        return True
    return any(getattr(t, "metadata", {}).get("target", "generic") != "numlir"
               for t in templates)


# -- one function ----------------------------------------------------------------------------------


def _kernel(qualname, recipe, arrays):
    """A Python function ``kernel(<arrays used>)`` evaluating the recipe."""
    call = recipe.format(f=qualname)
    used = [n for n in arrays if _mentions(call, n)]
    src = f"def kernel({', '.join(used)}):\n    return {call}\n"
    namespace = {"np": np}
    exec(compile(src, f"<numpy_coverage {qualname}>", "exec"), namespace)
    return namespace["kernel"], [arrays[n] for n in used], call


def _mentions(call, name):
    import re
    return re.search(rf"(?<![\w.]){name}(?!\w)", call) is not None


def _copies(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _flatten(value):
    if isinstance(value, (tuple, list)):
        out = []
        for v in value:
            out.extend(_flatten(v))
        return out
    return [value]


def same_result(got, want, rtol=1e-7):
    """``None`` if ``got`` matches NumPy's ``want`` (values, shapes, dtypes), else a reason."""
    g, w = _flatten(got), _flatten(want)
    if len(g) != len(w):
        return f"{len(g)} results, NumPy has {len(w)}"
    for i, (x, y) in enumerate(zip(g, w)):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            return f"result {i}: shape {x.shape}, NumPy {y.shape}"
        if isinstance(w[i], np.ndarray) and x.dtype != y.dtype:
            return f"result {i}: dtype {x.dtype}, NumPy {y.dtype}"
        try:
            if y.dtype.kind in "fc":
                ok = np.allclose(x, y, rtol=rtol, atol=1e-12, equal_nan=True)
            else:
                ok = np.array_equal(x, y)
        except TypeError:
            ok = False
        if not ok:
            return f"result {i}: {_short(x)}, NumPy {_short(y)}"
    return None


def _short(a):
    return np.array2string(np.asarray(a), precision=4, threshold=8).replace("\n", "")[:60]


def _quiet(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def _first_line(exc):
    """The error's first line; a heading line ending in ':' gets the next line too."""
    text = [t.strip() for t in str(exc).strip().splitlines() if t.strip()]
    line = text[0] if text else ""
    if line.endswith(":") and len(text) > 1:
        line = f"{line} {text[1]}"
    return f"{type(exc).__name__}: {line}"[:200]


def check_function(qualname, numba_oracle=True):
    """Result dict for one function: status, recipe and detail. With ``numba_oracle`` a recipe
    counts only if Numba's ``njit`` accepts it too (and agrees with NumPy)."""
    import numba

    import numlir
    short = qualname.split(".")[-1]
    if short in SKIP:
        return {"name": qualname, "status": "skipped", "detail": SKIP[short]}
    arrays = _arrays()
    recipes = SPECIFIC.get(short, GENERIC)
    for recipe in recipes:
        kernel, args, call = _kernel(qualname, recipe, arrays)
        try:
            want = _quiet(kernel, *_copies(args))
        except Exception:  # noqa: BLE001 (NumPy rejects this recipe)
            continue
        if numba_oracle:
            try:
                got = _quiet(numba.njit(kernel), *_copies(args))
                if same_result(got, want) is not None:   # Numba itself differs from NumPy here
                    continue
            except Exception as exc:  # noqa: BLE001 (Numba rejects it: not a supported call)
                # without SciPy Numba refuses all of linear algebra: trust NumPy alone there
                if "scipy" not in str(exc).lower():
                    continue
        try:
            got = _quiet(numlir.njit(kernel), *_copies(args))
        except Exception as exc:  # noqa: BLE001 (the report records it)
            return {"name": qualname, "status": "numlir error", "call": call,
                    "detail": _first_line(exc)}
        reason = same_result(got, want)
        if reason is not None:
            return {"name": qualname, "status": "wrong result", "call": call, "detail": reason}
        return {"name": qualname, "status": "pass", "call": call, "detail": ""}
    return {"name": qualname, "status": "no recipe", "detail": ""}


# -- the worker and the driver ---------------------------------------------------------------------


def _worker():
    """Read qualified names from stdin, write one JSON result per line."""
    for line in sys.stdin:
        if not line.strip():
            continue
        name, oracle = json.loads(line)
        try:
            res = check_function(name, oracle)
        except BaseException as exc:  # noqa: BLE001 (any failure is a result)
            res = {"name": name, "status": "numlir error", "detail": _first_line(exc)}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


class _Worker:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "numlir.tools.numpy_coverage", "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            bufsize=1, env=dict(os.environ, NUMBA_DISABLE_PERFORMANCE_WARNINGS="1"))

    def ask(self, name, oracle, timeout):
        import selectors
        self.proc.stdin.write(json.dumps([name, oracle]) + "\n")
        self.proc.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            self.close()
            return {"name": name, "status": "numlir error", "detail": f"timeout ({timeout} s)"}
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            self.proc = None
            return {"name": name, "status": "numlir error", "detail": f"crash (exit {code})"}
        return json.loads(line)

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def run(names=None, timeout=60.0, isolate=True, jobs=1):
    """Results for ``names`` (qualified or short; default: every supported function), each with
    ``numba`` saying whether Numba supports the function. ``jobs`` worker processes share the
    list (each function still runs in one process after the ones before it in its share)."""
    by_numba = {q: numba for q, _, numba in supported_functions()}
    funcs = list(by_numba) if not names else [_qualify(n) for n in names]
    if not isolate:
        results = [check_function(q, by_numba.get(q, True)) for q in funcs]
    else:
        import concurrent.futures
        import threading
        local = threading.local()
        workers = []

        def one(q):
            oracle = by_numba.get(q, True)
            worker = getattr(local, "worker", None)
            if worker is None or worker.proc is None:
                worker = local.worker = _Worker()
                workers.append(worker)
            res = worker.ask(q, oracle, timeout)
            if res["status"] == "no recipe":
                # Numba shares per-signature implementation keys between targets, so what
                # numlir typed earlier in this process can make Numba's njit fail: once more
                # in a fresh process
                fresh = _Worker()
                res = fresh.ask(q, oracle, timeout)
                fresh.close()
            return res
        with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
            results = list(pool.map(one, funcs))
        for worker in workers:
            worker.close()
    for q, res in zip(funcs, results):
        res["numba"] = by_numba.get(q, True)
    return results


def _qualify(name):
    if name.startswith("np."):
        return name
    if name.startswith("numpy."):
        return "np." + name[len("numpy."):]
    return f"np.linalg.{name}" if not hasattr(np, name) and hasattr(np.linalg, name) \
        else f"np.{name}"


def summary_line(results):
    tested = [r for r in results if r["status"] != "skipped" and r.get("numba", True)]
    passed = sum(r["status"] == "pass" for r in tested)
    return f"{passed} of {len(tested)} Numba-supported NumPy functions compile and pass"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numlir.tools.numpy_coverage",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="functions to check (default: all)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per function")
    parser.add_argument("--failures-only", action="store_true", help="list only non-passing")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="worker processes (default: 2 or the CPU count if smaller)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker()
        return 0
    t0 = time.perf_counter()
    results = run(args.names, args.timeout, jobs=args.jobs)
    from numlir.tools.report import print_table
    def rows(numba):
        return [[r["name"], r["status"], r.get("call", ""), r["detail"]] for r in results
                if r["numba"] == numba and (not args.failures_only or r["status"] != "pass")]
    _print_left(["function", "status", "call", "detail"], rows(True))
    counts = {}
    for r in results:
        if r["numba"]:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    print()
    print_table(["status", "functions"], sorted(counts.items(), key=lambda kv: -kv[1]))
    print(f"\n{summary_line(results)} ({time.perf_counter() - t0:.0f} s)")
    extra = rows(False)
    if extra:
        print("\nTyped by numlir only (not in Numba; compared with NumPy alone):")
        _print_left(["function", "status", "call", "detail"], extra)
    return 0


def _print_left(headers, rows):
    widths = [max([len(h)] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    widths[-1] = 0
    for cells in [headers] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
