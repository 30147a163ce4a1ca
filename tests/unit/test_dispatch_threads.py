"""Concurrent first calls: one compile per signature, every thread gets the right answer."""
import threading

import numpy as np

import numlir
from numlir.targets import cpu

N = 8


def _run_threads(fn, args_per_thread):
    barrier = threading.Barrier(len(args_per_thread))
    results, errors = [None] * len(args_per_thread), []

    def work(i):
        try:
            barrier.wait()
            results[i] = fn(*args_per_thread[i])
        except BaseException as e:         # collected and re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(args_per_thread))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "deadlock"
    if errors:
        raise errors[0]
    return results


def _spy_compiles(monkeypatch):
    calls = []
    real = cpu.compile_dispatcher

    def spy(dispatcher, argtypes, next_entry):
        calls.append((dispatcher.py_func.__name__, tuple(argtypes)))
        return real(dispatcher, argtypes, next_entry)

    monkeypatch.setattr(cpu, "compile_dispatcher", spy)
    return calls


def tri(n, k):
    s = 0
    for i in range(n):
        s += i * k
    return s


def test_same_new_signature_compiles_once(monkeypatch):
    calls = _spy_compiles(monkeypatch)
    f = numlir.njit(tri)
    args = [(100 + i, i) for i in range(N)]
    assert _run_threads(f, args) == [tri(*a) for a in args]
    assert calls == [("tri", (numlir.typeof(1), numlir.typeof(1)))]
    assert len(f._native) == 1


def test_different_signatures_concurrently(monkeypatch):
    calls = _spy_compiles(monkeypatch)
    f = numlir.njit(lambda a, b: a * b + a)
    args = [(3, 4), (2.5, 1.5), (1 + 1j, 2 - 1j), (True, False), (np.int32(7), np.int32(3)),
            (np.float32(0.5), np.float32(4)), (np.uint8(3), np.uint8(5)), (np.int16(-3), 2)]
    want = [f.py_func(*a) for a in args]
    got = _run_threads(f, args)
    assert got == want
    assert len(calls) == len(f._native) == len({tuple(map(numlir.typeof, a)) for a in args})


def test_caller_and_callee_compiled_from_many_threads(monkeypatch):
    calls = _spy_compiles(monkeypatch)
    callee = numlir.njit(tri)

    @numlir.njit
    def caller(n):
        return callee(n, 2) - callee(n, 1)

    args = [(10 * i,) for i in range(N)]
    want = [tri(n, 2) - tri(n, 1) for (n,) in args]   # not caller.py_func: it would compile tri
    assert _run_threads(caller, args) == want
    assert [name for name, _ in calls] == ["caller"]
