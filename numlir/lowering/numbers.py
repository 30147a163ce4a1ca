"""Attributes and methods of numbers: ``.real``, ``.imag``, ``.conjugate()``."""
from __future__ import annotations

from mlir.dialects import complex as cplx
from numba.core import types

from numlir.lowering.registry import lower, lower_getattr


# generic rules first: the registry prefers the most recently registered match
@lower_getattr(types.Number, "real")
@lower_getattr(types.Boolean, "real")
def real_real(ctx, ty, val, resty):
    return val


@lower_getattr(types.Number, "imag")
@lower_getattr(types.Boolean, "imag")
def real_imag(ctx, ty, val, resty):
    return ctx.const(ty, 0)


@lower_getattr(types.Complex, "real")
def complex_real(ctx, ty, val, resty):
    return cplx.re(val)


@lower_getattr(types.Complex, "imag")
def complex_imag(ctx, ty, val, resty):
    return cplx.im(val)


@lower("complex.conjugate", types.Number)
def real_conjugate(ctx, sig, args):
    return ctx.cast(args[0], sig.args[0], sig.return_type)


@lower("complex.conjugate", types.Complex)
def complex_conjugate(ctx, sig, args):
    return cplx.conj(args[0])
