"""``np.clip`` as a fusible elementwise expression (scalar, array or None bounds; ``out=``), keyed
by the NumPy function so it takes precedence over Numba's implementation (which broadcasts into a
list of arrays). The result dtype is Numba's (``a``'s); NaN in any operand propagates (NumPy)."""
from __future__ import annotations

import numpy as np
from mlir.dialects import arith
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering.fusion import fusible
from numlir.lowering.registry import lower

Arr = types.Array


def _absent(ty):
    return isinstance(ty, (types.NoneType, types.Omitted))


def _bound_ops(rt):
    if isinstance(rt, types.Float):
        return arith.maximumf, arith.minimumf
    if isinstance(rt, types.Integer):
        return (arith.maxsi, arith.minsi) if rt.signed else (arith.maxui, arith.minui)
    if isinstance(rt, types.Boolean):
        return arith.ori, arith.andi
    raise UnsupportedError(f"np.clip of {rt} values", (rt,))


@lower(np.clip, types.Any, types.Any, types.Any, varargs=True)
@fusible
def lower_clip(ctx, sig, args):
    from numlir.lowering import lazy_arrays as la
    from numlir.lowering.array_elementwise import lazy_elementwise
    from numlir.lowering.array_operators import assign_expression
    aty, loty, hity = sig.args[:3]
    outty = sig.args[3] if len(sig.args) > 3 and isinstance(sig.args[3], Arr) else None
    if not isinstance(aty, Arr) or _absent(loty) and _absent(hity):
        raise UnsupportedError("np.clip without an array or without bounds", sig.args,
                               loc=ctx.loc)
    resty = sig.return_type
    if outty is not None:
        resty = outty.copy(layout="C", readonly=False)
    rt = resty.dtype
    upper, lower_ = _bound_ops(rt)
    operands = [(t, v) for t, v in zip(sig.args[:3], args[:3]) if not _absent(t)]
    kinds = [t.dtype if isinstance(t, Arr) else t for t, _ in operands]
    has_lo, has_hi = not _absent(loty), not _absent(hity)

    def clip(vals):
        vals = [ctx.cast(v, t, rt) for v, t in zip(vals, kinds)]
        x, rest = vals[0], vals[1:]
        if has_lo:
            x = upper(x, rest.pop(0))
        if has_hi:
            x = lower_(x, rest.pop(0))
        return x
    value = lazy_elementwise(ctx, resty, operands, clip)
    if outty is None:
        return value
    return assign_expression(ctx, outty, args[3], la.as_leaf(resty, value))
