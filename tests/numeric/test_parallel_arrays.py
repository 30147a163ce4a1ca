"""Array expressions and whole-array reductions in ``parallel=True`` functions run in chunks on the
thread pool: results against NumPy (and numlir's serial build) at 1, 2 and 4 threads, for arrays
below the small-array threshold (one chunk, run by the caller) and above it (several chunks),
contiguous, strided, transposed, Fortran-ordered and broadcast operands. Elementwise results are
exact; integer reductions exact; float reductions reassociated at chunk boundaries (1e-12)."""
import functools

import numpy as np
import pytest
from mlir.dialects import arith
from numba.core import types
from numba.extending import type_callable

import numlir
from numlir.lowering.parallel import LIGHT_BODY_CHUNK

THREADS = [1, 2, 4]
SMALL, LARGE = 1000, 4 * LIGHT_BODY_CHUNK + 7     # one chunk / as many chunks as threads


@pytest.fixture(params=THREADS, ids=lambda n: f"{n}threads")
def nthreads(request):
    old = numlir.get_num_threads()
    numlir.set_num_threads(request.param)
    yield request.param
    numlir.set_num_threads(old)


def rng(seed=0):
    return np.random.default_rng(seed)


@functools.cache
def both(fn):
    """numlir parallel and serial builds of ``fn`` (one pair per function: compiles are shared
    by the thread counts)."""
    return numlir.njit(parallel=True)(fn), numlir.njit(fn)


def check(fn, *args, exact=True):
    """numlir parallel against NumPy (``fn`` run by Python) and against numlir serial; arrays
    passed are copied for each run so in-place kernels see the same inputs."""
    fp, fs = both(fn)
    runs = [f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
            for f in (fp, fs, fn)]
    got, serial, want = runs
    assert np.shape(got) == np.shape(want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype
    if exact:
        np.testing.assert_array_equal(got, serial)
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, serial, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    return fp


# -- elementwise ----------------------------------------------------------------------------------
def axpy(a, b, c):
    return a * b + c


def magnitude(x, y):
    return np.sqrt(x**2 + y**2)


def stencil(a, out):
    out[1:-1] = 0.25 * a[:-2] + 0.5 * a[1:-1] + 0.25 * a[2:]
    return out


def ufunc_out(a, b, out):
    np.add(a, b, out)
    np.multiply(out, 2.0, out)
    return out


def inplace(a, b, c):
    a += b * c
    return a


def inplace_overlap(a):
    a += a[::-1]            # shares a's buffer: computed through a temporary
    return a


def where_cmp(a, b):
    return np.where(a > b, a - b, b * 2.0), a > b


def int_expr(a, b):
    return (a * 3 - b) // 7 + (a ^ b)


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_elementwise_1d(nthreads, n):
    a, b, c = rng(0).random(n), rng(1).random(n), rng(2).random(n)
    check(axpy, a, b, c)
    check(axpy, a, 2.5, c)
    check(magnitude, a, b, exact=False)
    check(stencil, a, np.zeros(n))
    check(ufunc_out, a, b, np.empty(n))
    check(inplace, a, b, c)
    check(inplace_overlap, a)
    check(where_cmp, a, b)
    ia, ib = rng(3).integers(-1000, 1000, n), rng(4).integers(-1000, 1000, n)
    check(int_expr, ia, ib)
    check(axpy, ia.astype(np.int32), ib.astype(np.int32), np.int32(5))


@pytest.mark.parametrize("shape", [(3, LARGE // 3), (LARGE // 40, 40), (7, 5), (1, LARGE)])
def test_elementwise_2d(nthreads, shape):
    a, b, c = rng(0).random(shape), rng(1).random(shape), rng(2).random(shape)
    check(axpy, a, b, c)
    check(axpy, np.asfortranarray(a), np.asfortranarray(b), np.asfortranarray(c))  # F result
    check(axpy, a, np.asfortranarray(b), c)
    check(axpy, a.T.copy(), b.T, c.T)                         # transposed (layout 'A'/'F')
    check(inplace, a, b, c)


def test_non_contiguous(nthreads):
    big = rng(0).random(3 * LARGE)
    a, b = big[::3], big[1::3]
    check(axpy, a, b, big[2::3])
    check(magnitude, a, b[::-1], exact=False)
    m = rng(1).random((2 * (LARGE // 100), 100))
    check(axpy, m[::2, ::2], m[1::2, 1::2], 1.0)
    check(inplace, m[::2], m[1::2], 3.0)


@pytest.mark.parametrize("rows, cols", [(LARGE // 64, 64), (5, 7), (1, LARGE), (LARGE, 1)])
def test_broadcasting(nthreads, rows, cols):
    col, row = rng(0).random((rows, 1)), rng(1).random(cols)
    full = rng(2).random((rows, cols))
    check(axpy, col, row, 1.0)                 # (rows, 1) x (cols,) -> (rows, cols)
    check(axpy, full, row, col)
    check(axpy, full[:1], full, row)           # size-1 outermost dimension stretched
    check(axpy, full, full[:, :1], full[:1])   # run-time broadcasting of C operands
    check(inplace, full, row, col)


def jacobi(a, iters):
    new = a.copy()
    err = 0.0
    for _ in range(iters):
        new[1:-1, 1:-1] = 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])
        err = np.max(np.abs(new - a))
        a, new = new, a
    return a, err


@pytest.mark.parametrize("shape", [(LARGE // 100, 100), (5, 7), (1, LARGE), (3, LARGE // 3)])
def test_regions_in_a_loop(nthreads, shape):
    """A stencil and a reduction in every iteration of a serial loop (buffers swapped)."""
    fp, _ = both(jacobi)
    x = rng(0).random(shape)
    got, want = fp(x.copy(), 4), jacobi(x.copy(), 4)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1] == want[1]


# -- reductions -----------------------------------------------------------------------------------
def sums(a, b):
    return np.sum(a * b), (a + b).sum(), np.mean(a * 2.0)


def extremes(a):
    return np.max(a), a.min(), np.max(-a), np.amin(a * a)


def product(a):
    return np.prod(a), a.prod()


def bool_reductions(a, b):
    c = a > b
    return np.sum(c), c.max(), c.min()


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
@pytest.mark.parametrize("n", [0, 1, SMALL, LARGE])
def test_integer_reductions_exact(nthreads, n):
    a, b = rng(0).integers(-10**6, 10**6, n), rng(1).integers(-10**6, 10**6, n)
    check(sums, a, b, exact=False)             # the mean is a float
    fp = numlir.njit(parallel=True)(lambda a, b: (np.sum(a * b), np.sum(a.astype(np.int32))))
    assert fp(a, b) == (np.sum(a * b), np.sum(a.astype(np.int32)))
    if n:
        check(extremes, a)
        check(extremes, a.astype(np.uint16))
        check(bool_reductions, a, b)
    small = rng(2).integers(-2, 3, n)
    check(product, small)


@pytest.mark.parametrize("n", [1, SMALL, LARGE])
def test_float_reductions(nthreads, n):
    a, b = rng(0).random(n), rng(1).random(n)
    check(sums, a, b, exact=False)
    check(extremes, a)
    check(product, 1.0 + a * 1e-4, exact=False)
    f32 = numlir.njit(parallel=True)(sums)(a.astype(np.float32), b.astype(np.float32))
    np.testing.assert_allclose(f32, sums(a.astype(np.float64), b), rtol=1e-5)
    a[n // 2] = np.nan                          # NaN wins, wherever its chunk is
    check(extremes, a)


def complex_kernel(a, b):
    return np.sum(a * b), np.prod(a[:40]), np.mean(a), a + b * 2j


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_complex(nthreads, n):
    a = rng(0).random(n) + 1j * rng(1).random(n)
    fp, _ = both(complex_kernel)
    for got, want in zip(fp(a, a[::-1]), complex_kernel(a, a[::-1])):
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("shape", [(LARGE // 50, 50), (3, LARGE // 3), (1, 1)])
def test_reductions_2d_strided_broadcast(nthreads, shape):
    m = rng(0).random(shape)
    check(sums, m, m.T.copy().T, exact=False)                  # C with F operand
    check(sums, m[::2], m[::-2], exact=False)
    check(extremes, np.asfortranarray(m))
    fp = numlir.njit(parallel=True)(lambda col, row: np.sum(col * row))
    col, row = m[:, :1], m[0]
    assert np.isclose(fp(col, row), np.sum(col * row), rtol=1e-12)


def test_empty_extreme_raises(nthreads):
    fp = numlir.njit(parallel=True)(lambda a: np.max(a * 2.0))
    with pytest.raises(ValueError, match="zero-size array"):
        fp(np.ones(0))


# -- errors inside fused bodies -------------------------------------------------------------------
def checked_recip(x):
    """Test-only elementwise op: 1/x; ValueError for x < 0, ZeroDivisionError for x == 0."""
    raise NotImplementedError


@type_callable(checked_recip)
def _type_checked_recip(context):
    def typer(x):
        if isinstance(x, types.Array) and isinstance(x.dtype, types.Float):
            return x.copy(layout="C", readonly=False)
    return typer


def _register_checked_recip():
    from numlir.lowering import lazy_arrays as la
    from numlir.lowering.array_elementwise import lazy_elementwise
    from numlir.lowering.fusion import fusible
    from numlir.lowering.registry import lower

    @lower(checked_recip, types.Array)
    @fusible
    def rule(ctx, sig, args):
        def fn(vals):
            x = vals[0]
            zero = arith.constant(x.type, 0.0)
            ctx.raise_if(arith.cmpf(arith.CmpFPredicate.OLT, x, zero), ValueError, "negative")
            ctx.raise_if(arith.cmpf(arith.CmpFPredicate.OEQ, x, zero), ZeroDivisionError,
                         "zero")
            return arith.divf(arith.constant(x.type, 1.0), x)
        return lazy_elementwise(ctx, sig.return_type, [(sig.args[0], la.as_leaf(
            sig.args[0], args[0]))], fn)


_register_checked_recip()


def recip_plus(a, b):
    return checked_recip(a) + b


def recip_sum(a):
    return np.sum(checked_recip(a))


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_errors_in_fused_bodies(nthreads, n):
    fp, fs = both(recip_plus)
    rp, rs = both(recip_sum)
    a, b = 1.0 + rng(0).random(n), rng(1).random(n)
    np.testing.assert_array_equal(fp(a, b), 1.0 / a + b)
    assert np.isclose(rp(a), np.sum(1.0 / a), rtol=1e-12)
    # the first failing element in iteration order decides, as in the serial build
    for early, late, exc in ((n // 8, n - 3, ValueError), (n // 8, n - 3, ZeroDivisionError)):
        bad = a.copy()
        first = ValueError if exc is ValueError else ZeroDivisionError
        bad[early] = -1.0 if first is ValueError else 0.0
        bad[late] = 0.0 if first is ValueError else -1.0
        for f, args in ((fp, (bad, b)), (fs, (bad, b)), (rp, (bad,)), (rs, (bad,))):
            with pytest.raises(first):
                f(*args)
    assert "scf.parallel" in fp.inspect_mlir(stage="scf")


# -- structure ------------------------------------------------------------------------------------
def prange_with_expression(a, b):
    s = 0.0
    for i in numlir.prange(a.shape[0]):
        s += np.sum(a[i] * b[i])
    return s


def serial_callee(a, b):
    return a * b + 1.0


def calls_serial(a, b):
    return _serial_callee(a, b) * 2.0


_serial_callee = numlir.njit(serial_callee)


def test_parallel_region_only_with_parallel_true():
    a, b = rng(0).random(LARGE), rng(1).random(LARGE)
    for fn, args in ((axpy, (a, b, a)), (sums, (a, b))):
        fp, fs = both(fn)
        fp(*args)
        fs(*args)
        assert "scf.parallel" in fp.inspect_mlir(stage="scf")
        assert "call @nl_fork_" in fp.inspect_mlir(stage="parallel")
        assert "scf.parallel" not in fs.inspect_mlir(stage="scf")
        assert "nl_fork_" not in fs.inspect_mlir(stage="llvm")
    # each chunk body is one function, called only by its trampoline (compiled once)
    text = fp.inspect_mlir(stage="llvm")
    bodies = [line.split("@")[1].split("(")[0] for line in text.splitlines()
              if line.lstrip().startswith("llvm.func") and "_chunks" in line
              and "@nl_fork_" not in line and "@nl_tramp_" not in line]
    assert bodies
    for body in bodies:
        calls = [line for line in text.splitlines() if f"llvm.call @{body}(" in line]
        assert len(calls) == 1 and f"@nl_tramp_{body}" in text
    # a prange body is parallel already: its expressions run serially inside it
    fp = numlir.njit(parallel=True)(prange_with_expression)
    m = rng(2).random((8, 100))
    assert np.isclose(fp(m, m), np.sum(m * m), rtol=1e-12)
    assert fp.inspect_mlir(stage="scf").count("scf.parallel") == 1
    # a serial callee keeps its serial loops; the caller's own expression is parallel
    fp = numlir.njit(parallel=True)(calls_serial)
    np.testing.assert_array_equal(fp(a, b), (a * b + 1.0) * 2.0)
    text = fp.inspect_mlir(stage="lowered")
    callee = text[text.index("func.func private @nl_serial_callee"):]
    callee = callee[:callee.index("\n  }\n")]
    assert "scf.parallel" not in callee


def test_small_arrays_stay_in_one_chunk():
    """The chunk count is min(threads, n, elements // LIGHT_BODY_CHUNK), at least 1: the
    threshold's constant is in the code, and results are right on both sides of it."""
    fp = numlir.njit(parallel=True)(axpy)
    old = numlir.get_num_threads()
    numlir.set_num_threads(4)
    try:
        for n in (0, 1, LIGHT_BODY_CHUNK - 1, 2 * LIGHT_BODY_CHUNK, 2 * LIGHT_BODY_CHUNK + 1):
            a = np.arange(n, dtype=np.float64)
            np.testing.assert_array_equal(fp(a, a, a), a * a + a)
    finally:
        numlir.set_num_threads(old)
    assert f"arith.constant {LIGHT_BODY_CHUNK} : index" in fp.inspect_mlir(stage="lowered")


def _pool_cpu_ticks():
    """CPU clock ticks used so far by this process's threads other than the calling one."""
    import os
    import threading
    total = 0
    for tid in os.listdir("/proc/self/task"):
        if int(tid) != threading.get_native_id():
            with open(f"/proc/self/task/{tid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


def heavy_sum(a):
    return np.sum(np.exp(np.cos(a)))


@pytest.mark.parametrize("shape", [(1, 8 * LARGE), (3, 4 * LARGE)])
def test_few_rows_split_into_column_blocks(shape):
    """Fewer rows than chunks: each row is split into column blocks (chunk order stays C
    order), so a (1, n) array still runs on the pool's threads."""
    import os
    if not os.path.exists("/proc/self/task"):
        pytest.skip("needs /proc/self/task")
    fp = numlir.njit(parallel=True)(heavy_sum)
    a = rng(0).random(shape)
    old = numlir.get_num_threads()
    numlir.set_num_threads(4)
    try:
        assert np.isclose(fp(a), heavy_sum(a), rtol=1e-12)
        before = _pool_cpu_ticks()
        for _ in range(60):
            fp(a)
        assert _pool_cpu_ticks() > before     # a worker ran chunks (CPU time, not wall time)
    finally:
        numlir.set_num_threads(old)


# -- memory ---------------------------------------------------------------------------------------
def _rss_mb():
    import os
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_no_leak_on_success_or_raise():
    import os
    if not os.path.exists("/proc/self/statm"):
        pytest.skip("needs /proc/self/statm")
    fp = numlir.njit(parallel=True)(recip_plus)
    rp = numlir.njit(parallel=True)(recip_sum)
    a, b = 1.0 + rng(0).random(LARGE), rng(1).random(LARGE)
    bad = a.copy()
    bad[-1] = 0.0
    old = numlir.get_num_threads()
    numlir.set_num_threads(2)
    try:
        def run():
            assert fp(a, b).shape == a.shape
            rp(a)
            with pytest.raises(ZeroDivisionError):
                fp(bad, b)
            with pytest.raises(ZeroDivisionError):
                rp(bad)
        for _ in range(50):
            run()
        before = _rss_mb()
        for _ in range(500):       # a leaked result (260 KB) per call would be ~250 MB
            run()
        assert _rss_mb() - before < 16.0
    finally:
        numlir.set_num_threads(old)


# -- random expressions, split into many chunks ---------------------------------------------------
@pytest.fixture
def tiny_chunks():
    """Every element may be a chunk of its own: small arrays exercise the chunk boundaries."""
    from numlir.lowering import parallel
    old = parallel.LIGHT_BODY_CHUNK
    parallel.LIGHT_BODY_CHUNK = 1
    yield
    parallel.LIGHT_BODY_CHUNK = old


_LEAVES = ["a", "b", "c", "f", "s", "2.5"]     # (R, C) C, (C,), (R, 1), (R, C) F, strided view


def _random_expr(gen, depth):
    if depth == 0 or gen.random() < 0.25:
        return str(gen.choice(_LEAVES))
    x, y = _random_expr(gen, depth - 1), _random_expr(gen, depth - 1)
    forms = ["({x} + {y})", "({x} - {y})", "({x} * {y})", "np.maximum({x}, {y})",
             "np.sqrt(np.abs({x}))", "np.where({x} > {y}, {x}, {y})", "np.exp(-np.abs({x}))"]
    return str(gen.choice(forms)).format(x=x, y=y)


def _random_kernel(seed):
    gen = np.random.default_rng(seed)
    expr = _random_expr(gen, 3)
    while not any(v in expr for v in "abcfs"):
        expr = _random_expr(gen, 3)
    uses = ["    return {e} + a * 0.0", "    return np.sum({e} + a), np.max({e} - c)",
            "    out[:] = {e}\n    out += {e} * s\n    return out"]
    body = uses[seed % 3].format(e=expr)
    src = f"def kernel(a, b, c, f, s, out):\n{body}\n"
    ns = {"np": np}
    exec(compile(src, f"<random kernel {seed}>", "exec"), ns)   # noqa: S102 -- generated above
    return src, ns["kernel"]


@pytest.mark.parametrize("seed", range(24))
def test_random_expressions(tiny_chunks, seed):
    src, kernel = _random_kernel(seed)
    fp = numlir.njit(parallel=True)(kernel)
    g = rng(seed)
    rows, cols = int(g.integers(1, 9)), int(g.integers(1, 7))
    big = g.random((2 * rows, 3 * cols)) + 0.1
    args = (g.random((rows, cols)) + 0.1, g.random(cols) + 0.1, g.random((rows, 1)) + 0.1,
            np.asfortranarray(g.random((rows, cols))) + 0.1, big[::2, ::3],
            np.zeros((rows, cols)))
    want = kernel(*[x.copy() if x.base is None else x for x in args])
    old = numlir.get_num_threads()
    try:
        for t in THREADS:
            numlir.set_num_threads(t)
            got = fp(*[x.copy() if x.base is None else x for x in args])
            for g_, w in zip(got if isinstance(got, tuple) else (got,),
                             want if isinstance(want, tuple) else (want,)):
                np.testing.assert_allclose(g_, w, rtol=1e-12, err_msg=src)
    finally:
        numlir.set_num_threads(old)
    assert "scf.parallel" in fp.inspect_mlir(stage="scf"), src


def store_fold(out, a, b):
    out[:] = a * 2.0 + b
    out += a
    return out, np.sum(out * a), np.max(out - b)


@pytest.mark.parametrize("shape", [(2, 9), (9, 2), (1, 7), (7, 1), (3, 4)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_grid_chunks_c_and_f_destinations(tiny_chunks, shape, order):
    """Row chunks, and rows split into column blocks, for C and F destinations and operands."""
    fp, _ = both(store_fold)
    a = np.asarray(rng(0).random(shape), order=order)
    b = rng(1).random(shape[-1])
    old = numlir.get_num_threads()
    try:
        for t in (1, 2, 3, 4):
            numlir.set_num_threads(t)
            got = fp(np.zeros(shape, order=order), a, b)
            want = store_fold(np.zeros(shape, order=order), a, b)
            np.testing.assert_array_equal(got[0], want[0])
            assert np.isclose(got[1], want[1], rtol=1e-12) and got[2] == want[2]
    finally:
        numlir.set_num_threads(old)


@numlir.njit(parallel=True)
def _par_inner(a):
    return np.sum(a * 2.0) + (a + 1.0).max()


def par_outer(m):
    s = 0.0
    for i in numlir.prange(m.shape[0]):
        s += _par_inner(m[i])          # inside a prange body: the serial variant
    return s + _par_inner(m[0])        # from the caller: its own regions


def test_parallel_callee_in_and_out_of_prange(nthreads):
    fp = numlir.njit(parallel=True)(par_outer)
    m = rng(0).random((16, LARGE))
    want = sum(np.sum(r * 2.0) + (r + 1.0).max() for r in m) + np.sum(m[0] * 2.0) + \
        (m[0] + 1.0).max()
    assert np.isclose(fp(m), want, rtol=1e-12)
