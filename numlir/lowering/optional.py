"""``Optional[T]`` (a variable that may be None): an i1 "is present" flag followed by T's leaves."""
from __future__ import annotations

import operator

from mlir import ir
from mlir.dialects import arith
from numba.core import types

from numlir.lowering import datamodel as dm
from numlir.lowering.registry import lower, lower_cast


@dm.register_model(types.Optional)
def _optional_model(ty):
    return [ir.IntegerType.get_signless(1)] + dm.leaf_types(ty.type)


def present(ctx, ty, val):
    return dm.flatten(ty, val)[0]


def _pack(ctx, ty, flag, inner):
    return tuple([flag] + dm.flatten(ty.type, inner))


def _payload(ty, val):
    return dm.unflatten(ty.type, dm.flatten(ty, val)[1:])


@lower_cast(types.Any, types.Optional)
def value_to_optional(ctx, val, fromty, toty):
    return _pack(ctx, toty, ctx.const(types.boolean, True), ctx.cast(val, fromty, toty.type))


@lower_cast(types.NoneType, types.Optional)
def none_to_optional(ctx, val, fromty, toty):
    empty = dm.unflatten(toty.type, [ctx.poison(t) for t in dm.leaf_types(toty.type)])
    return _pack(ctx, toty, ctx.const(types.boolean, False), empty)


@lower_cast(types.Optional, types.Optional)
def optional_to_optional(ctx, val, fromty, toty):
    inner = ctx.cast(_payload(fromty, val), fromty.type, toty.type)
    return _pack(ctx, toty, present(ctx, fromty, val), inner)


@lower_cast(types.Optional, types.Any)
def optional_to_value(ctx, val, fromty, toty):
    missing = arith.xori(present(ctx, fromty, val), ctx.const(types.boolean, True))
    ctx.raise_if(missing, TypeError, f"expected {toty}, got None")
    return ctx.cast(_payload(fromty, val), fromty.type, toty)


def _is_none(ctx, optty, val, negate):
    flag = present(ctx, optty, val)
    return flag if negate else arith.xori(flag, ctx.const(types.boolean, True))


def _is_none_rule(opt_pos, negate):
    def rule(ctx, sig, args):
        return _is_none(ctx, sig.args[opt_pos], args[opt_pos], negate)
    return rule


for _op, _negate in ((operator.is_, False), (operator.is_not, True)):
    lower(_op, types.Optional, types.NoneType)(_is_none_rule(0, _negate))
    lower(_op, types.NoneType, types.Optional)(_is_none_rule(1, _negate))
