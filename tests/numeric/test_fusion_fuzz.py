"""Differential fuzzing of array-expression fusion (``lowering/lazy_arrays.py``, ``fusion.py``).

A seeded generator writes small straight-line and looping functions over 1-3 array arguments and
scalars: elementwise operators and ufuncs (kept lazy and fused across statements), reductions,
``np.where``, views, item assignments, in-place operators, ``ufunc(..., out)``, calls of numlir
helpers that write their argument, ``for`` loops and ``if`` blocks. Each candidate statement is
run with NumPy while generating (a statement NumPy rejects is replaced), so every program is valid
NumPy. The program is then compiled with ``numlir.njit`` and run on copies of the same inputs:
returned values (value, dtype, shape) and the final contents of the argument arrays must agree.

Scalars taken from arrays are wrapped in ``float()``/``int()`` (Python scalars are weak under
NEP 50 in NumPy too; numlir treats an ``np.float64`` as weak, NumPy as strong: documented).

``python -m tests.numeric.test_fusion_fuzz START COUNT`` runs a bigger campaign.
"""
from __future__ import annotations

import random
import sys
import time
import warnings

import numpy as np
import pytest

import numlir

_LITERALS = ["2", "0.5", "1.5", "-3", "True", "np.float32(2.5)"]


# -- helpers the generated programs call (they write their first argument) ----------------------
def h_scale(x):
    x *= 2
    return None


def h_fill(x, v):
    x[...] = v
    return None


def h_add(x, y):
    x += y
    return None


_HELPERS_PY = {"h_scale": h_scale, "h_fill": h_fill, "h_add": h_add}
_HELPERS_JIT = {k: numlir.njit(v) for k, v in _HELPERS_PY.items()}

DTYPES = ["int32", "int64", "float32", "float64", "bool"]
_BIN = ["+", "-", "*", "/", "//", "%", "<", "<=", "==", "!=", ">", ">=", "&", "|", "^"]
_UN1 = ["np.sqrt(np.abs({}))", "np.abs({})", "-{}", "np.exp(np.minimum({}, 3))", "np.sin({})",
        "np.floor({})", "np.negative({})", "np.log1p(np.abs({}))", "np.tanh({})", "~{}",
        "({} ** 2)", "np.isnan({})", "({} * 0.5)", "({} + 1)", "np.cos({})"]
_UN2 = ["np.maximum", "np.minimum", "np.add", "np.subtract", "np.multiply", "np.hypot",
        "np.arctan2", "np.divide"]
_RED = ["np.sum({})", "np.prod({})", "np.mean({})", "np.max({})", "np.min({})", "({}).sum()",
        "({}).max()", "({}).min()", "({}).mean()", "({}).prod()"]
_VIEWS = ["{}[::-1]", "{}[1:]", "{}[:-1]", "{}[::2]", "{}.T", "{}[None]", "{}[0]"]
_VIEWS2 = ["{}[:, None]", "{}[:, ::-1]", "{}[1:, :]", "{}[:, 0]"]


def _make_value(rng, shape, dtype, layout):
    if dtype == "bool":
        base = rng.random(shape) < 0.5
    elif dtype.startswith("int"):
        base = rng.integers(-4, 6, size=shape).astype(dtype)
    else:
        base = (rng.integers(-30, 31, size=shape) / 8.0).astype(dtype)
    if layout == "F" and base.ndim > 1:
        return np.asfortranarray(base)
    if layout == "strided" and base.ndim >= 1:
        big = np.zeros(shape[:-1] + (2 * shape[-1],), dtype=base.dtype)
        big[..., ::2] = base
        return big[..., ::2]
    return base


class _Gen:
    """Builds one program; every candidate statement is checked by running the prefix in NumPy."""

    def __init__(self, seed, alias_args=False, max_stmts=8):
        self.r = random.Random(seed)
        nrng = np.random.default_rng(seed)
        r = self.r
        nd = r.choice([1, 1, 2, 2, 2, 3])
        sizes = [0, 1, 1, 2, 3, 3, 4, 5]
        base = tuple(r.choice(sizes[1:] if r.random() < 0.85 else sizes) for _ in range(nd))
        nargs = r.choice([1, 2, 2, 3, 3])
        self.args, self.params = [], []
        for i in range(nargs):
            k = r.randint(max(1, nd - 1), nd) if r.random() < 0.9 else r.randint(0, nd)
            shape = tuple(1 if r.random() < 0.15 else s for s in base[nd - k:])
            dtype = r.choice(DTYPES) if r.random() < 0.5 else "float64"
            lay = r.choice(["C", "C", "C", "F", "strided"])
            self.args.append(_make_value(nrng, shape, dtype, lay))
            self.params.append("abc"[i])
        if alias_args and nargs >= 2 and r.random() < 0.5:
            j = r.randrange(1, nargs)
            self.args[j] = self.args[0]          # the same array passed twice
        self.nscal = r.choice([0, 1, 1, 2])
        for i in range(self.nscal):
            self.args.append(r.choice([2, -1, 3]) if r.random() < 0.4
                             else r.choice([0.5, 1.5, -2.25]))
            self.params.append("xy"[i])
        self.lines = []
        self.n = 0
        self.max_stmts = max_stmts

    # -- running the prefix in NumPy -------------------------------------------------------
    def source(self, lines, ret):
        body = "\n".join("    " + ln for ln in lines) or "    pass"
        return f"def f({', '.join(self.params)}):\n{body}\n    return {ret}\n"

    def run_np(self, lines, ret="None"):
        src = self.source(lines, ret)
        ns = {"np": np, **_HELPERS_PY}
        exec(src, ns)
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in self.args]
        if len(self.args) >= 2 and self.args[1] is self.args[0]:
            args[1] = args[0]
        if len(self.args) >= 3 and self.args[2] is self.args[0]:
            args[2] = args[0]
        with np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            return ns["f"](*args), args

    def env(self, lines):
        """Types of the live names after ``lines``: {name: value}."""
        names = sorted({ln.split("=")[0].strip() for ln in lines
                        if "=" in ln and not ln.startswith((" ", "for", "if"))
                        and ln.split("=")[0].strip().isidentifier()}
                       | set(self.params))
        out, _ = self.run_np(lines, "(" + ", ".join(names) + ",)")
        return dict(zip(names, out))

    # -- candidates --------------------------------------------------------------------------
    def arrays(self, env, ndmin=0):
        return [k for k, v in env.items() if isinstance(v, np.ndarray) and v.ndim >= ndmin]

    def scalars(self, env):
        return [k for k, v in env.items() if not isinstance(v, np.ndarray)]

    def operand(self, env, depth):
        r = self.r
        arrs = self.arrays(env)
        if depth <= 0 or r.random() < 0.35:
            if arrs and r.random() < 0.8:
                a = r.choice(arrs)
                if r.random() < 0.15:
                    nd = env[a].ndim
                    views = _VIEWS + (_VIEWS2 if nd >= 2 else [])
                    if nd == 0:
                        return a
                    return r.choice(views).format(a)
                return a
            sc = self.scalars(env)
            if sc and r.random() < 0.6:
                return r.choice(sc)
            return r.choice(_LITERALS)
        return self.expr(env, depth - 1)

    def expr(self, env, depth=2):
        r = self.r
        roll = r.random()
        if roll < 0.45:
            return f"({self.operand(env, depth)} {r.choice(_BIN)} {self.operand(env, depth)})"
        if roll < 0.7:
            return r.choice(_UN1).format(self._no_bool(env, self.operand(env, depth)))
        if roll < 0.85:
            return (f"{r.choice(_UN2)}({self._no_bool(env, self.operand(env, depth))}, "
                    f"{self.operand(env, depth)})")
        cmp = f"({self.operand(env, depth)} > {self.operand(env, depth)})"
        x, y = self.operand(env, depth), self.operand(env, depth)
        arrs = self.arrays(env)
        if arrs and all(v in self.scalars(env) or v in _LITERALS for v in (x, y)):
            # np.where of two Python scalars is int64/float64 in NumPy but keeps the scalars
            # weak in Numba's typing (and numlir's): one array branch keeps the dtypes comparable
            x = r.choice(arrs)
        return f"np.where({cmp}, {x}, {y})"

    @staticmethod
    def _no_bool(env, operand):
        """NumPy computes float functions of bool arrays in float16, Numba and numlir in float32
        (Numba has no float16 loops): such operands get a float factor."""
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = eval(operand, {"np": np, **env})
        except Exception:
            return operand
        return f"(1.0 * {operand})" if np.asarray(value).dtype == np.bool_ else operand

    def new(self, prefix="v"):
        self.n += 1
        return f"{prefix}{self.n}"

    def statement(self, env, in_loop=False):
        r = self.r
        arrs = self.arrays(env)
        arrs1 = self.arrays(env, 1)
        roll = r.random()
        if roll < 0.30 or not arrs:
            return [f"{self.new()} = {self.expr(env)}"]
        if roll < 0.40:
            red = r.choice(_RED).format(self.operand(env, 1))
            conv = r.choice(["float", "float", "int"])
            return [f"{self.new('s')} = {conv}({red} + 0)"]
        if roll < 0.47 and arrs1:
            a = r.choice(arrs1)
            nd = env[a].ndim
            return [f"{self.new()} = {r.choice(_VIEWS + (_VIEWS2 if nd >= 2 else []))}".format(a)]
        if roll < 0.60 and arrs1:
            a = r.choice(arrs1)
            k = r.random()
            if k < 0.3:
                return [f"{a}[1:] = {r.choice(arrs)}[:-1]" if r.random() < 0.5
                        else f"{a}[1:] = {self.expr(env, 1)}[:-1]"]
            if k < 0.5:
                return [f"{a}[0] = {self.operand(env, 0)}"]
            if k < 0.7:
                return [f"{a}[::-1] = {self.expr(env, 1)}"]
            if k < 0.85:
                return [f"{a}[...] = {self.expr(env, 1)}"]
            return [f"{a}[::2] = {self.operand(env, 1)}"]
        if roll < 0.72:
            a = r.choice(arrs)
            op = r.choice(["+=", "-=", "*=", "/=", "//=", "|=", "&="])
            return [f"{a} {op} {self.operand(env, 1)}"]
        if roll < 0.78:
            out = r.choice(arrs)
            fn = r.choice(["np.add", "np.multiply", "np.subtract", "np.maximum"])
            return [f"{fn}({self.operand(env, 1)}, {self.operand(env, 1)}, {out})"]
        if roll < 0.84:
            a = r.choice(arrs)
            k = r.random()
            if k < 0.4:
                return [f"h_scale({a})"]
            if k < 0.7:
                return [f"h_fill({a}, {self.operand(env, 0)})"]
            return [f"h_add({a}, {self.operand(env, 1)})"]
        if roll < 0.92 and not in_loop:
            t = self.new("t")
            src = r.choice(arrs)
            init = f"{t} = {src} * 1.0"
            body = r.choice([f"{t} = {t} * 0.5 + {self.operand(env, 0)}",
                             f"{t} = np.sqrt(np.abs({t})) + {self.operand(env, 0)}",
                             f"{t} += {self.operand(env, 0)}"])
            extra = []
            if r.random() < 0.4 and arrs1:
                extra = ["    " + s for s in self.statement(env, in_loop=True)]
            # Numba needs the loop-carried variable's type to stay the same
            e0, e1 = self.env(self.lines + [init]), self.env(self.lines + [init, body])
            if (e0[t].dtype, e0[t].ndim) != (e1[t].dtype, e1[t].ndim):
                return [f"{self.new()} = {self.expr(env)}"]
            return [init, f"for i in range({r.choice([1, 2, 3])}):", "    " + body] + extra
        if not in_loop:
            cond = f"float(np.sum({self.operand(env, 0)})) > {r.choice([0, 1, -1])}"
            inner = self.statement(env, in_loop=True)
            if any("=" not in ln for ln in inner) or len(inner) != 1:
                return inner
            return [f"if {cond}:", "    " + inner[0]]
        return [f"{self.new()} = {self.expr(env)}"]

    def build(self):
        tries = 0
        nstmt = self.r.randint(2, self.max_stmts)
        while len([ln for ln in self.lines if not ln.startswith(" ")]) < nstmt and tries < 60:
            tries += 1
            try:
                env = self.env(self.lines)
            except Exception:
                self.lines = self.lines[:-1]
                continue
            try:
                cand = self.statement(env)
            except Exception:         # NumPy rejected a loop body while it was being written
                continue
            try:
                self.env(self.lines + cand)
            except Exception:
                continue
            self.lines += cand
        env = self.env(self.lines)
        names = [k for k in env if k not in self.params]
        self.r.shuffle(names)
        rets = names[:3] + [p for p in self.params if isinstance(env[p], np.ndarray)]
        return self.source(self.lines, "(" + ", ".join(rets) + ",)")


def generate(seed, alias_args=False):
    g = _Gen(seed, alias_args=alias_args)
    src = g.build()
    return src, g.args


# -- comparing ----------------------------------------------------------------------------------
def _copy_args(args):
    out = [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]
    for i in range(1, len(args)):       # keep an argument passed twice aliased
        for j in range(i):
            if args[i] is args[j]:
                out[i] = out[j]
    return out


def _same(got, want, where):
    if isinstance(want, np.ndarray) and want.ndim > 0:
        assert isinstance(got, np.ndarray), f"{where}: got {type(got)} want array"
        assert got.shape == want.shape, f"{where}: shape {got.shape} != {want.shape}"
        # NumPy computes float ufuncs of bool/int8 arrays in float16, Numba (and numlir) in
        # float32: Numba has no float16 loops
        assert got.dtype == want.dtype or (want.dtype == np.float16 and got.dtype == np.float32), \
            f"{where}: dtype {got.dtype} != {want.dtype}"
    else:
        want = np.asarray(want)
        got = np.asarray(got)
        assert got.dtype.kind == want.dtype.kind or {got.dtype.kind, want.dtype.kind} <= set(
            "iu"), f"{where}: kind {got.dtype} != {want.dtype}"
    g, w = np.asarray(got), np.asarray(want)
    if w.dtype.kind == "f":
        tol = (2e-3 if w.dtype == np.float16 else
               1e-4 if w.dtype == np.float32 or g.dtype == np.float32 else 1e-9)
        scale = 1.0 + (float(np.max(np.abs(w[np.isfinite(w)]))) if np.isfinite(w).any()
                       else 0.0)
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol * scale, equal_nan=True,
                                   err_msg=where)
    else:
        np.testing.assert_array_equal(g, w, err_msg=where)


def compile_src(src, helpers):
    ns = {"np": np, **helpers}
    exec(src, ns)
    return ns["f"]


def check_program(src, args):
    """Raise AssertionError on a mismatch; return "ok" or "unsupported: ..." otherwise."""
    from numba.core.errors import TypingError

    from numlir.errors import TypingError as NumlirTypingError
    from numlir.errors import UnsupportedError
    py = compile_src(src, _HELPERS_PY)
    want_args = _copy_args(args)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = py(*want_args)
    jit = numlir.njit(compile_src(src, _HELPERS_JIT))
    got_args = _copy_args(args)
    try:
        got = jit(*got_args)
    except (TypingError, NumlirTypingError, UnsupportedError) as e:
        return "unsupported: " + str(e).splitlines()[0][:120]
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        _same(g, w, f"result {i}")
    for i, (g, w) in enumerate(zip(got_args, want_args)):
        if isinstance(w, np.ndarray):
            _same(g, w, f"argument {i} after the call")
    return "ok"


# -- the in-suite run: fixed seeds ----------------------------------------------------------------
SEEDS = range(0, 60)


@pytest.mark.parametrize("block", range(4))
def test_fuzz_fixed_seeds(block):
    unsupported = 0
    for seed in SEEDS[block::4]:
        src, args = generate(seed, alias_args=seed % 3 == 0)
        try:
            res = check_program(src, args)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}\n{src}\nargs={args!r}\n{e}") from None
        unsupported += res != "ok"
    assert unsupported < len(SEEDS[block::4]) // 2     # the generator mostly writes valid code


# -- the campaign ------------------------------------------------------------------------------
def campaign(start, count, alias_args=True, log=print):
    stats = {"ok": 0, "unsupported": 0, "fail": 0, "crash": 0, "gen": 0}
    for seed in range(start, start + count):
        try:
            src, args = generate(seed, alias_args=alias_args)
        except Exception:
            stats["gen"] += 1
            continue
        try:
            res = check_program(src, args)
            stats["ok" if res == "ok" else "unsupported"] += 1
            if res != "ok":
                log(f"UNSUP seed {seed}: {res}")
        except AssertionError as e:
            stats["fail"] += 1
            log(f"FAIL seed {seed}\n{src}args={args!r}\n{str(e)[:600]}\n")
        except Exception as e:
            stats["crash"] += 1
            log(f"CRASH seed {seed}\n{src}args={args!r}\n{type(e).__name__}: {str(e)[:600]}\n")
    return stats


def _worker(start, count):
    for seed in range(start, start + count):
        print(f"START {seed}", flush=True)
        s = campaign(seed, 1, log=lambda m: print(m, flush=True))
        print(f"DONE {seed} {min(s, key=lambda k: -s[k])}", flush=True)


def _driver(start, count):
    """Runs the campaign in a child process, restarting it after a hard crash (abort)."""
    import subprocess
    t0, seed, stats = time.time(), start, {}
    while seed < start + count:
        proc = subprocess.run([sys.executable, "-m", "tests.numeric.test_fusion_fuzz", "worker",
                               str(seed), str(start + count - seed)], capture_output=True,
                              text=True)
        last = seed - 1
        for line in proc.stdout.splitlines():
            if line.startswith("START "):
                last = int(line.split()[1])
            elif line.startswith("DONE "):
                k = line.split()[2]
                stats[k] = stats.get(k, 0) + 1
            else:
                print(line, flush=True)
        if proc.returncode != 0:
            print(f"ABORT seed {last} rc={proc.returncode}\n{proc.stderr[-800:]}", flush=True)
            stats["abort"] = stats.get("abort", 0) + 1
        seed = last + 1
    print(stats, f"{time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        _worker(int(sys.argv[2]), int(sys.argv[3]))
    else:
        _driver(int(sys.argv[1]), int(sys.argv[2]))
