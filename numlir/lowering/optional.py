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


@lower(operator.is_, types.Optional, types.NoneType)
def _opt_is_none(ctx, sig, args):
    return _is_none(ctx, sig.args[0], args[0], False)


@lower(operator.is_, types.NoneType, types.Optional)
def _none_is_opt(ctx, sig, args):
    return _is_none(ctx, sig.args[1], args[1], False)


@lower(operator.is_not, types.Optional, types.NoneType)
def _opt_is_not_none(ctx, sig, args):
    return _is_none(ctx, sig.args[0], args[0], True)


@lower(operator.is_not, types.NoneType, types.Optional)
def _none_is_not_opt(ctx, sig, args):
    return _is_none(ctx, sig.args[1], args[1], True)
