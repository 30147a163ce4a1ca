"""NumPy's order of scalars for extremes: which of two values a max/min (or argmax/argmin)
keeps. The first extreme wins, a NaN is more extreme than any number, and complex numbers are
ordered lexicographically (one with a NaN part counts as NaN)."""
from __future__ import annotations

from mlir.dialects import arith
from numba.core import types

P = arith.CmpIPredicate
F = arith.CmpFPredicate


def beyond(x, best, t, largest):
    """i1: ``x`` (Numba type ``t``) replaces ``best`` as the running max (``largest``) or min."""
    if isinstance(t, types.Complex):
        from mlir.dialects import complex as cplx
        xr, xi, br, bi = cplx.re(x), cplx.im(x), cplx.re(best), cplx.im(best)
        past = F.OGT if largest else F.OLT
        strict = arith.ori(arith.cmpf(past, xr, br),
                           arith.andi(arith.cmpf(F.OEQ, xr, br), arith.cmpf(past, xi, bi)))
        x_nan = arith.cmpf(F.UNO, xr, xi)
        best_ok = arith.cmpf(F.ORD, br, bi)
        return arith.andi(best_ok, arith.ori(strict, x_nan))
    if isinstance(t, types.Float):
        strict = arith.cmpf(F.OGT if largest else F.OLT, x, best)
        x_nan = arith.cmpf(F.UNO, x, x)
        best_ok = arith.cmpf(F.ORD, best, best)
        return arith.ori(strict, arith.andi(x_nan, best_ok))
    if isinstance(t, types.Boolean) or not t.signed:
        return arith.cmpi(P.ugt if largest else P.ult, x, best)
    return arith.cmpi(P.sgt if largest else P.slt, x, best)


def extreme(a, b, t, largest):
    """NumPy's ``maximum(a, b)`` (``largest``) or ``minimum(a, b)`` of two scalars."""
    return arith.select(beyond(b, a, t, largest), b, a)
