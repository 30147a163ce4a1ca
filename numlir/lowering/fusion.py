"""When lazy array expressions (:mod:`numlir.lowering.lazy_arrays`) may stay lazy.

A lazy array is correct to compute later only while its leaves keep their contents, so the walker
computes every pending one before a statement that may write to an array: an item assignment, an
in-place operator on an array, a call that receives an array and is not known to only read it,
``print``. It stays lazy only if its variable's single use is a later statement of the same block;
a rule marked :func:`fusible` then receives it as is and composes it into its own expression.
"""
from __future__ import annotations

import contextlib

import numpy as np
from numba.core import ir as nir
from numba.core import types

from numlir.lowering.registry import find_rule


def fusible(rule):
    """Mark a lowering rule as accepting LazyArray arguments (it fuses them or computes them)."""
    rule.fusible = True
    return rule


def use_sites(blocks):
    """{variable name: {(label, statement index) of each use}}; a phi's incoming value counts as
    a use elsewhere. Several uses in one statement (``d * d``) count as one."""
    sites = {}
    for label, block in blocks.items():
        for pos, st in enumerate(block.body):
            if isinstance(st, nir.Del):
                continue
            if isinstance(st, nir.Assign):
                value = st.value
                if isinstance(value, nir.Expr) and value.op == "phi":
                    for v in value.incoming_values:
                        if isinstance(v, nir.Var):
                            sites.setdefault(v.name, set()).add((None, pos))
                    continue
                used = (value.list_vars() if isinstance(value, nir.Expr)
                        else [value] if isinstance(value, nir.Var) else [])
            else:
                used = st.list_vars()
            for v in used:
                sites.setdefault(v.name, set()).add((label, pos))
    return sites


def single_local_use(ctx, name):
    sites = ctx.uses.get(name, ())
    return len(sites) == 1 and next(iter(sites))[0] == ctx.current_label


# more uses than this and an expression is computed once into a buffer
MAX_SHARED_USES = 8


def fused_local_uses(ctx, name, block):
    """Whether every use of ``name`` is a later statement of this block that fuses lazy arrays
    elementwise (an operator, ufunc, ``np.where`` ...: an array result at least as deep): the
    expression may then be inlined into each of them instead of being computed into a buffer.
    Its duplicates in one loop body are merged (:func:`numlir.lowering.lazy_arrays.build` shares
    leaves and calls, CSE the rest). A reduction among the uses (softmax's ``e / np.sum(e)``)
    would run the expression in a loop of its own: it is computed once into a buffer instead."""
    sites = ctx.uses.get(name, ())
    if not 1 < len(sites) <= MAX_SHARED_USES:
        return False
    ndim = getattr(ctx.typeof(name), "ndim", 0)
    return all(label == ctx.current_label and pos < len(block.body)
               and name in {v.name for v in block.body[pos].list_vars()}
               and _fusible_statement(ctx, block.body[pos], ndim) for label, pos in sites)


def _fusible_statement(ctx, st, ndim):
    if not isinstance(st, nir.Assign) or not isinstance(st.value, nir.Expr):
        return False
    out = ctx.typeof(st.target)
    if not isinstance(out, types.Array) or out.ndim < ndim:
        return False
    expr = st.value
    sig = ctx.calltypes.get(expr)
    if sig is None:
        return False
    try:
        if expr.op in ("binop", "unary"):
            key = ctx.resolve_op(expr.fn, sig)
            return _rule_fusible(key, tuple(sig.args))
        if expr.op == "call":
            fnty = ctx.typeof(expr.func)     # methods (a.sum() ...) reduce or view: not shared
            return not isinstance(fnty, types.BoundFunction) and _call_fusible(ctx, fnty, sig)
    except Exception:      # no rule for it (an error for the statement's own lowering to report)
        return False
    return False


@contextlib.contextmanager
def allow(ctx, on=True):
    """Let ``ctx.get`` hand out lazy arrays inside the block (when ``on``)."""
    old = ctx.lazy_ok
    ctx.lazy_ok = bool(on)
    try:
        yield
    finally:
        ctx.lazy_ok = old


def _rule_fusible(key, argtypes):
    try:
        rule = find_rule(key, argtypes)
    except TypeError:
        return False
    return getattr(rule, "fusible", False)


def fusing(ctx, key, argtypes):
    """Fetch arguments lazily if the rule for ``key`` at ``argtypes`` is fusible."""
    return allow(ctx, _rule_fusible(key, tuple(argtypes)))


def _call_fusible(ctx, fnty, sig):
    """Whether the rule lowering a call of ``fnty`` at ``sig`` fuses lazy arguments."""
    if isinstance(fnty, (types.Dispatcher, types.RecursiveCall, types.ExceptionClass)):
        return False
    key = ctx.impl_key(fnty, sig)
    args = sig.as_function().args if isinstance(fnty, types.BoundFunction) else sig.args
    return _rule_fusible(key, tuple(args))


def fusing_call(ctx, fnty, sig):
    return allow(ctx, _call_fusible(ctx, fnty, sig))


# -- which statements may write to arrays ---------------------------------------------------------
_READ_ONLY_FUNCTIONS = {
    np.sum, np.prod, np.mean, np.min, np.max, np.amin, np.amax, np.where, np.dot, np.empty,
    np.zeros, np.ones, np.full, np.empty_like, np.zeros_like, np.ones_like, np.full_like,
    np.arange, np.linspace, np.copy, np.asarray, np.array, np.abs, np.nonzero, np.clip, len,
    np.std, np.var, np.argmin, np.argmax, np.any, np.all, np.cumsum, np.cumprod, np.isclose,
    np.allclose, np.transpose, np.reshape, np.ravel,
}
_READ_ONLY_METHODS = {
    "sum", "prod", "mean", "min", "max", "copy", "astype", "reshape", "transpose", "ravel",
    "flatten", "std", "var", "argmin", "argmax", "any", "all", "cumsum", "cumprod", "view", "item",
    "nonzero",
}


def _method_name(key):
    """Numba keys array methods as "array.sum" or as (types.Array, "sum")."""
    if isinstance(key, str):
        return key.rsplit(".", 1)[-1]
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], str):
        return key[1]
    return None


def _holds_array(ty):
    if isinstance(ty, (types.Array, types.NumpyFlatType)):
        return True
    if isinstance(ty, types.BaseTuple):
        return any(_holds_array(t) for t in ty.types)
    if isinstance(ty, types.BoundFunction):
        return _holds_array(ty.this)
    if isinstance(ty, types.Optional):
        return _holds_array(ty.type)
    return False


def _read_only_call(ctx, expr):
    fnty = ctx.typeof(expr.func)
    operands = [ctx.typeof(v) for v in expr.list_vars()]
    if not any(_holds_array(t) for t in operands):
        return True        # no array reaches the callee (global arrays are read-only)
    key = getattr(fnty, "typing_key", None)
    if isinstance(key, np.ufunc):
        return len(expr.args) + len(expr.kws) <= key.nin      # no ``out=``
    if isinstance(fnty, types.BoundFunction):
        return _method_name(key) in _READ_ONLY_METHODS
    try:
        return key in _READ_ONLY_FUNCTIONS
    except TypeError:
        return False


def may_write(ctx, st):
    """Whether lowering ``st`` may change the contents of an existing array."""
    if isinstance(st, (nir.SetItem, nir.StaticSetItem, nir.Print)):
        return True
    if not isinstance(st, nir.Assign) or not isinstance(st.value, nir.Expr):
        return False
    expr = st.value
    if expr.op == "inplace_binop":
        return _holds_array(ctx.typeof(expr.lhs))
    if expr.op == "call":
        return not _read_only_call(ctx, expr)
    return False
