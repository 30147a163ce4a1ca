"""``zip(a, b, ...)`` over anything numlir iterates (arrays, ranges, homogeneous tuples, other
iterators): the zip value holds each source's iterator; advancing it advances every source and is
valid while all are. (Python stops advancing at the first exhausted source; that differs only
for an iterator zipped with itself or used again after the loop.)"""
from __future__ import annotations

from mlir.dialects import arith
from numba.core import types
from numba.core.typing import signature

from numlir.lowering import datamodel as dm
from numlir.lowering.registry import ITERNEXT, lower


@dm.register_model(types.ZipType)
def _zip_model(ty):
    return [leaf for it in ty.source_types for leaf in dm.leaf_types(it)]


@lower(zip, types.Any, varargs=True)
def lower_zip(ctx, sig, args):
    zty = sig.return_type
    leaves = []
    for srcty, itty, value in zip(sig.args, zty.source_types, args):
        if srcty != itty:                       # an iterable: start its iterator
            isig = signature(itty, srcty)
            value = ctx.call_rule(ctx.resolve_op(iter, isig), isig, [value])
        leaves.extend(dm.flatten(itty, value))
    return dm.unflatten(zty, leaves)


@lower(zip)
def lower_zip_empty(ctx, sig, args):
    return dm.unflatten(sig.return_type, [])


@lower(iter, types.ZipType)
def lower_zip_iter(ctx, sig, args):
    return args[0]


@lower(ITERNEXT, types.ZipType)
def lower_zip_next(ctx, sig, args):
    zty = sig.args[0]
    leaves = dm.flatten(zty, args[0])
    values, ok, pos = [], ctx.const(types.boolean, True), 0
    for itty in zty.source_types:
        n = len(dm.leaf_types(itty))
        sub = dm.unflatten(itty, leaves[pos:pos + n])
        pos += n
        pair = types.Pair(itty.yield_type, types.boolean)
        nsig = signature(pair, itty)
        got = dm.flatten(pair, ctx.call_rule(ITERNEXT, nsig, [sub]))
        values.extend(got[:-1])
        ok = arith.andi(ok, got[-1])
    return dm.unflatten(sig.return_type, values + [ok])
