"""The NumPy ufuncs with two outputs, ``frexp modf divmod``, on scalars and arrays (with optional
``out`` arrays). Numba leaves ``frexp``/``modf`` untyped; their typing here is Numba's generic ufunc
template registered for the numlir target only.

On arrays each output is its own elementwise expression over the inputs (two loops: the element
functions are a few instructions each, so computing them twice is cheaper than a shared buffer).
"""
from __future__ import annotations

import math

import numpy as np
from mlir import ir
from mlir.dialects import arith
from mlir.dialects import math as mmath
from numba.core import types
from numba.core.typing.npydecl import Numpy_rules_ufunc
from numba.core.typing.templates import infer_global

from numlir.errors import UnsupportedError
from numlir.lowering import datamodel as dm
from numlir.lowering.registry import lower

F = arith.CmpFPredicate
P = arith.CmpIPredicate
Arr = types.Array
Num = types.Number


for _uf in (np.frexp, np.modf):
    _template = type(f"_Numlir_{_uf.__name__}", (Numpy_rules_ufunc,),
                     {"key": _uf, "metadata": {"target": "numlir"}})
    infer_global(_uf, types.Function(_template))


# -- element functions: (ctx, input types, values, output types) -> output values ----------------
# (bit layout of IEEE floats: exponent width, mantissa width)
_LAYOUT = {32: (8, 23), 64: (11, 52)}


def _frexp(ctx, ft, x, et):
    """Mantissa in [0.5, 1) and exponent from the bits (no C call: the loop vectorizes and no
    exponent slot is shared between threads); subnormals are scaled into the normal range first.
    Zeros, infinities and nan give (x, 0)."""
    ebits, mbits = _LAYOUT[ft.bitwidth]
    ity = ir.IntegerType.get_signless(ft.bitwidth)
    it = types.int64 if ft.bitwidth == 64 else types.int32

    def c(v):
        return ctx.const(it, v)
    emask = (1 << ebits) - 1
    subnormal = arith.cmpi(P.eq, arith.andi(arith.shrui(arith.bitcast(ity, x), c(mbits)),
                                            c(emask)), c(0))
    scale = mbits + 2
    xs = arith.select(subnormal, arith.mulf(x, ctx.const(ft, float(2 ** scale))), x)
    bits = arith.bitcast(ity, xs)
    biased = arith.andi(arith.shrui(bits, c(mbits)), c(emask))
    half_bias = (1 << (ebits - 1)) - 2                      # the exponent field of 0.5
    exp = arith.subi(biased, c(half_bias))
    exp = arith.select(subnormal, arith.subi(exp, c(scale)), exp)
    mant_bits = arith.ori(arith.andi(bits, c(~(emask << mbits))), c(half_bias << mbits))
    mant = arith.bitcast(x.type, mant_bits)
    special = arith.ori(arith.cmpf(F.UEQ, x, ctx.const(ft, 0.0)),
                        arith.cmpf(F.OEQ, mmath.absf(x), ctx.const(ft, math.inf)))
    mant = arith.select(special, x, mant)
    exp = arith.select(special, c(0), exp)
    return mant, ctx.cast(exp, it, et)


def _modf(ctx, ft, x):
    """(fractional part, integral part), both with x's sign; modf(+-inf) = (+-0, +-inf)."""
    whole = mmath.trunc(x)
    inf = arith.cmpf(F.OEQ, mmath.absf(x), ctx.const(ft, math.inf))
    frac = arith.select(inf, ctx.const(ft, 0.0), arith.subf(x, whole))
    return mmath.copysign(frac, x), whole


def _element_fn(uf, intypes, outtypes):
    def emit(ctx, vals):
        if uf is np.divmod:
            from numlir.lowering.array_operators import _divmod_part
            rt = outtypes[0]
            if isinstance(rt, types.Boolean):
                rt = types.int8
            a, b = (ctx.cast(v, t, rt) for v, t in zip(vals, intypes))
            q, r = _divmod_part(0)(ctx, rt, a, b), _divmod_part(1)(ctx, rt, a, b)
            return [ctx.cast(q, rt, outtypes[0]), ctx.cast(r, rt, outtypes[1])]
        ft = outtypes[0]
        if not isinstance(ft, types.Float):
            raise UnsupportedError(f"np.{uf.__name__} with result type {ft}", intypes,
                                   loc=ctx.loc)
        x = ctx.cast(vals[0], intypes[0], ft)
        if uf is np.frexp:
            return list(_frexp(ctx, ft, x, outtypes[1]))
        return list(_modf(ctx, ft, x))
    return emit


# -- rules ----------------------------------------------------------------------------------------
def _scalar_rule(uf):
    def rule(ctx, sig, args):
        outtypes = list(sig.return_type.types)
        outs = _element_fn(uf, sig.args, outtypes)(ctx, list(args))
        return dm.make_tuple(sig.return_type, outs)
    return rule


def _array_rule(uf):
    def rule(ctx, sig, args):
        from numlir.lowering import lazy_arrays as la
        from numlir.lowering.array_elementwise import lazy_elementwise
        from numlir.lowering.array_operators import assign_expression
        nin = uf.nin
        intypes = [t.dtype if isinstance(t, Arr) else t for t in sig.args[:nin]]
        restys = list(sig.return_type.types)
        outtypes = [la.elem_type(t) for t in restys]
        emit = _element_fn(uf, intypes, outtypes)
        operands = list(zip(sig.args[:nin], args[:nin]))
        if any(isinstance(t, Arr) and not t.mutable for t in sig.args[nin:]):
            raise UnsupportedError("a ufunc writing to a read-only array", sig.args, loc=ctx.loc)
        outs = []
        for k, resty in enumerate(restys):
            newty = resty.copy(layout="C", readonly=False) if isinstance(resty, Arr) else resty
            lazy = lazy_elementwise(ctx, newty, operands,
                                    lambda vals, k=k: emit(ctx, vals)[k])
            outs.append(la.materialize(ctx, lazy) if isinstance(newty, Arr) else lazy)
        # explicit outputs are written only once both results exist (an output may be an input)
        for k, (outty, out) in enumerate(zip(sig.args[nin:], args[nin:])):
            tmpty = outty.copy(layout="C", readonly=False)
            outs[k] = assign_expression(ctx, outty, out, la.as_leaf(tmpty, outs[k]))
        return dm.make_tuple(sig.return_type, outs)
    return rule


for _uf in (np.frexp, np.modf, np.divmod):
    if _uf.nin == 1:
        lower(_uf, Num)(_scalar_rule(_uf))
        lower(_uf, Arr)(_array_rule(_uf))
        lower(_uf, Arr, Arr, Arr)(_array_rule(_uf))
    else:
        lower(_uf, Num, Num)(_scalar_rule(_uf))
        for _pats in ((Arr, Arr), (Arr, Num), (Num, Arr)):
            lower(_uf, *_pats)(_array_rule(_uf))
            lower(_uf, *_pats, Arr, Arr)(_array_rule(_uf))
