"""The generic walker: typed Numba IR (SSA, phis) -> MLIR ``func``/``cf`` with block arguments.

The walker knows IR node *kinds* (assignment, branch, call, binop, getattr ...) and nothing about
operations: every operation is looked up in :mod:`numlir.lowering.registry` by the Python object
being lowered and the argument types. A missing rule raises :class:`numlir.UnsupportedError`.

Calling convention of every lowered function: the flattened leaves of the arguments in, an ``i32``
status (0 = ok, otherwise an exception code from :mod:`numlir.runtime.exceptions`) followed by the
leaves of the return value out.
"""
from __future__ import annotations

import contextlib
import operator

from mlir import ir
from mlir.dialects import arith, cf, func, ub
from numba.core import ir as nir
from numba.core import types
from numba.core.typing.templates import fold_arguments

from numlir.errors import UnsupportedError
from numlir.lowering import datamodel as dm
from numlir.lowering import fusion
from numlir.lowering.lazy_arrays import LazyArray, materialize
from numlir.lowering.registry import ITERNEXT, find_cast, find_getattr, find_rule
from numlir.runtime import exceptions


class OverloadKey:
    """Entry point Numba stores for a typed overload: names the dispatcher and argument types."""

    __slots__ = ("dispatcher", "args")

    def __init__(self, dispatcher, args):
        self.dispatcher, self.args = dispatcher, tuple(args)

    def __repr__(self):
        return f"<numlir overload {self.dispatcher.py_func.__qualname__}{self.args}>"


class ModuleLowering:
    """One MLIR module under construction: the functions lowered into it so far."""

    def __init__(self, module, boundscheck=False):
        self.module = module
        self.boundscheck = boundscheck   # check array indices (IndexError) in every function
        self.functions = {}          # (dispatcher id, argtypes) -> (FuncOp, return type)
        self.externals = set()       # names of external C functions declared in the module
        self._prints = {}            # argument types -> print helper name
        self._names = set()
        self.parallel_depth = 0      # > 0 while a prange body is lowered (callees run serially)
        self.has_parallel = False    # a parallel region was emitted (numlir.lowering.parallel)

    def print_function(self, argtypes):
        """Name of the helper printing values of ``argtypes`` (emitted once per module)."""
        name = self._prints.get(argtypes)
        if name is None:
            from numlir.runtime.entry import append_source, print_source
            name = self._prints[argtypes] = self.unique_name("nl_print")
            with ir.InsertionPoint(self.module.body), ir.Location.unknown():
                append_source(self.module, print_source(name, argtypes))
        return name

    def unique_name(self, base):
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base)
        name, k = base, 0
        while name in self._names:
            k += 1
            name = f"{base}_{k}"
        self._names.add(name)
        return name

    def function_for(self, dispatcher, argtypes, public=False):
        """The FuncOp of ``dispatcher`` at ``argtypes``, lowered (with callees) on first use."""
        parallel = bool(dispatcher.targetoptions.get("parallel")) and not self.parallel_depth
        key = (id(dispatcher), tuple(argtypes), parallel)
        hit = self.functions.get(key)
        if hit is not None:
            return hit
        overload = dispatcher.typed_overload(argtypes)
        tir = overload.typed_ir
        name = self.unique_name(f"nl_{dispatcher.py_func.__qualname__}")
        lowerer = FunctionLowerer(self, tir, name, overload.signature.return_type, public)
        lowerer.parallel = parallel
        self.functions[key] = (lowerer.func_op, overload.signature.return_type)
        lowerer.lower_body()
        return self.functions[key]


def _rpo(blocks):
    """Reachable block labels in reverse post-order, so definitions come before their uses."""
    first = min(blocks)
    seen, order, stack = {first}, [], [(first, iter(_successors(blocks[first])))]
    while stack:
        label, succ = stack[-1]
        nxt = next(succ, None)
        if nxt is None:
            stack.pop()
            order.append(label)
        elif nxt not in seen:
            seen.add(nxt)
            stack.append((nxt, iter(_successors(blocks[nxt]))))
    return order[::-1]


def _successors(block):
    term = block.terminator
    if isinstance(term, nir.Branch):
        return [term.truebr, term.falsebr]
    if isinstance(term, nir.Jump):
        return [term.target]
    return []


class FunctionLowerer:
    """Lowers one typed function. Rules receive it as ``ctx`` and use its helpers."""

    parallel = False      # lower prange loops as parallel regions (@njit(parallel=True))

    def __init__(self, mod, tir, name, return_type, public=False):
        self.mod, self.tir, self.name = mod, tir, name
        self.typemap, self.calltypes = tir.typemap, tir.calltypes
        self.return_type = return_type
        self.loc = tir.func_ir.loc
        self.i32 = ir.IntegerType.get_signless(32)
        arg_leaves = [t for a in tir.args for t in self._leaves(a, "argument")]
        self.ret_leaves = self._leaves(return_type, "return value")
        ftype = ir.FunctionType.get(arg_leaves, [self.i32] + self.ret_leaves)
        with ir.InsertionPoint(mod.module.body), ir.Location.unknown():
            self.func_op = func.FuncOp(name, ftype, visibility=None if public else "private")
        self.entry = self.func_op.add_entry_block()

    def _leaves(self, ty, what):
        try:
            return dm.leaf_types(ty)
        except KeyError:
            raise UnsupportedError(f"values of type {ty} as {what}", loc=self.loc) from None

    # -- the walk ---------------------------------------------------------------------------------
    def lower_body(self):
        blocks = self.tir.func_ir.blocks
        order = _rpo(blocks)
        special = {}          # header label -> hook lowering a whole prange loop
        if self.parallel:
            from numlir.lowering.parallel import plan_loops
            order, special = plan_loops(self, order)
        self.phis = {label: [st for st in blocks[label].body
                             if isinstance(st, nir.Assign) and isinstance(st.value, nir.Expr)
                             and st.value.op == "phi"] for label in order}
        self.blocks = {}
        for label in order:
            leaf_tys = [t for st in self.phis[label] for t in self._leaves(self.typeof(st.target),
                                                                                  "phi")]
            self.blocks[label] = self.func_op.body.blocks.append(*leaf_tys)
        self.env = {}
        self.uses = fusion.use_sites(blocks)
        self.pending = set()        # variables holding a LazyArray not computed yet
        self.shared_lazies = {}     # those inlined into each of several uses: -> last use
        self.lazy_ok = False        # ctx.get may hand out LazyArrays (a fusible rule asks)
        self.status_sink, self._sink_used = None, False   # see deferred_errors
        pos = 0
        self.arg_values = []
        for aty in self.tir.args:
            n = len(dm.leaf_types(aty))
            self.arg_values.append(dm.unflatten(aty, self.entry.arguments[pos:pos + n]))
            pos += n
        with ir.InsertionPoint(self.entry), self._location(self.loc):
            cf.br([], self.blocks[order[0]])
        for label in order:
            self.current_label = label
            block = self.blocks[label]
            pos = 0
            for st in self.phis[label]:
                ty = self.typeof(st.target)
                n = len(dm.leaf_types(ty))
                self.env[st.target.name] = dm.unflatten(ty, block.arguments[pos:pos + n])
                pos += n
            self.ip = ir.InsertionPoint(block)
            if label in special:
                with self._location(blocks[label].loc):
                    self.ip.__enter__()
                    try:
                        special[label](self, label)
                    finally:
                        self.ip.__exit__(None, None, None)
                continue
            for pos, st in enumerate(blocks[label].body):
                self.loc = st.loc
                with self._location(st.loc):
                    self.ip.__enter__()
                    try:
                        if self.pending and fusion.may_write(self, st):
                            # its own operands are read before it writes
                            self.flush_lazies(keep={v.name for v in st.list_vars()})
                        self.lower_stmt(st)
                    finally:       # a rule may have moved self.ip (move_to): exit the current one
                        self.ip.__exit__(None, None, None)
                self.retire_shared(pos)
            self.pending.clear()   # unused lazy values (their checks were emitted already)
            self.shared_lazies.clear()

    def _location(self, loc):
        try:
            return ir.Location.file(loc.filename or "<unknown>", loc.line or 0, (loc.col or 0) + 1)
        except Exception:
            return ir.Location.unknown()

    def lower_stmt(self, st):
        handler = _STMT.get(type(st))
        if handler is None:
            raise UnsupportedError(_describe_node(st), self._types_of(st), loc=st.loc)
        handler(self, st)

    def _types_of(self, node):
        return [self.typemap[v.name] for v in node.list_vars() if v.name in self.typemap]

    # -- values -----------------------------------------------------------------------------------
    def typeof(self, var):
        return self.typemap[var.name if isinstance(var, nir.Var) else var]

    def get(self, var, want=None):
        """Lowered value of ``var``, converted to type ``want`` when given. A lazy array
        expression is computed here unless the rule being lowered fuses it (``lazy_ok``)."""
        try:
            val = self.env[var.name]
        except KeyError:
            raise UnsupportedError(f"a use of variable '{var.name}' that may be undefined",
                                   loc=self.loc) from None
        if isinstance(val, LazyArray):
            if self.lazy_ok and (want is None or isinstance(want, types.Array)):
                if var.name not in self.shared_lazies:     # those stay pending: used again
                    self.pending.discard(var.name)
                return val.retyped(want) if want is not None else val
            val = self.env[var.name] = materialize(self, val)
            self.pending.discard(var.name)
        return val if want is None else self.cast(val, self.typeof(var), want)

    def flush_lazies(self, keep=()):
        """Compute the pending lazy arrays now (before a statement that may write arrays),
        except those named in ``keep``."""
        for name in sorted(self.pending - set(keep)):
            val = self.env.get(name)
            if isinstance(val, LazyArray):
                self.env[name] = materialize(self, val)
        self.pending &= set(keep)

    def defer_or_compute(self, target, value):
        """Keep a lazy array for ``target`` when its only use is a later statement of this
        block (it may fuse there), or when all its uses are (:func:`fusion.fused_local_uses`);
        compute it now otherwise."""
        if fusion.single_local_use(self, target.name):
            self.pending.add(target.name)
            return value
        if fusion.fused_local_uses(self, target.name, self.tir.func_ir.blocks[self.current_label]):
            self.pending.add(target.name)
            self.shared_lazies[target.name] = max(p for _, p in self.uses[target.name])
            return value
        return materialize(self, value)

    def retire_shared(self, pos):
        """Shared lazy arrays whose last use is the statement at ``pos`` are no longer pending."""
        for name in [n for n, last in self.shared_lazies.items() if last <= pos]:
            del self.shared_lazies[name]
            self.pending.discard(name)

    def set(self, var, value):
        self.env[var.name] = value

    def const(self, ty, value):
        """Constant of Numba type ``ty`` holding the Python value ``value``."""
        ty = dm.strip_literal(ty)
        if isinstance(ty, types.Boolean):
            return arith.constant(dm.scalar_type(ty), int(bool(value)))
        if isinstance(ty, types.Integer):
            bits = ty.bitwidth
            v = int(value) & ((1 << bits) - 1)
            if v >= 1 << (bits - 1):
                v -= 1 << bits
            return arith.constant(dm.scalar_type(ty), v)
        if isinstance(ty, types.Float):
            return arith.constant(dm.scalar_type(ty), float(value))
        if isinstance(ty, types.Complex):
            from mlir.dialects import complex as cplx
            ft = dm.scalar_type(ty.underlying_float)
            c = complex(value)
            return cplx.constant(dm.scalar_type(ty),
                                 ir.ArrayAttr.get([ir.FloatAttr.get(ft, c.real),
                                                   ir.FloatAttr.get(ft, c.imag)]))
        if isinstance(ty, types.BaseTuple):
            return dm.make_tuple(ty, [self.const(et, v) for et, v in zip(ty.types, value)])
        if isinstance(ty, types.Array) and type(value).__name__ == "ndarray":
            from numlir.lowering.array_constants import array_constant
            return array_constant(self, ty, value)
        if isinstance(ty, types.SliceType) and isinstance(value, slice):
            # the slice model: None start/stop as the sentinels for the step's direction
            step = 1 if value.step is None else value.step
            big, small = (1 << 63) - 1, -(1 << 63)
            start = value.start if value.start is not None else (0 if step > 0 else big)
            stop = value.stop if value.stop is not None else (big if step > 0 else small)
            return tuple(self.const(types.int64, v) for v in (start, stop, step))
        if not self._leaves(ty, "constant"):
            return None
        raise UnsupportedError(f"the constant {value!r} of type {ty}", loc=self.loc)

    def cast(self, val, fromty, toty):
        """Convert a lowered value between Numba types (Numba's implicit conversions)."""
        f, t = dm.strip_literal(fromty), dm.strip_literal(toty)
        if f == t or isinstance(val, VirtualList):
            return val
        if isinstance(toty, types.Omitted) or not dm.leaf_types(t) and not dm.leaf_types(f):
            return None
        if isinstance(val, LazyArray):       # an expression typed C where its variable is A
            if (isinstance(t, types.Array) and isinstance(f, types.Array)
                    and (t.dtype, t.ndim) == (f.dtype, f.ndim)):
                return LazyArray(t, val.sizes, val.leaves, val.fn)
            val = materialize(self, val)
        rule = find_cast(f, t)
        if rule is None:
            raise UnsupportedError(f"conversion from {fromty} to {toty}", loc=self.loc)
        return rule(self, val, f, t)

    def entry_alloca(self, memref_type):
        """A stack slot allocated once in the entry block (mem2reg turns it back into SSA)."""
        from mlir.dialects import memref
        with ir.InsertionPoint.at_block_begin(self.entry):
            return memref.alloca(memref_type, [], [])

    def poison(self, mlir_type):
        return ub.poison(mlir_type)

    # -- control flow helpers for rules ----------------------------------------------------------
    def new_block(self, *arg_types):
        return self.func_op.body.blocks.append(*arg_types)

    def move_to(self, block):
        """Continue emitting at the end of ``block`` (after a rule split the current block)."""
        self.ip.__exit__(None, None, None)
        self.ip = ir.InsertionPoint(block)
        self.ip.__enter__()

    def return_status(self, status):
        """Return ``status`` (an i32 value) with placeholder results: the error path."""
        func.ReturnOp([status] + [self._placeholder(t) for t in self.ret_leaves])

    def _placeholder(self, mlir_type):
        """An unused result value. A memref gets a real (empty, stack) buffer rather than poison:
        buffer deallocation compares pointers with returned memrefs, and poison there would make
        freeing this path's own allocations undefined."""
        if isinstance(mlir_type, ir.MemRefType) or "memref<" in str(mlir_type):
            from mlir.dialects import memref
            mt = ir.MemRefType(mlir_type)
            empty = memref.alloca(ir.MemRefType.get([0] * mt.rank, mt.element_type), [], [])
            return memref.cast(mlir_type, empty)
        return self.poison(mlir_type)

    def raise_exception(self, exc_class, args=()):
        """Terminate the current block by raising ``exc_class(*args)`` in the caller."""
        code = exceptions.register(exc_class, tuple(args), self.loc)
        self.return_status(arith.constant(self.i32, code))

    def raise_if(self, cond, exc_class, *args):
        """If the i1 ``cond`` holds, raise ``exc_class(*args)``; emission goes on in the else."""
        if self.status_sink is not None:
            code = exceptions.register(exc_class, tuple(args), self.loc)
            self._sink(arith.select(cond, arith.constant(self.i32, code),
                                    arith.constant(self.i32, 0)))
            return
        err, cont = self.new_block(), self.new_block()
        cf.cond_br(cond, [], [], err, cont)
        with ir.InsertionPoint(err):
            self.raise_exception(exc_class, args)
        self.move_to(cont)

    def propagate_status(self, status):
        """After a call: return ``status`` to our caller when it is non-zero."""
        if self.status_sink is not None:
            self._sink(status)
            return
        zero = arith.constant(self.i32, 0)
        failed = arith.cmpi(arith.CmpIPredicate.ne, status, zero)
        err, cont = self.new_block(), self.new_block()
        cf.cond_br(failed, [], [], err, cont)
        with ir.InsertionPoint(err):
            self.return_status(status)
        self.move_to(cont)

    @contextlib.contextmanager
    def deferred_errors(self):
        """Inside a single-block region (a linalg.generic body, a parallel loop body) branches
        are not allowed: ``raise_if`` and ``propagate_status`` record the first non-zero status
        in a slot instead; on leaving, the caller is returned that status (checked once)."""
        from mlir.dialects import memref
        outer_sink, outer_used = self.status_sink, self._sink_used
        slot = self.entry_alloca(ir.MemRefType.get([], self.i32))
        memref.store(arith.constant(self.i32, 0), slot, [])
        self.status_sink, self._sink_used = slot, False
        try:
            yield
        finally:
            used = self._sink_used
            self.status_sink, self._sink_used = outer_sink, outer_used
        if used:
            self.propagate_status(memref.load(slot, []))

    @contextlib.contextmanager
    def errors_into(self, slot):
        """As ``deferred_errors``, but the first non-zero status goes to ``slot`` (a 0-d i32
        memref holding 0, e.g. one per parallel chunk) and is not propagated; yields a list
        whose item is True afterwards when the code emitted inside can fail."""
        outer = self.status_sink, self._sink_used
        self.status_sink, self._sink_used = slot, False
        used = [False]
        try:
            yield used
        finally:
            used[0] = self._sink_used
            self.status_sink, self._sink_used = outer

    def _sink(self, status):
        from mlir.dialects import memref
        self._sink_used = True
        old = memref.load(self.status_sink, [])
        keep = arith.cmpi(arith.CmpIPredicate.ne, old, arith.constant(self.i32, 0))
        memref.store(arith.select(keep, old, status), self.status_sink, [])

    # -- calls -------------------------------------------------------------------------------------
    def call_rule(self, key, sig, args, what=None):
        """Lower ``key`` applied to ``args`` (already of ``sig.args`` types) with the registry."""
        if isinstance(key, OverloadKey):
            return self.call_dispatcher(key.dispatcher, key.args, sig, args)
        rule = find_rule(key, sig.args)
        if rule is None:
            from numlir.lowering import load_library_rules
            if load_library_rules():
                rule = find_rule(key, sig.args)
        if rule is None:
            raise UnsupportedError(what or _describe(key), sig.args, loc=self.loc)
        return rule(self, sig, args)

    def call_dispatcher(self, dispatcher, argtypes, sig, args):
        """Call another numlir-typed function (a user function or a Numba implementation)."""
        if len(argtypes) != len(args):
            args = list(args)[:len(argtypes)]
        try:
            fn, callee_ret = self.mod.function_for(dispatcher, argtypes)
        except UnsupportedError as err:
            err.add_call_site(self.loc)
            raise
        operands = []
        for aty, want, v in zip(sig.args, argtypes, args):
            operands.extend(dm.flatten(want, self.cast(v, aty, want)))
        call = func.CallOp(fn, operands)
        results = list(call.results)
        self.propagate_status(results[0])
        val = dm.unflatten(callee_ret, results[1:])
        return self.cast(val, callee_ret, sig.return_type)

    def call_python(self, pyfunc, sig, args):
        """Lower ``pyfunc(*args)`` by compiling the Python helper (Numba's compile_internal)."""
        return self.call_dispatcher(_internal_dispatcher(pyfunc), sig.args, sig, args)

    def impl_key(self, fnty, sig):
        """What Numba's lowering would look up for a call of ``fnty`` at ``sig``."""
        typing_key = getattr(fnty, "typing_key", fnty)
        # A numlir rule for the Python object itself wins over Numba's implementation (hot NumPy
        # paths lower directly); intrinsics' impl keys are per-signature codegen closures anyway.
        try:
            if find_rule(typing_key, sig.args) is not None:
                return typing_key
            from numlir.lowering import load_library_rules
            if load_library_rules() and find_rule(typing_key, sig.args) is not None:
                return typing_key
        except TypeError:
            pass
        try:
            key = fnty.get_impl_key(sig)
        except (KeyError, AttributeError):
            return typing_key
        if not isinstance(key, OverloadKey):
            key = _own_overload_key(fnty, sig) or key
        return key

    def resolve_op(self, op, sig):
        fnty = self.tir_typing_context().resolve_value_type(op)
        return self.impl_key(fnty, sig)

    def tir_typing_context(self):
        from numlir.frontend.target import numlir_target
        return numlir_target.typing_context


_internal = {}

# what users wrote, for IR nodes numlir has no lowering for
_NODE_NAMES = {"build_set": "set displays ({...})", "build_map": "dict displays ({...: ...})",
               "build_list": "list displays ([...])", "make_function": "nested functions",
               "Print": "print()", "DelItem": "del x[...]", "SetAttr": "attribute assignment",
               "DelAttr": "del x.attr", "EnterWith": "with statements",
               "DynamicRaise": "raise with run-time arguments", "TryRaise": "try/except"}


def _describe_node(node):
    key = node.op if isinstance(node, nir.Expr) else type(node).__name__
    return _NODE_NAMES.get(key, f"the {'expression' if isinstance(node, nir.Expr) else 'statement'}"
                                f" kind '{key}'")


def _internal_dispatcher(pyfunc):
    disp = _internal.get(pyfunc)
    if disp is None:
        from numlir.frontend.dispatcher import Dispatcher
        disp = _internal[pyfunc] = Dispatcher(pyfunc)
    return disp


def _describe(key):
    name = getattr(key, "__qualname__", None) or getattr(key, "__name__", None) or repr(key)
    mod = getattr(key, "__module__", None)
    if mod in ("_operator", "operator"):
        return f"operator.{name}"
    if mod and mod not in ("builtins",):
        return f"{mod}.{name}"
    return f"{name}"


# -- statements ----------------------------------------------------------------------------------
def _assign(ctx, st):
    value = st.value
    if isinstance(value, nir.Expr):
        if value.op == "phi":
            return
        handler = _EXPR.get(value.op)
        if handler is None:
            raise UnsupportedError(_describe_node(value), ctx._types_of(value), loc=st.loc)
        out = handler(ctx, value, ctx.typeof(st.target))
        if isinstance(out, LazyArray):
            out = ctx.defer_or_compute(st.target, out)
        ctx.set(st.target, out)
        return
    ctx.set(st.target, _VALUE[type(value)](ctx, value, ctx.typeof(st.target)))


def _arg(ctx, value, ty):
    argty = ctx.tir.args[value.index]
    if isinstance(argty, types.Omitted):
        return ctx.const(ty, argty.value)
    return ctx.cast(ctx.arg_values[value.index], argty, ty)


def _const(ctx, value, ty):
    return ctx.const(ty, value.value)


def _var(ctx, value, ty):
    with fusion.allow(ctx):       # a copy passes a lazy array on
        return ctx.get(value, ty)


def _edge_operands(ctx, target):
    """Block arguments for a jump from the current Numba block to ``target``: its phi inputs."""
    operands = []
    for st in ctx.phis[target]:
        phi, ty = st.value, ctx.typeof(st.target)
        val = None
        for inc_val, inc_block in zip(phi.incoming_values, phi.incoming_blocks):
            if inc_block == ctx.current_label:
                val = inc_val
                break
        if isinstance(val, nir.Var) and val.name in ctx.env:
            operands.extend(dm.flatten(ty, ctx.get(val, ty)))
        else:   # undefined on this edge: Python would raise NameError on a later use
            operands.extend(ctx.poison(t) for t in dm.leaf_types(ty))
    return operands


def _branch(ctx, st):
    cond = ctx.get(st.cond, types.boolean)
    cf.cond_br(cond, _edge_operands(ctx, st.truebr), _edge_operands(ctx, st.falsebr),
               ctx.blocks[st.truebr], ctx.blocks[st.falsebr])


def _jump(ctx, st):
    cf.br(_edge_operands(ctx, st.target), ctx.blocks[st.target])


def _return(ctx, st):
    val = ctx.get(st.value, ctx.return_type)
    func.ReturnOp([arith.constant(ctx.i32, 0)] + dm.flatten(ctx.return_type, val))


def _static_raise(ctx, st):
    if st.exc_class is None:
        raise UnsupportedError("a bare 'raise' (re-raise)", loc=st.loc)
    ctx.raise_exception(st.exc_class, st.exc_args or ())


def _raise(ctx, st):
    ty = ctx.typeof(st.exception)
    if isinstance(ty, types.ExceptionClass):
        return ctx.raise_exception(ty.exc_class, ())
    raise UnsupportedError(f"raising a value of type {ty} (only constant arguments are supported)",
                           loc=st.loc)


def _setitem(ctx, st):
    sig = ctx.calltypes[st]
    index = st.index if isinstance(st, nir.SetItem) else st.index_var
    key = ctx.resolve_op(operator.setitem, sig)
    vals = [ctx.get(st.target, sig.args[0]), ctx.get(index, sig.args[1])]
    with fusion.fusing(ctx, key, sig.args):      # an expression may be computed into the target
        vals.append(ctx.get(st.value, sig.args[2]))
    ctx.call_rule(key, sig, vals, what="item assignment")


def _del(ctx, st):
    pass


def _print(ctx, st):
    """``print(...)``: a helper boxes the values and calls Python's print (GIL held)."""
    if st.vararg is not None:
        raise UnsupportedError("print(*args)", loc=st.loc)
    argtypes = tuple(ctx.typeof(v) for v in st.args)
    fn = ctx.mod.print_function(argtypes)
    operands = []
    for v, t in zip(st.args, argtypes):
        if isinstance(t, types.Literal) and isinstance(t.literal_value, str):
            continue                      # printed from the constant itself
        t = dm.strip_literal(t)
        operands.extend(dm.flatten(t, ctx.get(v, t)))
    func.CallOp([], ir.FlatSymbolRefAttr.get(fn), operands)


_STMT = {
    nir.Assign: _assign, nir.Branch: _branch, nir.Jump: _jump, nir.Return: _return,
    nir.StaticRaise: _static_raise, nir.Raise: _raise, nir.Del: _del,
    nir.SetItem: _setitem, nir.StaticSetItem: _setitem, nir.Print: _print,
}


def _global(ctx, value, ty):
    if not dm.leaf_types(ty):
        return None
    return ctx.const(ty, value.value)


_VALUE = {nir.Arg: _arg, nir.Const: _const, nir.Var: _var, nir.Global: _global,
          nir.FreeVar: _global}


# -- expressions --------------------------------------------------------------------------------
def _binop(ctx, expr, ty):
    sig = ctx.calltypes[expr]
    key = ctx.resolve_op(expr.fn, sig)
    with fusion.fusing(ctx, key, sig.args):
        args = [ctx.get(expr.lhs, sig.args[0]), ctx.get(expr.rhs, sig.args[1])]
    return ctx.cast(ctx.call_rule(key, sig, args, what=_describe(expr.fn)), sig.return_type, ty)


def _unary(ctx, expr, ty):
    sig = ctx.calltypes[expr]
    key = ctx.resolve_op(expr.fn, sig)
    with fusion.fusing(ctx, key, sig.args):
        args = [ctx.get(expr.value, sig.args[0])]
    return ctx.cast(ctx.call_rule(key, sig, args, what=_describe(expr.fn)), sig.return_type, ty)


def _call(ctx, expr, ty):
    fnty = ctx.typeof(expr.func)
    sig = ctx.calltypes[expr]
    with fusion.fusing_call(ctx, fnty, sig):
        args = _call_arguments(ctx, fnty, sig, expr)
    if isinstance(fnty, types.ExceptionClass):    # the instance carries no run-time data
        return None
    if isinstance(fnty, (types.Dispatcher, types.RecursiveCall)):
        disp = (fnty.dispatcher_type if isinstance(fnty, types.RecursiveCall) else fnty).dispatcher
        if not hasattr(disp, "typed_overload"):
            raise UnsupportedError(f"calling the non-numlir dispatcher {disp.py_func.__qualname__}",
                                   sig.args, loc=ctx.loc)
        stand_in = _jitable_stand_in(disp, sig)
        out = (stand_in(ctx, sig, args) if stand_in is not None
               else ctx.call_dispatcher(disp, sig.args, sig, args))
    elif isinstance(fnty, types.BoundFunction):
        recvr = sig.recvr or fnty.this
        with fusion.fusing_call(ctx, fnty, sig):
            this = ctx.get(expr.func)
        this = this.retyped(recvr) if isinstance(this, LazyArray) else ctx.cast(this, fnty.this,
                                                                                 recvr)
        msig = sig.as_function()
        key = ctx.impl_key(fnty, sig)
        if not isinstance(key, OverloadKey) and find_rule(key, msig.args) is None:
            key, msig = _overload_method_impl(ctx, fnty, msig, key)
        out = ctx.call_rule(key, msig, [this] + args, what=f"the method {fnty.typing_key}")
    else:
        key = ctx.impl_key(fnty, sig)
        out = ctx.call_rule(key, sig, args, what=_describe(getattr(fnty, "typing_key", key)))
    return ctx.cast(out, sig.return_type, ty)


def _jitable_stand_in(disp, sig):
    """A numlir rule registered for a Numba ``register_jitable`` helper's Python function (one
    whose Python body numlir cannot compile, e.g. it formats run-time values into messages)."""
    pyfunc = disp.py_func
    if not (getattr(pyfunc, "__module__", None) or "").startswith("numba."):
        return None
    from numlir.lowering import load_library_rules
    load_library_rules()
    return find_rule(pyfunc, sig.args)


def _overload_method_impl(ctx, fnty, msig, key):
    """``@overload_method`` implementations: Numba registers the method's typing function as an
    ``@overload`` too; typing it with the receiver first yields the compiled implementation."""
    overload_func = getattr(fnty.template, "_overload_func", None)
    if overload_func is None:
        return key, msig
    tctx = ctx.tir_typing_context()
    fty = tctx.resolve_value_type(overload_func)
    fsig = tctx.resolve_function_type(fty, tuple(msig.args), {})
    if fsig is None:
        return key, msig
    return ctx.impl_key(fty, fsig), fsig


def _own_overload_key(fnty, sig):
    """numlir's implementation of an ``@overload`` at ``sig``, when Numba's per-signature key
    (one for all targets) was overwritten by Numba's CPU target typing the same call since
    numlir typed it; found in the template's per-context cache of implementations."""
    from numlir.frontend.target import numlir_target
    tctx = numlir_target.typing_context
    templates = getattr(fnty, "templates", None) or [getattr(fnty, "template", None)]
    for temp in templates:
        for cache_key, entry in list(getattr(temp, "_impl_cache", {}).items()):
            if not (isinstance(cache_key, tuple) and cache_key and cache_key[0] is tctx):
                continue
            disp = entry[0] if isinstance(entry, tuple) and entry else None
            ov = getattr(disp, "overloads", {}).get(tuple(sig.args))
            if isinstance(getattr(ov, "entry_point", None), OverloadKey):
                return ov.entry_point
    return None


class _StarArgs(tuple):
    """The variables a ``*args`` parameter collects (Numba types them as one tuple)."""


class _Default:
    def __init__(self, value):
        self.value = value


def _call_arguments(ctx, fnty, sig, expr):
    """Lowered arguments in ``sig.args`` order: keywords folded, defaults filled, *args packed."""
    argvars = list(expr.args)
    if expr.vararg is not None:        # f(*tup): the tuple's items follow the positionals
        starty = ctx.typeof(expr.vararg)
        if not isinstance(starty, types.BaseTuple):
            raise UnsupportedError(f"*args of type {starty}", loc=ctx.loc)
        items = dm.tuple_items(starty, ctx.get(expr.vararg, starty))
        argvars += [_Lowered(v, t) for v, t in zip(items, starty)]
    if sig.pysig is not None:
        # a method's Python signature may still name the receiver: fold it in, then drop it
        with_self = (isinstance(fnty, types.BoundFunction)
                     and len(sig.pysig.parameters) == len(sig.args) + 1)
        if with_self:
            argvars = [expr.func] + argvars
        argvars = fold_arguments(sig.pysig, argvars, dict(expr.kws), lambda i, p, a: a,
                                 lambda i, p, d: _Default(d), lambda i, p, vals: _StarArgs(vals))
        if with_self:
            argvars = argvars[1:]
    elif expr.kws:
        raise UnsupportedError(f"keyword arguments to {fnty}", loc=ctx.loc)
    args = []
    for i, aty in enumerate(sig.args):
        v = argvars[i] if i < len(argvars) else None
        if isinstance(v, (nir.Var, _Lowered)):
            args.append(_argument(ctx, v, aty))
        elif isinstance(v, _StarArgs):
            items = [_argument(ctx, x, et) for x, et in zip(v, aty.types)]
            args.append(dm.make_tuple(aty, items))
        elif isinstance(v, _Default) and dm.has_model(aty) and dm.leaf_types(aty):
            args.append(ctx.const(aty, v.value))
        else:
            args.append(None)
    return args


class _Lowered:
    """An item of a call's ``*args`` tuple: already lowered, with its type."""

    def __init__(self, value, ty):
        self.value, self.ty = value, ty


def _argument(ctx, v, ty):
    return ctx.cast(v.value, v.ty, ty) if isinstance(v, _Lowered) else ctx.get(v, ty)


def _getattr(ctx, expr, ty):
    valty = ctx.typeof(expr.value)
    if isinstance(ty, types.BoundFunction):
        with fusion.allow(ctx):              # the receiver travels with the bound method
            return ctx.get(expr.value)
    if isinstance(ty, types.Literal) or (not dm.has_model(ty) or not dm.leaf_types(ty)):
        if isinstance(ty, types.Literal):
            return ctx.const(ty, ty.literal_value)
        if dm.has_model(ty):
            return None
    if isinstance(valty, types.Module):      # math.pi and friends: a compile-time constant
        return ctx.const(ty, getattr(valty.pymod, expr.attr))
    rule = find_getattr(valty, expr.attr)
    if rule is None:
        raise UnsupportedError(f"the attribute '.{expr.attr}' of {valty}", loc=ctx.loc)
    return rule(ctx, valty, ctx.get(expr.value), ty)


def _getitem(ctx, expr, ty):
    sig = ctx.calltypes.get(expr)
    if expr.op == "static_getitem" and sig is None:
        valty = ctx.typeof(expr.value)
        if isinstance(valty, types.BaseTuple):
            items = dm.tuple_items(valty, ctx.get(expr.value))
            if isinstance(expr.index, slice):
                sub = valty.types[expr.index]
                return dm.make_tuple(types.Tuple(sub), items[expr.index])
            return ctx.cast(items[expr.index], valty.types[expr.index], ty)
        raise UnsupportedError(f"indexing {valty} with {expr.index!r}", loc=ctx.loc)
    index = expr.index if expr.op != "static_getitem" else expr.index_var
    args = [ctx.get(expr.value, sig.args[0]), ctx.get(index, sig.args[1])]
    key = ctx.resolve_op(operator.getitem, sig)
    return ctx.cast(ctx.call_rule(key, sig, args, what="indexing"), sig.return_type, ty)


def _build_tuple(ctx, expr, ty):
    return dm.make_tuple(ty, [ctx.get(v, et) for v, et in zip(expr.items, ty.types)])


class VirtualList:
    """A list display (``[a, b, c]``) kept at compile time: its items' lowered values. numlir has
    no run-time list yet, so a list may only be consumed where it is built (e.g. ``np.array``)."""

    def __init__(self, items, item_types):
        self.items, self.item_types = list(items), list(item_types)


def _build_list(ctx, expr, ty):
    return VirtualList([ctx.get(v) for v in expr.items], [ctx.typeof(v) for v in expr.items])


def _exhaust_iter(ctx, expr, ty):
    valty = ctx.typeof(expr.value)
    if isinstance(valty, types.BaseTuple):
        return ctx.cast(ctx.get(expr.value), valty, ty)
    raise UnsupportedError(f"unpacking a value of type {valty}", loc=ctx.loc)


def _iter_call(key, what):
    def lower_it(ctx, expr, ty):
        sig = ctx.calltypes[expr]
        args = [ctx.get(expr.value, sig.args[0])]
        return ctx.call_rule(key, sig, args, what=what)
    return lower_it


def _pair_part(first):
    def lower_part(ctx, expr, ty):
        pair = ctx.typeof(expr.value)
        leaves = dm.flatten(pair, ctx.get(expr.value))
        n = len(dm.leaf_types(pair.first_type))
        part = leaves[:n] if first else leaves[n:]
        return dm.unflatten(pair.first_type if first else pair.second_type, part)
    return lower_part


def _cast_expr(ctx, expr, ty):
    return ctx.get(expr.value, ty)


_EXPR = {
    "binop": _binop, "inplace_binop": _binop, "unary": _unary, "call": _call,
    "getattr": _getattr, "getitem": _getitem, "static_getitem": _getitem,
    "typed_getitem": _getitem, "build_tuple": _build_tuple, "build_list": _build_list,
    "exhaust_iter": _exhaust_iter,
    "getiter": _iter_call(iter, "iteration"), "iternext": _iter_call(ITERNEXT, "iteration"),
    "pair_first": _pair_part(True), "pair_second": _pair_part(False), "cast": _cast_expr,
}
