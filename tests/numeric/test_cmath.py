"""The ``cmath`` module against Python (rel 1e-14 / 2 ulp; Numba where CPython raises ValueError or
OverflowError) and against Numba for complex64 inputs and for the special values (inf, nan), where
Numba's algorithms (NumPy's csqrt, CPython's cmathmodule) set the semantics."""
from __future__ import annotations

import cmath
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import check_many, numba_of, python_then_numba

import numlir

INF, NAN = math.inf, math.nan
_PARTS = [0.0, -0.0, 0.5, -1.0, 1.0, 2.5, -3.0, 1e-300, 1e300, INF, -INF, NAN]
SPECIAL = [complex(a, b) for a, b in itertools.product(_PARTS, repeat=2)]
FINITE = [z for z in SPECIAL if cmath.isfinite(z)]
TOL = dict(rel=1e-14, ulps=2)


def _compiled(pyfn):
    def call(z):
        return pyfn(z)
    call.__name__ = call.__qualname__ = f"call_{pyfn.__name__}"
    return numlir.njit(call)


FUNCS = [cmath.sqrt, cmath.exp, cmath.log, cmath.log10, cmath.sin, cmath.cos, cmath.tan,
         cmath.sinh, cmath.cosh, cmath.tanh, cmath.asin, cmath.acos, cmath.atan, cmath.asinh,
         cmath.acosh, cmath.atanh, cmath.phase, cmath.polar, cmath.isnan, cmath.isinf,
         cmath.isfinite]
COMPILED = {f: _compiled(f) for f in FUNCS}


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_finite_vs_python(fn):
    c = COMPILED[fn]
    check_many(c, python_then_numba(c), [(z,) for z in FINITE], **TOL)


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_special_values_vs_numba(fn):
    c = COMPILED[fn]
    check_many(c, numba_of(c.py_func), [(z,) for z in SPECIAL], **TOL)


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_complex64_vs_numba(fn):
    c = COMPILED[fn]
    with np.errstate(over="ignore"):
        zs = [(np.complex64(z),) for z in SPECIAL]
    check_many(c, numba_of(c.py_func), zs, rel=3e-7)


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_real_arguments(fn):
    # Numba converts float and int arguments to complex128 for its builtin cmath functions and
    # rejects them for its @overload ones (log10, phase, polar, the hyperbolics): so must numlir
    c = COMPILED[fn]
    check_many(c, numba_of(c.py_func), [(x,) for x in (0.0, -2.0, 0.25, 3, -1)], **TOL)


_finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)


@pytest.mark.parametrize("fn", [cmath.sqrt, cmath.exp, cmath.log, cmath.sin, cmath.tan,
                                cmath.acos, cmath.atanh, cmath.asinh],
                         ids=lambda f: f.__name__)
@given(re=_finite, im=_finite)
def test_random_vs_python(fn, re, im):
    c = COMPILED[fn]
    check_many(c, python_then_numba(c), [(complex(re, im),)], rel=1e-13, ulps=4)


@pytest.mark.parametrize("z", [5e-324j, complex(-5e-324, 0.0), complex(1e-310, -1e-310),
                               complex(1e308, 1e308), complex(-1e308, 1e308),
                               complex(1.7e308, 1e300), complex(-1.7e308, -1e300)], ids=repr)
def test_sqrt_extremes_vs_python(z):
    # Numba raises ZeroDivisionError on subnormal arguments and halves the imaginary part of very
    # large ones; numlir follows CPython (and NumPy) there
    c = COMPILED[cmath.sqrt]
    check_many(c, c.py_func, [(z,)], **TOL)
    assert c(z) == pytest.approx(complex(np.sqrt(np.complex128(z))), rel=1e-15)


@pytest.mark.parametrize("z", [complex(5e-324, 5e-324), complex(-1e-310, 3e-320),
                               complex(0.8, 0.6000001), complex(1.0, 1e-9), complex(1e308, -1e308)],
                         ids=repr)
def test_log_accuracy_vs_python(z):
    # Numba's log(hypot(x, y)) loses digits for subnormal |z| and near |z| == 1; numlir computes
    # the real part as CPython's c_log does
    for fn in (cmath.log, cmath.log10):
        c = COMPILED[fn]
        check_many(c, c.py_func, [(z,)], **TOL)


@numlir.njit
def rect(r, phi):
    return cmath.rect(r, phi)


@numlir.njit
def log_base(z, base):
    return cmath.log(z, base)


def test_rect():
    vals = [0.0, -0.0, 1.0, -2.0, 0.5, INF, -INF, NAN]
    args = list(itertools.product(vals, repeat=2))
    check_many(rect, python_then_numba(rect), [a for a in args if all(map(math.isfinite, a))],
               **TOL)
    check_many(rect, numba_of(rect.py_func), args, **TOL)


def test_log_base():
    args = [(z, b) for z in (1 + 1j, 2.0 + 0j, -3 - 4j) for b in (2.0, 10 + 0j, 0.5 + 1j)]
    check_many(log_base, python_then_numba(log_base), args, **TOL)
