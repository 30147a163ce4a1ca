"""``prange`` loops of ``parallel=True`` functions: an outlined body run by chunks in parallel.

Found in the typed SSA IR (:func:`plan_loops`): a natural loop whose header calls ``iternext`` on
the iterator of a ``prange(...)`` call. Its body blocks are lowered into their own private function
(:class:`BodyLowerer`, ordinary ``cf`` code, so raising and buffer deallocation work as anywhere)

    body(i, live-ins..., header phis...) -> (status, header phis at the back edge...)

and the header becomes (:func:`lower_prange`): the trip count ``n`` split into
``k = clamp(min(max_chunks, n), 1)`` balanced chunks (``max_chunks``: the thread count, times
``CHUNKS_PER_THREAD`` for a body with loops or calls), an ``scf.parallel`` over the chunks whose
iteration runs its chunk serially (an ``scf.for`` calling the body, stopping at the first non-zero
status), each chunk's status and partial reductions stored in small buffers, and, after the join,
a serial combine in chunk order and the first error re-raised. ``numlir.passes.parallel``
outlines the ``scf.parallel`` and runs its chunks on numlir's pool (``numlir.runtime.pool``).

Header phis are classified: a *reduction* when every back-edge value is the phi updated by ``+=``,
``-=``, ``*=`` (also ``s = s + x`` ...) or ``min``/``max`` of it (scalars; ``+ - *`` also for
arrays, which get one private accumulator per chunk), *unchanged* when the loop never assigns it,
otherwise *private* (it must not be read before its assignment in the body nor after the loop).
"""
from __future__ import annotations

import dataclasses
import operator

import numba
import numpy as np
from mlir import ir
from mlir.dialects import arith, cf, func, memref, scf
from numba.core import ir as nir
from numba.core import types

from numlir.errors import UnsupportedError
from numlir.lowering import datamodel as dm
from numlir.lowering import fusion
from numlir.lowering.core import FunctionLowerer, _edge_operands, _internal_dispatcher

_BINOPS = {operator.iadd: "add", operator.add: "add", operator.isub: "sub", operator.sub: "sub",
           operator.imul: "mul", operator.mul: "mul"}
_COMMUTATIVE = {operator.iadd, operator.add, operator.imul, operator.mul}


@dataclasses.dataclass
class PrangeLoop:
    header: int             # the CFG loop header (its phis are the loop-carried values)
    chain: list             # header ... the block calling iternext, linked by plain jumps
    body_entry: int
    exit: int
    blocks: list            # body labels (header excluded), in reverse post-order
    iter_var: str           # the range iterator the header advances
    next_var: str           # iternext result, pair_first (the index) and pair_second of it
    index_var: str
    valid_var: str
    phis: list              # header phi statements
    kinds: list             # per phi: "add" "sub" "mul" "min" "max" | "unchanged" | "private"
    liveins: list           # names of variables defined before the loop and used in it
    loc: object
    min_chunk: int = 1      # fewest iterations worth a chunk of their own (LIGHT_BODY_CHUNK)


# A body without inner loops or calls of compiled functions ("light") costs a few nanoseconds per
# iteration, while waking a worker costs ~5-20 us: such loops get a chunk per LIGHT_BODY_CHUNK
# iterations at most, so a light loop below 2 * LIGHT_BODY_CHUNK iterations runs in the caller
# alone (no task, no wake-up). Bodies with loops or calls split down to one iteration per chunk.
LIGHT_BODY_CHUNK = 8192


# Chunks per thread of a prange loop whose body has loops or calls (iterations of uneven cost,
# such as Mandelbrot rows) when a region has more than one thread: the pool's threads claim
# chunks as they come, so uneven chunks even out and a thread that starts late or loses its CPU
# for a while holds back 1/(threads * CHUNKS_PER_THREAD) of the work, not 1/threads. A claim
# costs ~0.1 us. Light loops and array expressions (uniform work, streaming memory) keep one
# contiguous chunk per thread: interleaved chunks of a fresh output measured slower (triad into a
# new array, 2 threads: 2.1-2.3 ms against 1.65-1.87 ms), each thread faulting in pages between
# the other's.
CHUNKS_PER_THREAD = 4


def max_chunks(ty, per_thread=1):
    """The chunks a region is split into at most, read at run time as a ``ty`` value:
    ``per_thread`` per thread ``set_num_threads`` asked for, one for a single thread."""
    from mlir.dialects import llvm  # ~13 ms to import: only where used

    from numlir.runtime.threads import num_threads_address
    i64 = ir.IntegerType.get_signless(64)
    ptr = llvm.IntToPtrOp(llvm.PointerType.get(), arith.constant(i64, num_threads_address()))
    nt = llvm.LoadOp(i64, ptr.result).result
    if per_thread > 1:
        one = arith.constant(i64, 1)
        many = arith.muli(nt, arith.constant(i64, per_thread))
        nt = arith.select(arith.cmpi(arith.CmpIPredicate.sgt, nt, one), many, one)
    return nt if ty == i64 else arith.index_cast(ty, nt)


def chunk_plan(n, work, min_work=None):
    """Split ``range(n)`` (an ``index`` value; ``work`` elements in all) into
    ``k = max(1, min(threads, n, work // min_work))`` balanced chunks (``min_work`` defaults to
    ``LIGHT_BODY_CHUNK``: an elementwise body is light): returns ``(k, q, r)``, chunk ``c``
    being ``chunk_range(c, q, r)``."""
    idx = ir.IndexType.get()
    k = arith.minsi(max_chunks(idx), n)
    min_work = LIGHT_BODY_CHUNK if min_work is None else min_work
    if min_work > 1:
        k = arith.minsi(k, arith.divsi(work, arith.constant(idx, min_work)))
    k = arith.maxsi(k, arith.constant(idx, 1))
    return k, arith.divsi(n, k), arith.remsi(n, k)


def grid_plan(n0, n1, work, min_work=None):
    """Chunks of a 2-d iteration space ``n0 x n1`` (``index`` values): ``kw = max(1,
    min(threads, work // min_work))`` wanted; ``k0 = kw`` row chunks when there are at least
    that many rows, else one chunk per row, each split into ``k1 = min(kw // n0, n1)`` column
    blocks. Returns ``((k0, q0, r0), (k1, q1, r1))``; chunk ``c`` is row chunk ``c / k1`` and
    column block ``c % k1``, so chunk order is C order (a row split only when its chunk is one
    row)."""
    idx = ir.IndexType.get()
    one = arith.constant(idx, 1)
    kw = max_chunks(idx)
    min_work = LIGHT_BODY_CHUNK if min_work is None else min_work
    if min_work > 1:
        kw = arith.minsi(kw, arith.divsi(work, arith.constant(idx, min_work)))
    kw = arith.maxsi(kw, one)
    rows = arith.maxsi(n0, one)
    enough = arith.cmpi(arith.CmpIPredicate.sge, n0, kw)
    k0 = arith.select(enough, kw, rows)
    k1 = arith.minsi(arith.maxsi(arith.divsi(kw, rows), one), arith.maxsi(n1, one))
    k1 = arith.select(enough, one, k1)
    return ((k0, arith.divsi(n0, k0), arith.remsi(n0, k0)),
            (k1, arith.divsi(n1, k1), arith.remsi(n1, k1)))


def first_status(earlier, status):
    """Folding chunk statuses in chunk order: the first non-zero one wins."""
    failed = arith.cmpi(arith.CmpIPredicate.ne, earlier, arith.constant(earlier.type, 0))
    return arith.select(failed, earlier, status)


def chunk_range(c, q, r):
    """``(start, size)`` of chunk ``c`` of a :func:`chunk_plan` (the first ``r`` get one more)."""
    idx = ir.IndexType.get()
    lo = arith.addi(arith.muli(c, q), arith.minsi(c, r))
    extra = arith.index_castui(idx, arith.cmpi(arith.CmpIPredicate.slt, c, r))
    return lo, arith.addi(q, extra)


# -- finding the loops ----------------------------------------------------------------------------
def plan_loops(ctx, order):
    """The prange loops of ``ctx``'s function: ``(order without their bodies, {header: hook})``."""
    blocks = ctx.tir.func_ir.blocks
    defs = {}
    for label, block in blocks.items():
        for st in block.body:
            if isinstance(st, nir.Assign):
                defs[st.target.name] = (label, st.value)
    headers = {}
    for label in order:
        for st in blocks[label].body:
            if (isinstance(st, nir.Assign) and isinstance(st.value, nir.Expr)
                    and st.value.op == "iternext" and _is_prange_iter(ctx, defs, st.value.value)):
                headers[label] = st
    if not headers:
        return order, {}
    from numba.core.analysis import compute_cfg_from_blocks
    loops = compute_cfg_from_blocks(blocks).loops()
    hooks, inner = {}, set()
    for label in order:
        if label in headers and label not in inner:
            cfg_loop, chain = _enclosing_loop(blocks, loops, label)
            loop = _describe_loop(ctx, blocks, defs, cfg_loop, chain, headers[label], order)
            inner.update(loop.blocks)
            inner.update(chain[1:])
            hooks[chain[0]] = lambda c, lab, lp=loop: lower_prange(c, lp)
    return [lab for lab in order if lab not in inner], hooks


def _enclosing_loop(blocks, loops, label):
    """The CFG loop whose header reaches ``label`` (the iternext block) by plain jumps, and that
    chain of blocks; ``(None, [label])`` when there is none."""
    for loop in loops.values():
        if label not in loop.body:
            continue
        chain, lab = [loop.header], loop.header
        while lab != label and isinstance(blocks[lab].terminator, nir.Jump):
            lab = blocks[lab].terminator.target
            if lab in chain or lab not in loop.body:
                break
            chain.append(lab)
        if chain[-1] == label:
            return loop, chain
    return None, [label]


def _is_prange_iter(ctx, defs, var):
    seen = set()
    while isinstance(var, nir.Var) and var.name not in seen:
        seen.add(var.name)
        _, value = defs.get(var.name, (None, None))
        if isinstance(value, nir.Var):
            var = value
        elif isinstance(value, nir.Expr) and value.op == "getiter":
            var = value.value
        elif isinstance(value, nir.Expr) and value.op == "call":
            fnty = ctx.typemap.get(value.func.name)
            return getattr(fnty, "typing_key", None) is numba.prange
        else:
            return False
    return False


def _unsupported(what, loc, detail=None):
    return UnsupportedError(what, loc=loc, detail=detail)


def _describe_loop(ctx, blocks, defs, cfg_loop, chain, next_st, order):
    loc = next_st.loc
    term = blocks[chain[-1]].terminator
    if cfg_loop is None or not isinstance(term, nir.Branch):
        raise _unsupported("this prange loop shape", loc)
    for lab in chain[1:]:
        if any(isinstance(st, nir.Assign) and isinstance(st.value, nir.Expr)
               and st.value.op == "phi" for st in blocks[lab].body):
            raise _unsupported("this prange loop shape", loc)
    body = set(cfg_loop.body) - set(chain)
    # blocks that leave the loop only by raising belong to the body (the status flows out)
    body |= {lab for lab in cfg_loop.exits
             if isinstance(blocks[lab].terminator, (nir.Raise, nir.StaticRaise))}
    if term.truebr not in body or term.falsebr in body:
        raise _unsupported("this prange loop shape", loc)
    if set(cfg_loop.exits) - body != {term.falsebr}:
        raise _unsupported("'break' or 'return' inside a prange loop", loc,
                           "a prange loop runs every iteration; leave it only at its end")
    for lab in body:
        if isinstance(blocks[lab].terminator, nir.Return):
            raise _unsupported("'return' inside a prange loop", blocks[lab].terminator.loc)
    next_name = next_st.target.name
    index_var = valid_var = None
    phis = []
    for st in [st for lab in chain for st in blocks[lab].body]:
        if isinstance(st, nir.Assign) and isinstance(st.value, nir.Expr):
            if st.value.op == "phi":
                phis.append(st)
            elif st.value.op == "pair_first" and st.value.value.name == next_name:
                index_var = st.target.name
            elif st.value.op == "pair_second" and st.value.value.name == next_name:
                valid_var = st.target.name
    loop_labels = body | set(chain)
    defined, used = set(), set()
    for lab in loop_labels:
        for st in blocks[lab].body:
            if isinstance(st, nir.Assign):
                defined.add(st.target.name)
                if lab == cfg_loop.header and isinstance(st.value, nir.Expr) \
                        and st.value.op == "phi":
                    continue
            used.update(v.name for v in st.list_vars())
    used.discard(next_st.value.value.name)
    liveins = sorted(used - defined)
    outside_uses = {}
    for lab, block in blocks.items():
        if lab in loop_labels:
            continue
        for st in block.body:
            for v in st.list_vars():
                outside_uses.setdefault(v.name, st.loc)
    phi_names = {st.target.name for st in phis}
    for name in sorted(defined - phi_names):
        if name in outside_uses:
            raise _unsupported(f"using '{_pretty(name)}' after the prange loop that assigns it",
                               outside_uses[name],
                               "only reductions (+=, -=, *=, min, max) flow out of a prange loop")
    kinds = [_classify(ctx, defs, st, body, used, outside_uses) for st in phis]
    rpo = [lab for lab in order if lab in body]
    heavy = any(lab in body for lab in _loop_headers(blocks)) or any(
        isinstance(st, nir.Assign) and isinstance(st.value, nir.Expr) and st.value.op == "call"
        and isinstance(ctx.typemap.get(st.value.func.name), (types.Dispatcher, types.RecursiveCall))
        for lab in body for st in blocks[lab].body)
    return PrangeLoop(cfg_loop.header, chain, term.truebr, term.falsebr, rpo,
                      next_st.value.value.name, next_name, index_var, valid_var, phis, kinds,
                      liveins, loc, 1 if heavy else LIGHT_BODY_CHUNK)


def _loop_headers(blocks):
    from numba.core.analysis import compute_cfg_from_blocks
    return set(compute_cfg_from_blocks(blocks).loops())


def _pretty(name):
    return name.split(".")[0].lstrip("$") or name


def _classify(ctx, defs, phi_st, body, used_in_loop, outside_uses):
    name = phi_st.target.name
    back = [v for v, b in zip(phi_st.value.incoming_values, phi_st.value.incoming_blocks)
            if b in body]
    try:
        ops = set()
        for v in back:
            ops |= _trace(ctx, defs, name, v.name, body, set())
    except _NotReduction:
        ops = None
    ty = ctx.typeof(name)
    if ops is not None and len(ops) <= 1:
        if not ops:
            return "unchanged"
        op = ops.pop()
        scalar = isinstance(ty, (types.Integer, types.Float, types.Complex)) \
            and not isinstance(ty, types.Boolean)
        if scalar and not (op in ("min", "max") and isinstance(ty, types.Complex)):
            return op
        if isinstance(ty, types.Array) and op in ("add", "sub", "mul"):
            return op
        raise _unsupported(f"the reduction '{_pretty(name)}' ({op}) of type {ty} in a prange loop",
                           phi_st.loc)
    if name in used_in_loop or name in outside_uses:
        raise _unsupported(f"the variable '{_pretty(name)}' carried between iterations of a "
                           f"prange loop", phi_st.loc,
                           "only reductions (+=, -=, *=, min, max) may carry a value between "
                           "iterations")
    return "private"


class _NotReduction(Exception):
    pass


def _trace(ctx, defs, phi, name, body, seen):
    """Reduction operators on the way from the header phi ``phi`` to the value ``name``."""
    if name == phi:
        return set()
    if name in seen:
        return set()
    seen.add(name)
    label, value = defs.get(name, (None, None))
    if label not in body:
        raise _NotReduction
    if isinstance(value, nir.Var):
        return _trace(ctx, defs, phi, value.name, body, seen)
    if not isinstance(value, nir.Expr):
        raise _NotReduction
    if value.op == "phi":
        ops = set()
        for v in value.incoming_values:
            ops |= _trace(ctx, defs, phi, v.name, body, seen)
        return ops
    if value.op in ("binop", "inplace_binop") and value.fn in _BINOPS:
        op = _BINOPS[value.fn]
        try:
            return {op} | _trace(ctx, defs, phi, value.lhs.name, body, seen)
        except _NotReduction:
            if value.fn not in _COMMUTATIVE:
                raise
            return {op} | _trace(ctx, defs, phi, value.rhs.name, body, seen)
    if value.op == "call" and len(value.args) == 2 and not value.kws:
        key = getattr(ctx.typemap.get(value.func.name), "typing_key", None)
        if key in (min, max):
            for a in value.args:
                try:
                    return {key.__name__} | _trace(ctx, defs, phi, a.name, body, seen)
                except _NotReduction:
                    continue
    raise _NotReduction


# -- the body function ----------------------------------------------------------------------------
class BodyLowerer(FunctionLowerer):
    """Lowers the body blocks of one prange loop into ``body(i, live-ins, phis) -> (status,
    phis at the back edge)``. Jumps back to the header return; prange loops inside run serially."""

    parallel = False

    def __init__(self, parent, loop, name):
        self.mod, self.tir, self.name = parent.mod, parent.tir, name
        self.typemap, self.calltypes = self.tir.typemap, self.tir.calltypes
        self.return_type = parent.return_type
        self.loc = loop.loc
        self.loop = loop
        self.i32 = ir.IntegerType.get_signless(32)
        self.index_type = self.typeof(loop.index_var)
        self.phi_types = [self.typeof(st.target) for st in loop.phis]
        self.livein_types = [self.typeof(n) for n in loop.liveins]
        arg_leaves = self._leaves(self.index_type, "prange index")
        for n, t in zip(loop.liveins, self.livein_types):
            arg_leaves += self._leaves(t, f"variable '{_pretty(n)}' used in a prange loop")
        for t in self.phi_types:
            arg_leaves += self._leaves(t, "prange loop variable")
        self.ret_leaves = [lt for t in self.phi_types for lt in dm.leaf_types(t)]
        ftype = ir.FunctionType.get(arg_leaves, [self.i32] + self.ret_leaves)
        with ir.InsertionPoint(self.mod.module.body), ir.Location.unknown():
            self.func_op = func.FuncOp(name, ftype, visibility="private")
        self.entry = self.func_op.add_entry_block()
        self.can_fail = False

    def return_status(self, status):
        self.can_fail = True
        super().return_status(status)

    def lower_body(self):
        loop = self.loop
        blocks = self.tir.func_ir.blocks
        self.phis = {lab: [st for st in blocks[lab].body
                           if isinstance(st, nir.Assign) and isinstance(st.value, nir.Expr)
                           and st.value.op == "phi"] for lab in loop.blocks}
        self.phis[loop.header] = list(loop.phis)
        self.blocks = {}
        for lab in loop.blocks:
            tys = [t for st in self.phis[lab] for t in self._leaves(self.typeof(st.target), "phi")]
            self.blocks[lab] = self.func_op.body.blocks.append(*tys)
        latch = self.func_op.body.blocks.append(*self.ret_leaves)
        self.blocks[loop.header] = latch
        with ir.InsertionPoint(latch), self._location(loop.loc):
            func.ReturnOp([arith.constant(self.i32, 0)] + list(latch.arguments))
        self.env, self.uses = {}, fusion.use_sites(blocks)
        self.pending, self.lazy_ok, self.shared_lazies = set(), False, {}
        self.status_sink, self._sink_used = None, False
        self.arg_values = []
        args = list(self.entry.arguments)
        pos = 0
        for name, ty in [(loop.index_var, self.index_type)] + list(zip(loop.liveins,
                                                                        self.livein_types)):
            n = len(dm.leaf_types(ty))
            self.env[name] = dm.unflatten(ty, args[pos:pos + n])
            pos += n
        for st, ty in zip(loop.phis, self.phi_types):
            n = len(dm.leaf_types(ty))
            self.env[st.target.name] = dm.unflatten(ty, args[pos:pos + n])
            pos += n
        # the header's own statements after iternext (copies of the index) run in the entry
        self.current_label = loop.chain[-1]
        self.ip = ir.InsertionPoint(self.entry)
        skip = {loop.next_var, loop.index_var, loop.valid_var}
        for st in [st for lab in loop.chain for st in blocks[lab].body]:
            if isinstance(st, nir.Jump) or isinstance(st, nir.Assign) and (
                    st.target.name in skip or (isinstance(st.value, nir.Expr)
                                               and st.value.op == "phi")):
                continue
            if isinstance(st, nir.Branch):
                with self._location(st.loc), self.ip:
                    cf.br(_edge_operands(self, loop.body_entry), self.blocks[loop.body_entry])
                continue
            self._lower_in_place(st)
        for lab in loop.blocks:
            self.current_label = lab
            block = self.blocks[lab]
            pos = 0
            for st in self.phis[lab]:
                ty = self.typeof(st.target)
                n = len(dm.leaf_types(ty))
                self.env[st.target.name] = dm.unflatten(ty, block.arguments[pos:pos + n])
                pos += n
            self.ip = ir.InsertionPoint(block)
            for pos, st in enumerate(blocks[lab].body):
                self._lower_in_place(st)
                self.retire_shared(pos)
            self.pending.clear()
            self.shared_lazies.clear()
        self._reassociate_reductions()

    def _reassociate_reductions(self):
        """Give the float ``+= -= *=`` updates of reduction variables ``reassoc``, so LLVM
        vectorizes each chunk's running sum with several partial sums (a strict chain adds one
        element per FP-add latency). A prange reduction's order is already unspecified (chunks
        are combined at their boundaries); floats stay within the stated relative tolerance."""
        reassoc = ir.Attribute.parse("#arith.fastmath<reassoc>")
        pos = 1 + sum(len(dm.leaf_types(t)) for t in self.livein_types)
        for kind, ty in zip(self.loop.kinds, self.phi_types):
            leaves = dm.leaf_types(ty)
            if kind in _REASSOCIABLE and len(leaves) == 1 and isinstance(ty, types.Float):
                _mark_chain(self.entry.arguments[pos], _REASSOCIABLE[kind], reassoc)
            pos += len(leaves)

    def _lower_in_place(self, st):
        self.loc = st.loc
        with self._location(st.loc):
            self.ip.__enter__()
            try:
                if self.pending and fusion.may_write(self, st):
                    self.flush_lazies(keep={v.name for v in st.list_vars()})
                self.lower_stmt(st)
            finally:
                self.ip.__exit__(None, None, None)


_REASSOCIABLE = {"add": ("arith.addf", "arith.subf"), "sub": ("arith.addf", "arith.subf"),
                 "mul": ("arith.mulf",)}


def _mark_chain(value, names, attr):
    """Set ``fastmath = attr`` on the ``names`` ops that update ``value`` in a chain (its own
    uses, then theirs); a subtraction only when the running value is what is subtracted from."""
    for use in list(value.uses):
        op = use.owner
        if op.name in names and (op.name != "arith.subf" or use.operand_number == 0) \
                and str(op.attributes["fastmath"]) == "#arith.fastmath<none>":
            op.attributes["fastmath"] = attr
            _mark_chain(op.results[0], names, attr)


# -- the parallel region --------------------------------------------------------------------------
def _array_privates_add(acc, k):
    return np.zeros((k, acc.size), acc.dtype)


def _array_privates_mul(acc, k):
    return np.ones((k, acc.size), acc.dtype)


def _array_private_row(privs, c, acc):
    return privs[c].reshape(acc.shape)


def _array_combine_add(acc, privs):
    for c in range(privs.shape[0]):
        acc += privs[c].reshape(acc.shape)
    return acc


def _array_combine_mul(acc, privs):
    for c in range(privs.shape[0]):
        acc *= privs[c].reshape(acc.shape)
    return acc


def lower_prange(ctx, loop):
    """Emit the parallel region at the header of ``loop`` (``ctx.ip`` is in the header block,
    whose phis hold the values on entry) and branch to the loop's exit."""
    name = ctx.mod.unique_name(f"{ctx.name}_prange")
    body = BodyLowerer(ctx, loop, name)
    ctx.mod.parallel_depth = getattr(ctx.mod, "parallel_depth", 0) + 1
    try:
        body.lower_body()
    finally:
        ctx.mod.parallel_depth -= 1
    ctx.mod.has_parallel = True
    ity = body.index_type
    i64 = ir.IntegerType.get_signless(64)
    idx = ir.IndexType.get()
    cursor, stop, step = ctx.env[loop.iter_var]
    start = memref.load(cursor, [])
    ilt = start.type
    if ilt != i64:
        raise _unsupported(f"a prange over {ity}", loop.loc)
    zero, one = arith.constant(i64, 0), arith.constant(i64, 1)
    up = arith.cmpi(arith.CmpIPredicate.sgt, step, zero)
    adj = arith.select(up, arith.subi(step, one), arith.addi(step, one))
    n = arith.divsi(arith.addi(arith.subi(stop, start), adj), step)
    n = arith.maxsi(n, zero)
    nt = max_chunks(i64, CHUNKS_PER_THREAD if loop.min_chunk == 1 else 1)
    per = arith.divsi(n, arith.constant(i64, loop.min_chunk)) if loop.min_chunk > 1 else n
    k = arith.maxsi(arith.minsi(nt, per), one)
    q, r = arith.divsi(n, k), arith.remsi(n, k)
    k_idx = arith.index_cast(idx, k)

    init = {st.target.name: ctx.env[st.target.name] for st in loop.phis}
    reds = [(st, kind, ctx.typeof(st.target)) for st, kind in zip(loop.phis, loop.kinds)
            if kind not in ("unchanged", "private")]
    scalar_reds = [(st, kind, ty) for st, kind, ty in reds if not isinstance(ty, types.Array)]
    array_reds = [(st, kind, ty) for st, kind, ty in reds if isinstance(ty, types.Array)]
    partials = {st.target.name: memref.alloc(_vector(dm.scalar_type(ty)), [k_idx], [])
                for st, _, ty in scalar_reds}
    privs = {}
    for st, kind, ty in array_reds:
        helper = _array_privates_mul if kind == "mul" else _array_privates_add
        pty = _helper_type(ctx, helper, (ty, types.int64))
        privs[st.target.name] = (ctx.call_python(helper, numba.core.typing.signature(
            pty, ty, types.int64), [init[st.target.name], k]), pty)
    status = memref.alloc(_vector(ctx.i32), [k_idx], []) if body.can_fail else None

    live = []             # live-ins, computed here (a lazy array once, not per chunk)
    for nm, ty in zip(loop.liveins, body.livein_types):
        if nm not in ctx.env:
            _missing(nm, loop)
        live += dm.flatten(ty, ctx.get(nir.Var(None, nm, loop.loc), ty))
    c0, c1 = arith.constant(idx, 0), arith.constant(idx, 1)
    par = scf.ParallelOp([], [c0], [k_idx], [c1], [])
    chunk_block = par.region.blocks.append(idx)
    with ir.InsertionPoint(chunk_block):
        ci = arith.index_cast(i64, chunk_block.arguments[0])
        lo = arith.addi(arith.muli(ci, q), arith.minsi(ci, r))
        extra = arith.extui(i64, arith.cmpi(arith.CmpIPredicate.slt, ci, r))
        hi = arith.addi(arith.addi(lo, q), extra)
        # the chunk index arrives as an argument of the outlined body: without this LLVM cannot
        # tell that the trip index is never negative, keeps a[i]'s wrap-around select and
        # gathers instead of vector loads (a parallel triad ran 3x slower than the serial one)
        lo = arith.maxsi(lo, arith.constant(i64, 0))
        carried = []         # leaves of the phis the body gets and returns, per phi
        for st, kind in zip(loop.phis, loop.kinds):
            ty = ctx.typeof(st.target)
            if kind in ("unchanged", "private"):
                carried.append(dm.flatten(ty, init[st.target.name]))
            elif isinstance(ty, types.Array):
                pv, pty = privs[st.target.name]
                carried.append(dm.flatten(ty, _raw_call(ctx, _array_private_row, (pty, types.int64,
                                                                                  ty),
                                                        [pv, ci, init[st.target.name]], ty)))
            else:
                carried.append([ctx.const(ty, _identity(kind, ty))])
        counts = [len(c) for c in carried]
        flat = [v for c in carried for v in c]
        fail_st = [arith.constant(ctx.i32, 0)] if body.can_fail else []
        loop_op = scf.ForOp(lo, hi, one, fail_st + flat)
        with ir.InsertionPoint(loop_op.body):
            j = loop_op.induction_variable
            i = arith.addi(start, arith.muli(j, step))
            its = list(loop_op.inner_iter_args)
            if body.can_fail:
                ok = arith.cmpi(arith.CmpIPredicate.eq, its[0], arith.constant(ctx.i32, 0))
                branch = scf.IfOp(ok, [v.type for v in its], has_else=True)
                with ir.InsertionPoint(branch.then_block):
                    call = func.CallOp(body.func_op, [i] + live + its[1:])
                    scf.YieldOp(list(call.results))
                with ir.InsertionPoint(branch.else_block):
                    scf.YieldOp(its)
                scf.YieldOp(list(branch.results))
            else:
                call = func.CallOp(body.func_op, [i] + live + its)
                scf.YieldOp(list(call.results)[1:])
        results = list(loop_op.results)
        if body.can_fail:
            memref.store(results[0], status, [chunk_block.arguments[0]])
            results = results[1:]
        pos = 0
        for (st, _kind), cnt in zip(zip(loop.phis, loop.kinds), counts):
            if st.target.name in partials:
                memref.store(results[pos], partials[st.target.name], [chunk_block.arguments[0]])
            pos += cnt
        scf.ReduceOp([], 0)

    # the join is done: combine partial results in chunk order, re-raise the first error
    final = dict(init)
    if scalar_reds or status is not None:
        inits = [init[st.target.name] for st, _, _ in scalar_reds]
        first = [arith.constant(ctx.i32, 0)] if status is not None else []
        comb = scf.ForOp(c0, k_idx, c1, first + inits)
        with ir.InsertionPoint(comb.body):
            c = comb.induction_variable
            its = list(comb.inner_iter_args)
            out = []
            if status is not None:
                out.append(first_status(its[0], memref.load(status, [c])))
                its = its[1:]
            for (st, kind, ty), acc in zip(scalar_reds, its):
                out.append(_combine(kind, ty, acc, memref.load(partials[st.target.name], [c])))
            scf.YieldOp(out)
        res = list(comb.results)
        if status is not None:
            ctx.propagate_status(res[0])
            res = res[1:]
        for (st, _, _), v in zip(scalar_reds, res):
            final[st.target.name] = v
    for st, kind, ty in array_reds:
        helper = _array_combine_mul if kind == "mul" else _array_combine_add
        pv, pty = privs[st.target.name]
        final[st.target.name] = ctx.call_python(
            helper, numba.core.typing.signature(ty, ty, pty), [init[st.target.name], pv])
    for nm, v in final.items():
        ctx.env[nm] = v
    ctx.current_label = loop.chain[-1]
    cf.br(_edge_operands(ctx, loop.exit), ctx.blocks[loop.exit])


def _vector(element_type):
    return ir.MemRefType.get([ir.ShapedType.get_dynamic_size()], element_type)


def _missing(name, loop):
    raise _unsupported(f"the variable '{_pretty(name)}' in a prange loop (it may be undefined)",
                       loop.loc)


def _helper_type(ctx, helper, argtypes):
    disp = _internal_dispatcher(helper)
    return disp.typed_overload(argtypes).signature.return_type


def _raw_call(ctx, helper, argtypes, args, want):
    """Call a compiled helper inside a region where branches are not allowed (its status is
    ignored: the helpers used here cannot fail)."""
    fn, ret = ctx.mod.function_for(_internal_dispatcher(helper), argtypes)
    operands = []
    for aty, v in zip(argtypes, args):
        operands.extend(dm.flatten(aty, v))
    call = func.CallOp(fn, operands)
    return ctx.cast(dm.unflatten(ret, list(call.results)[1:]), ret, want)


def _identity(kind, ty):
    if kind in ("add", "sub"):
        return 0
    if kind == "mul":
        return 1
    if isinstance(ty, types.Float):
        return float("inf") if kind == "min" else float("-inf")
    info = np.iinfo(np.dtype(str(ty)))
    return info.max if kind == "min" else info.min


def _combine(kind, ty, a, b):
    from mlir.dialects import complex as cplx
    if isinstance(ty, types.Complex):
        return (cplx.mul if kind == "mul" else cplx.add)(a, b)
    is_float = isinstance(ty, types.Float)
    if kind in ("add", "sub"):
        return arith.addf(a, b) if is_float else arith.addi(a, b)
    if kind == "mul":
        return arith.mulf(a, b) if is_float else arith.muli(a, b)
    # Python's min/max keep the first argument unless the second is strictly better
    if is_float:
        pred = arith.CmpFPredicate.OLT if kind == "min" else arith.CmpFPredicate.OGT
        better = arith.cmpf(pred, b, a)
    else:
        signed = ty.signed
        pred = {("min", True): arith.CmpIPredicate.slt, ("min", False): arith.CmpIPredicate.ult,
                ("max", True): arith.CmpIPredicate.sgt, ("max", False): arith.CmpIPredicate.ugt}
        better = arith.cmpi(pred[(kind, signed)], b, a)
    return arith.select(better, b, a)
