"""Ownership flags of arrays returned past loops: ``lift-cf-to-scf`` yields ``ub.poison`` on paths
where a loop-carried array is undefined, and buffer deallocation used to compare that poison pointer
(``passes/poison_memrefs.py``): the returned argument got a capsule that freed the ndarray object
itself (an abort), and the new array was returned without an owner (a leak)."""
from __future__ import annotations

import numpy as np
import pytest

import numlir


def carried(a):
    t = a * 1.0
    for _ in range(1):
        t = t * 0.5 + a
    return t, a


def carried_view(a, b):
    v = a[:, ::-1]
    t = v * 1.0
    for _ in range(2):
        t = t * 0.5 + v
    w = np.maximum(b, b)
    return w, t, v, a, b


def _owner_is_sound(result, args):
    """A result viewing an argument keeps that argument as its base; a new one owns its buffer."""
    for r in result:
        if not isinstance(r, np.ndarray) or any(r is a for a in args):
            continue          # an argument returned as itself (as Numba does)
        views_arg = any(np.shares_memory(r, a) for a in args)
        if views_arg:
            assert r.base is not None and any(r.base is a or np.shares_memory(r.base, a)
                                              for a in args)
            assert type(r.base).__name__ == "ndarray"
        else:
            assert type(r.base).__name__ == "PyCapsule", "a new buffer returned without an owner"


@pytest.mark.parametrize("fn,args", [
    (carried, (np.arange(5.0),)),
    (carried, (np.arange(6, dtype=np.float32).reshape(2, 3),)),
    (carried_view, (np.arange(12, dtype=np.float32).reshape(3, 4), np.arange(4.0))),
])
def test_returned_arrays_after_loops(fn, args):
    jit = numlir.njit(fn)
    for _ in range(20):       # a wrong capsule frees an ndarray object: an abort soon after
        copies = [a.copy() for a in args]
        got, want = jit(*copies), fn(*[a.copy() for a in args])
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w)
        _owner_is_sound(got, copies)
        del got, copies
