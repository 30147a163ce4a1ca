"""Tuples beyond construction and constant indexing (which are structural, in the walker):
indexing by a run-time integer, iteration over homogeneous tuples, comparisons."""
from __future__ import annotations

import operator

from mlir import ir
from mlir.dialects import arith, memref
from numba.core import types

from numlir.lowering import datamodel as dm
from numlir.lowering.registry import ITERNEXT, lower

P = arith.CmpIPredicate


def select_item(ctx, tupty, tup, index, check=True):
    """``tup[index]`` for a homogeneous tuple and an int64 index (negative counts from the end)."""
    items = dm.tuple_items(tupty, tup)
    n = len(items)
    zero = ctx.const(types.int64, 0)
    index = arith.select(arith.cmpi(P.slt, index, zero),
                         arith.addi(index, ctx.const(types.int64, n)), index)
    if check:
        bad = arith.ori(arith.cmpi(P.slt, index, zero),
                        arith.cmpi(P.sge, index, ctx.const(types.int64, n)))
        ctx.raise_if(bad, IndexError, "tuple index out of range")
    leaves = [dm.flatten(tupty.dtype, item) for item in items]
    out = list(leaves[0])
    for k in range(1, n):
        hit = arith.cmpi(P.eq, index, ctx.const(types.int64, k))
        out = [arith.select(hit, new, old) for new, old in zip(leaves[k], out)]
    return dm.unflatten(tupty.dtype, out)


@lower(operator.getitem, types.UniTuple, types.Integer)
def lower_tuple_getitem(ctx, sig, args):
    tup, index = args
    index = ctx.cast(index, sig.args[1], types.int64)
    return ctx.cast(select_item(ctx, sig.args[0], tup, index), sig.args[0].dtype, sig.return_type)


@dm.register_model(types.UniTupleIter)
def _unituple_iter_model(ty):
    return [ir.MemRefType.get([], ir.IntegerType.get_signless(64))] + dm.leaf_types(ty.container)


@lower(iter, types.UniTuple)
def lower_tuple_iter(ctx, sig, args):
    cursor = ctx.entry_alloca(ir.MemRefType.get([], ir.IntegerType.get_signless(64)))
    memref.store(ctx.const(types.int64, 0), cursor, [])
    return tuple([cursor] + dm.flatten(sig.args[0], args[0]))


@lower(ITERNEXT, types.UniTupleIter)
def lower_tuple_next(ctx, sig, args):
    itty = sig.args[0]
    tupty = itty.container
    cursor, leaves = args[0][0], args[0][1:]
    tup = dm.unflatten(tupty, leaves)
    cur = memref.load(cursor, [])
    n = ctx.const(types.int64, len(tupty))
    ok = arith.cmpi(P.slt, cur, n)
    safe = arith.select(ok, cur, ctx.const(types.int64, 0))
    memref.store(arith.addi(cur, ctx.const(types.int64, 1)), cursor, [])
    if not len(tupty):      # an empty tuple (e.g. ndenumerate's index of a 0-d array): never read
        return tuple([ctx.poison(t) for t in dm.leaf_types(tupty.dtype)] + [ok])
    item = select_item(ctx, tupty, tup, safe, check=False)
    return tuple(dm.flatten(tupty.dtype, item) + [ok])


def _element_op(ctx, op, ta, tb, a, b):
    """``op(a, b)`` for one pair of tuple elements, typed by Numba's typing context."""
    sig = ctx.tir_typing_context().resolve_function_type(op, (ta, tb), {})
    if sig is None:
        return None
    a, b = ctx.cast(a, ta, sig.args[0]), ctx.cast(b, tb, sig.args[1])
    out = ctx.call_rule(ctx.resolve_op(op, sig), sig, [a, b])
    return ctx.cast(out, sig.return_type, types.boolean)


def _tuple_compare(op):
    def rule(ctx, sig, args):
        ta, tb = sig.args
        ia, ib = dm.tuple_items(ta, args[0]), dm.tuple_items(tb, args[1])
        if op in (operator.eq, operator.ne):
            if len(ia) != len(ib):
                return ctx.const(types.boolean, op is operator.ne)
            result = ctx.const(types.boolean, True)
            for x, y, tx, ty in zip(ia, ib, ta.types, tb.types):
                result = arith.andi(result, _element_op(ctx, operator.eq, tx, ty, x, y))
            if op is operator.ne:
                result = arith.xori(result, ctx.const(types.boolean, True))
            return result
        # lexicographic: decided by the first unequal pair, else by the lengths
        n = min(len(ia), len(ib))
        la, lb = len(ia), len(ib)
        tail = {operator.lt: la < lb, operator.le: la <= lb,
                operator.gt: la > lb, operator.ge: la >= lb}[op]
        result = ctx.const(types.boolean, tail)
        for k in reversed(range(n)):
            x, y, tx, ty = ia[k], ib[k], ta.types[k], tb.types[k]
            eq = _element_op(ctx, operator.eq, tx, ty, x, y)
            strict_op = operator.lt if op in (operator.lt, operator.le) else operator.gt
            decided = _element_op(ctx, strict_op, tx, ty, x, y)
            result = arith.select(eq, result, decided)
        return result
    return rule


for _op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge):
    lower(_op, types.BaseTuple, types.BaseTuple)(_tuple_compare(_op))


def register_minmax_intrinsics():
    """Numba's ``min``/``max`` overloads end in the intrinsics ``min_vararg``/``max_vararg`` over a
    tuple; they reduce like the builtins (Python's first-of-equals rule)."""
    from numba.cpython import builtins as nb_builtins

    from numlir.lowering.builtins import _max, _min
    for intrinsic, rule in ((nb_builtins.min_vararg, _min), (nb_builtins.max_vararg, _max)):
        for key in (intrinsic, getattr(intrinsic, "_defn", None)):
            if key is not None:
                lower(key, types.BaseTuple)(rule)

