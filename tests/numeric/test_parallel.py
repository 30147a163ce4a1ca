"""``parallel=True`` / ``prange``: compiled results against the same functions run by Python, at
1, 2 and 4 threads (the thread count only changes how the iterations are split into chunks).
Integer reductions must be exact; float reductions may be reassociated (relative 1e-12)."""
import math
import threading

import numpy as np
import pytest

import numlir
from numlir import prange

THREADS = [1, 2, 4]


@pytest.fixture(autouse=True, scope="module")
def small_chunks():
    """Light bodies normally get >= LIGHT_BODY_CHUNK iterations per chunk; with 1 the small
    inputs here are split into as many chunks as threads, so every combine path runs."""
    from numlir.lowering import parallel
    old = parallel.LIGHT_BODY_CHUNK
    parallel.LIGHT_BODY_CHUNK = 1
    yield
    parallel.LIGHT_BODY_CHUNK = old


@pytest.fixture(params=THREADS, ids=lambda n: f"{n}threads")
def nthreads(request):
    old = numlir.get_num_threads()
    numlir.set_num_threads(request.param)
    yield request.param
    numlir.set_num_threads(old)


def par(fn):
    return numlir.njit(parallel=True)(fn)


def close(got, want):
    return np.allclose(got, want, rtol=1e-12, atol=1e-12)


# -- scalar reductions ----------------------------------------------------------------------------
def sum_f(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i] * 2.0
    return s


def sum_i(a):
    s = 3
    for i in prange(len(a)):
        s += a[i]
    return s


def sub_i(a):
    s = 100
    for i in prange(len(a)):
        s -= a[i]
    return s


def prod_i(a):
    p = 1
    for i in prange(len(a)):
        p *= a[i] % 3 + 1
    return p


def prod_f(a):
    p = 1.0
    for i in prange(len(a)):
        p = p * (1.0 + a[i] * 1e-3)
    return p


def min_max_i(a):
    lo = 1 << 40
    hi = -(1 << 40)
    for i in prange(len(a)):
        lo = min(lo, a[i])
        hi = max(a[i], hi)
    return lo, hi


def min_max_f(a):
    lo = np.inf
    hi = -np.inf
    for i in prange(len(a)):
        lo = min(lo, a[i])
        hi = max(hi, a[i])
    return lo, hi


def cond_sum(a):
    s = 0
    c = 0
    for i in prange(len(a)):
        if a[i] % 2 == 0:
            s += a[i]
        else:
            c += 1
    return s, c


def complex_sum(a):
    z = 0j
    for i in prange(len(a)):
        z += complex(a[i], -a[i])
    return z


SCALAR_KERNELS = [par(f) for f in (sum_i, sub_i, prod_i, min_max_i, cond_sum)]
FLOAT_KERNELS = [par(f) for f in (sum_f, prod_f, min_max_f, complex_sum)]


@pytest.mark.filterwarnings("ignore:overflow")     # int64 products wrap, as compiled code does
@pytest.mark.parametrize("n", [0, 1, 3, 1000])
def test_integer_reductions_exact(nthreads, n):
    a = np.random.default_rng(n).integers(-1000, 1000, n)
    for fn in SCALAR_KERNELS:
        assert fn(a) == fn.py_func(a), fn.py_func.__name__


@pytest.mark.parametrize("n", [0, 1, 5, 1001])
def test_float_reductions(nthreads, n):
    a = np.random.default_rng(n).random(n)
    for fn in FLOAT_KERNELS:
        got, want = fn(a), fn.py_func(a)
        assert close(np.array(got), np.array(want)), fn.py_func.__name__


def sub_f32(a):
    s = np.float32(0.0)
    for i in prange(a.shape[0]):
        s -= a[i]
    return s


@pytest.mark.parametrize("n", [7, 100_003])
def test_float_reductions_reassociated(nthreads, n):
    """Chunk sums are vectorized (the updates carry ``reassoc``): results within the stated
    tolerance of the exact sum, also with cancellation; products too."""
    rng = np.random.default_rng(n)
    signed = rng.standard_normal(n) * 1e3
    exact = math.fsum(signed * 2.0)
    assert abs(FLOAT_KERNELS[0](signed) - exact) <= 1e-12 * np.abs(signed * 2.0).sum()
    a = rng.random(n)
    assert close(FLOAT_KERNELS[1](a), FLOAT_KERNELS[1].py_func(a))
    a32 = a.astype(np.float32)
    want = -math.fsum(a32.astype(np.float64))
    assert abs(par(sub_f32)(a32) - want) <= 1e-5 * abs(want)


def test_reassoc_only_on_parallel_float_reductions():
    text = FLOAT_KERNELS[0].inspect_mlir(stage="lowered")
    assert "addf %arg2, %" in text and "fastmath<reassoc>" in text
    serial = numlir.njit(sum_f)
    serial(np.ones(3))
    assert "reassoc" not in serial.inspect_mlir(stage="lowered")


@par
def monte_carlo(n, seed):
    hits = 0
    for i in prange(n):
        z = np.uint64(seed) + np.uint64(i) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (z >> np.uint64(32)) * (1.0 / 4294967296.0)
        y = (z & np.uint64(0xFFFFFFFF)) * (1.0 / 4294967296.0)
        if x * x + y * y <= 1.0:
            hits += 1
    return 4.0 * hits / n


@pytest.mark.filterwarnings("ignore:overflow")     # uint64 hashing wraps
def test_monte_carlo_loop_shape(nthreads):
    # the loop header is split from the iternext block by a plain jump (Python 3.11 bytecode)
    assert monte_carlo(5000, 7) == monte_carlo.py_func(5000, 7)


# -- array accumulators ---------------------------------------------------------------------------
@par
def row_sum(m):
    acc = np.zeros(m.shape[1])
    for i in prange(m.shape[0]):
        acc += m[i]
    return acc


@par
def row_prod(m):
    acc = np.ones(m.shape[1], np.int64)
    for i in prange(m.shape[0]):
        acc *= m[i]
    return acc


@par
def row_sub(m):
    acc = np.full(m.shape[1], 10, np.int64)
    for i in prange(m.shape[0]):
        acc -= m[i]
    return acc


@par
def hist_into(x, acc):
    for i in prange(x.shape[0]):
        acc += x[i] * 0.5
    return acc


@pytest.mark.parametrize("rows", [0, 1, 7, 300])
def test_array_accumulators(nthreads, rows):
    m = np.random.default_rng(rows).random((rows, 5))
    assert close(row_sum(m), row_sum.py_func(m))
    mi = np.random.default_rng(rows).integers(1, 3, (rows, 4))
    assert np.array_equal(row_prod(mi), row_prod.py_func(mi))
    assert np.array_equal(row_sub(mi), row_sub.py_func(mi))
    x = np.random.default_rng(1).random((rows, 3, 2))
    start = np.arange(6.0).reshape(3, 2)
    got, want = hist_into(x, start.copy()), hist_into.py_func(x, start.copy())
    assert close(got, want)


# -- loop shapes ----------------------------------------------------------------------------------
@par
def fill_range(n, start, stop, step):
    out = np.zeros(n, np.int64)
    for i in prange(start, stop, step):
        out[i] = i * i + 1
    return out


@pytest.mark.parametrize("args", [(10, 0, 10, 1), (20, 3, 17, 2), (20, 19, -1, -3), (10, 5, 5, 1),
                                  (10, 7, 2, 1), (3, 0, 3, 1), (100, 1, 100, 7)])
def test_start_stop_step(nthreads, args):
    assert np.array_equal(fill_range(*args), fill_range.py_func(*args))


@par
def nested(n, m):
    out = np.empty((n, m))
    for i in prange(n):
        for j in prange(m):            # inner prange: serial inside the parallel outer loop
            t = 0.0
            for k in range(j + 1):
                t += (i + 1) * k
            out[i, j] = t
    return out


def test_nested_prange(nthreads):
    assert close(nested(37, 11), nested.py_func(37, 11))


@par
def serial_outer(m):
    total = 0.0
    for r in range(m.shape[0]):
        s = 0.0
        for j in prange(m.shape[1]):
            s += m[r, j]
        total += s * (r + 1)
    shape = m.shape
    out = np.empty(shape)
    for i in prange(shape[0]):          # a second region; a tuple live-in
        for j in range(shape[1]):
            out[i, j] = m[i, j] * total
    return total, out


def test_prange_inside_serial_loop_and_twice(nthreads):
    m = np.random.default_rng(5).random((13, 29))
    got, want = serial_outer(m), serial_outer.py_func(m)
    assert close(got[0], want[0]) and close(got[1], want[1])


@numlir.njit
def helper(x, k):
    return x * x + k


@par
def calls_jitted(a):
    out = np.empty_like(a)
    s = 0.0
    for i in prange(a.shape[0]):
        out[i] = helper(a[i], i)
        s += helper(a[i], 0)
    return out, s


@par
def temporaries(a, w):
    out = np.empty(a.shape[0])
    for i in prange(a.shape[0]):
        tmp = np.empty(w)               # freed in every iteration
        for j in range(w):
            tmp[j] = a[i] + j
        out[i] = tmp.sum() + (tmp * 2.0).max()
    return out


def test_bodies_call_and_allocate(nthreads):
    a = np.random.default_rng(3).random(257)
    got, want = calls_jitted(a), calls_jitted.py_func(a)
    assert close(got[0], want[0]) and close(got[1], want[1])
    assert close(temporaries(a, 9), temporaries.py_func(a, 9))


@par
def par_row_total(m, r):
    s = 0.0
    for j in prange(m.shape[1]):
        s += m[r, j]
    return s


@numlir.njit
def serial_caller(m):
    return par_row_total(m, 0) + par_row_total(m, m.shape[0] - 1)


@par
def parallel_caller(m):
    out = np.empty(m.shape[0])
    for i in prange(m.shape[0]):        # the callee's prange runs serially in here
        out[i] = par_row_total(m, i)
    return out


def test_parallel_callees(nthreads):
    m = np.random.default_rng(8).random((23, 17))
    assert close(serial_caller(m), serial_caller.py_func(m))
    assert close(parallel_caller(m), parallel_caller.py_func(m))
    assert "scf.parallel" in serial_caller.inspect_mlir(stage="scf")
    assert parallel_caller.inspect_mlir(stage="scf").count("scf.parallel") == 1


@par
def raises_at(a, bad):
    s = 0.0
    for i in prange(a.shape[0]):
        if i == bad:
            raise ValueError("bad index")
        s += a[i]
    return s


@par
def divides(a, d):
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = a[i] // d[i]
    return out


def test_exceptions_reach_the_caller(nthreads):
    a = np.ones(1000)
    for bad in (0, 499, 999):
        with pytest.raises(ValueError, match="bad index"):
            raises_at(a, bad)
    assert raises_at(a, -1) == 1000.0          # the pool is still usable afterwards
    with pytest.raises(ZeroDivisionError):
        divides(np.arange(10), np.array([1, 2, 3, 0, 1, 1, 1, 1, 1, 1]))
    assert np.array_equal(divides(np.arange(10), np.full(10, 3)), np.arange(10) // 3)


def test_many_calls_no_deadlock(nthreads):
    a = np.arange(50, dtype=np.int64)
    for _ in range(2000):
        assert sum_i_k(a) == 1228


sum_i_k = par(sum_i)


def test_concurrent_python_threads():
    a = np.random.default_rng(9).integers(0, 100, 10_000)
    want = sum_i(a)
    errors = []

    def worker():
        for _ in range(50):
            if sum_i_k(a) != want:
                errors.append("mismatch")

    ts = [threading.Thread(target=worker) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


# -- parallel=True with no prange: only the array expression's reduction is a region ------------
def plain(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s + np.sum(a * b + 1.0)


def scalar_only(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def test_nothing_to_parallelize():
    a, b = np.random.default_rng(0).random(100), np.random.default_rng(1).random(100)
    fp, fs = numlir.njit(parallel=True)(plain), numlir.njit(plain)
    assert close(fp(a, b), fs(a, b)) and close(fp(a, b), plain(a, b))
    assert "scf.parallel" in fp.inspect_mlir(stage="scf")   # np.sum(a * b + 1.0)
    assert "scf.parallel" not in fs.inspect_mlir(stage="scf")
    sp = numlir.njit(parallel=True)(scalar_only)
    assert sp(1000) == scalar_only(1000)
    assert "scf.parallel" not in sp.inspect_mlir(stage="scf")


def test_prange_is_parallel_region():
    sum_f_k = FLOAT_KERNELS[0]
    sum_f_k(np.ones(3))
    assert "scf.parallel" in sum_f_k.inspect_mlir(stage="scf")
    assert "call @nl_fork_" in sum_f_k.inspect_mlir(stage="parallel")


def test_light_loops_below_threshold_run_in_one_chunk():
    from numlir.lowering import parallel
    old = parallel.LIGHT_BODY_CHUNK
    parallel.LIGHT_BODY_CHUNK = 64
    try:
        fn = par(sum_i)
        for n in (0, 5, 127, 128, 1000):
            a = np.arange(n)
            assert fn(a) == sum_i(a)
        assert "arith.constant 64 : i64" in fn.inspect_mlir(stage="lowered")
    finally:
        parallel.LIGHT_BODY_CHUNK = old


def test_serial_prange_without_parallel():
    fs = numlir.njit(sum_i)
    a = np.arange(100)
    assert fs(a) == sum_i(a)
    assert "scf.parallel" not in fs.inspect_mlir(stage="scf")


# -- unsupported ----------------------------------------------------------------------------------
def carried(a):
    last = 0.0
    for i in prange(a.shape[0]):
        a[i] = last
        last = a[i] + 1.0
    return a


def breaks(a):
    for i in prange(a.shape[0]):
        if a[i] > 0:
            break
    return 0


@pytest.mark.parametrize("fn, words", [(carried, "carried between iterations"),
                                       (breaks, "'break' or 'return' inside a prange loop")])
def test_unsupported_prange_bodies(fn, words):
    with pytest.raises(numlir.UnsupportedError, match=words):
        numlir.njit(parallel=True)(fn)(np.ones(4))


# -- memory ---------------------------------------------------------------------------------------
def _rss_mb():
    import os
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@par
def alloc_or_raise(n, w, bad):
    s = 0.0
    for i in prange(n):
        tmp = np.ones(w)             # 8 KB per iteration
        if i == bad:
            raise IndexError("bad")
        s += tmp.sum()
    return s


def test_no_leak_on_success_or_raise():
    import os
    if not os.path.exists("/proc/self/statm"):
        pytest.skip("needs /proc/self/statm")
    old = numlir.get_num_threads()
    numlir.set_num_threads(2)
    try:
        def run():
            assert alloc_or_raise(8, 1000, -1) == 8000.0
            with pytest.raises(IndexError):
                alloc_or_raise(8, 1000, 5)
        for _ in range(500):
            run()
        before = _rss_mb()
        for _ in range(5000):       # a leaked temporary per iteration would be ~600 MB
            run()
        assert _rss_mb() - before < 8.0
    finally:
        numlir.set_num_threads(old)
