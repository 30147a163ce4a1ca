"""Array expressions kept symbolic until needed, then emitted as one ``linalg.generic`` on tensors.

An elementwise operator or ufunc on arrays does not compute anything when lowered: it returns a
:class:`LazyArray` holding the broadcast shape (computed and checked at once), the expression's
leaves (argument arrays and scalars) and the scalar function of their elements. An elementwise
consumer of a lazy array composes its function with its own, so a chain of operators, also across
statements (``t = a * b; u = t + c; np.sqrt(u)``), becomes one loop with no intermediate buffer;
a reduction (``np.sum(a * b)``) folds the expression into its accumulation.

The walker (:mod:`numlir.lowering.core`) decides when a lazy array must be computed: when a rule
that is not fusible needs it, when its variable has other uses than one later statement of the same
block, and before any statement that may write to an array (so the leaves are read before they
change). Computing it emits ``bufferization.to_tensor`` of the leaves (viewed with stride 0
along broadcast dimensions), one ``linalg.generic`` into a ``tensor.empty`` and
``bufferization.to_buffer`` of the result; the ``bufferize`` stage of the pipeline turns these
into one allocation and a loop nest (``one-shot-bufferize``, ``convert-linalg-to-loops``).
"""
from __future__ import annotations

from mlir import ir

# the generated ops only: importing mlir.dialects.linalg builds its opdsl library (~50 ms)
from mlir.dialects import _linalg_ops_gen as linalg
from mlir.dialects import arith, bufferization, tensor
from numba.core import types

from numlir.lowering import array_views as av
from numlir.lowering import datamodel as dm

Arr = types.Array


class LazyArray:
    """An elementwise array expression of Numba type ``ty`` over ``sizes`` (index values).

    ``leaves`` are (Numba type, value) pairs: arrays (memrefs, at most ``len(sizes)``-d, shapes
    broadcast-compatible with ``sizes``) and scalars; ``fn(values)`` builds the element of the
    result from the leaves' elements (scalars are passed through) at the current insertion point.
    """

    __slots__ = ("fn", "leaves", "sizes", "ty")

    def __init__(self, ty, sizes, leaves, fn):
        self.ty, self.sizes, self.leaves, self.fn = ty, list(sizes), list(leaves), fn

    def retyped(self, ty):
        if ty == self.ty or not isinstance(ty, Arr):
            return self
        return LazyArray(ty, self.sizes, self.leaves, self.fn)


def build(ctx, resty, operands, sizes, scalar_fn):
    """A lazy ``resty`` array: ``scalar_fn(elements of operands)`` over ``sizes`` (the broadcast
    shape, already checked). ``operands`` are (Numba type, value) with lazy arrays, arrays and
    scalars mixed; lazy operands are inlined. A leaf reached twice (``t * t``, or an expression
    shared by several statements) is one leaf, so that its element is read once."""
    leaves, where, parts = [], {}, []

    def leaf(t, v):
        key = (id(v), t)
        if key not in where:
            where[key] = len(leaves)
            leaves.append((t, v))
        return where[key]

    for t, v in operands:
        if isinstance(v, LazyArray):
            parts.append((v, [leaf(lt, lv) for lt, lv in v.leaves]))
        else:
            parts.append((None, [leaf(t, v)]))

    def fn(vals):
        inner = [vals[ix[0]] if lazy is None else _element(lazy, [vals[i] for i in ix])
                 for lazy, ix in parts]
        return scalar_fn(inner)
    return LazyArray(resty, sizes, leaves, fn)


# (lazy array, block, element values) -> its element, while one loop body is being emitted: an
# expression shared by several statements is emitted once per body, not once per use
_body_memo = []


def _element(lazy, vals):
    if not _body_memo:
        return lazy.fn(vals)
    try:
        key = (id(lazy), ir.InsertionPoint.current.block, tuple(vals))
        hash(key)
    except (TypeError, ValueError):
        return lazy.fn(vals)
    memo = _body_memo[-1]
    if key not in memo:
        memo[key] = (lazy, lazy.fn(vals))      # the lazy array kept alive: its id stays unique
    return memo[key][1]


def elem_type(ty):
    """The element type of an array type; a scalar type itself (Numba types operators on 0-d
    arrays as scalars)."""
    return ty.dtype if isinstance(ty, Arr) else ty


def shape_of(value):
    """Sizes (index values) of an array value, lazy or not."""
    if isinstance(value, LazyArray):
        return value.sizes
    return av.metadata(value).sizes


def as_leaf(ty, value):
    """A lazy array standing for ``value`` itself (so that rules handle both kinds alike)."""
    if isinstance(value, LazyArray):
        return value
    return LazyArray(ty, shape_of(value), [(ty, value)], lambda vals: vals[0])


# -- emission --------------------------------------------------------------------------------------
def _stretched(ty, value, sizes):
    """``value`` (rank m <= len(sizes)) with the sizes of the trailing m dimensions of ``sizes``
    and stride 0 where it has size 1 (NumPy broadcasting; compatibility was checked already)."""
    meta = av.metadata(value)
    n, m = len(sizes), ty.ndim
    one = av.cindex(1)
    # stride * (size != 1) rather than a select: LLVM unswitches loops on selects of invariant
    # conditions, one loop copy per combination (slow to compile, no faster to run)
    strides = [arith.muli(meta.strides[k],
                          arith.index_castui(ir.IndexType.get(),
                                             arith.cmpi(av.P.ne, meta.sizes[k], one)))
               for k in range(m)]
    return av.view(types.Array(ty.dtype, m, "A"), meta.base, meta.offset, sizes[n - m:], strides)


def _iterator(kind):
    return ir.Attribute.parse(f"#linalg.iterator_type<{kind}>")


def _to_tensor(memref_value, elem):
    mt = ir.MemRefType(memref_value.type)
    tt = ir.RankedTensorType.get(list(mt.shape), elem)
    return bufferization.to_tensor(tt, memref_value, restrict=True)


def _generic(ctx, lazy, out_tensor, out_map, iterators, perm, combine, buffers=False,
             chunks=None):
    """One linalg.generic over ``lazy``'s domain (dimension order ``perm``: domain dim j is the
    array dimension perm[j]) writing ``out_tensor`` through ``out_map``; ``combine(element, out)``
    gives the value yielded for each point. With ``buffers`` the operands are the memrefs
    themselves and ``out_tensor`` a memref written in place (no result). With ``chunks``
    (:class:`_Chunks`, buffers only) the generic runs once per chunk of the outer loops, in an
    ``scf.parallel`` (:func:`_chunked`).

    Broadcasting a size-1 dimension needs stride 0, which costs contiguous operands their static
    unit stride (and LLVM's vectorizer its unit-stride loads); so when some operand is C or F
    contiguous, the generic comes twice: with the operands as they are when no operand is
    stretched at run time, with stride-0 views otherwise."""
    with ctx.deferred_errors():    # no branches inside the generic's body
        if chunks is None:
            return _generic_versions(ctx, lazy, out_tensor, out_map, iterators, perm, combine,
                                     buffers, None)
        _chunked(ctx, chunks, out_tensor, out_map,
                 lambda bounds, dest: _generic_versions(ctx, lazy, dest, out_map, iterators,
                                                        perm, combine, True, bounds))
        return None


def unstretched(lazy, arrays):
    """i1: none of ``arrays`` (array leaves of ``lazy``) is broadcast along a dimension at run
    time (each has the sizes of ``lazy``'s trailing dimensions); None if ``arrays`` has no
    dimension to compare."""
    ok = None
    for t, v in arrays:
        for k, size in enumerate(av.metadata(v).sizes):
            same = arith.cmpi(av.P.eq, size, lazy.sizes[len(lazy.sizes) - t.ndim + k])
            ok = same if ok is None else arith.andi(ok, same)
    return ok


def _generic_versions(ctx, lazy, out_tensor, out_map, iterators, perm, combine, buffers,
                      bounds):
    args = (ctx, lazy, out_tensor, out_map, iterators, perm, combine, buffers, bounds)
    plain_ok = unstretched(lazy, [(t, v) for t, v in lazy.leaves
                                  if isinstance(t, Arr) and t.layout in "CF" and t.ndim])
    if plain_ok is None:
        return _generic_once(*args, plain=False, versioned=False)
    from mlir.dialects import scf
    if_op = scf.IfOp(plain_ok, [] if buffers else [out_tensor.type], has_else=True)
    for block, plain in ((if_op.then_block, True), (if_op.else_block, False)):
        with ir.InsertionPoint(block):
            result = _generic_once(*args, plain=plain, versioned=True)
            scf.YieldOp([] if buffers else [result])
    return None if buffers else if_op.results[0]


def _generic_once(ctx, lazy, out_tensor, out_map, iterators, perm, combine, buffers, bounds,
                  plain, versioned):
    n = len(lazy.sizes)
    pos = {d: j for j, d in enumerate(perm)}     # array dim -> domain dim
    views, maps, slots = [], [], []
    seen = {}
    for t, v in lazy.leaves:
        if not isinstance(t, Arr):
            slots.append(("scalar", v))
            continue
        key = (id(v), t)
        if key not in seen:
            seen[key] = len(views)
            view = v if plain and t.layout in "CF" else _stretched(t, v, lazy.sizes)
            views.append(view if buffers else _to_tensor(view, dm.element_type(t.dtype)))
            exprs = [ir.AffineDimExpr.get(pos[n - t.ndim + k]) for k in range(t.ndim)]
            maps.append(ir.AffineMap.get(n, 0, exprs))
        slots.append(("array", seen[key], t.dtype))
    # names the broadcasting twin (structure tests skip it)
    twin = versioned and not plain
    if bounds is not None:         # one chunk's part of every operand (out_tensor is already)
        views = [_slice(v, m, bounds) for v, m in zip(views, maps)]
    return _emit_generic(ctx, lazy, views, maps, out_tensor, out_map, iterators, slots, combine,
                         buffers, twin)


def _emit_generic(ctx, lazy, ins, maps, out, out_map, iterators, slots, combine, buffers, twin):
    attr_maps = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps + [out_map]])
    op = linalg.GenericOp([] if buffers else [out.type], ins, [out], attr_maps,
                          ir.ArrayAttr.get([_iterator(k) for k in iterators]))
    if twin:
        op.attributes["numlir.broadcast_twin"] = ir.UnitAttr.get()
    shaped = ir.MemRefType if buffers else ir.RankedTensorType
    arg_types = [shaped(x.type).element_type for x in ins + [out]]
    block = op.regions[0].blocks.append(*arg_types)
    with ir.InsertionPoint(block):
        vals = []
        for slot in slots:
            if slot[0] == "scalar":
                vals.append(slot[1])
                continue
            arg = block.arguments[slot[1]]
            if isinstance(slot[2], types.Boolean):
                arg = arith.cmpi(av.P.ne, arg, arith.constant(arg.type, 0))
            vals.append(arg)
        _body_memo.append({})
        try:
            element = lazy.fn(vals)
        finally:
            _body_memo.pop()
        linalg.YieldOp([combine(element, block.arguments[len(ins)])])
    return None if buffers else op.results[0]


# -- parallel=True: chunks on the thread pool ------------------------------------------------------
def _parallel(ctx, lazy):
    """Whether ``lazy``'s loop nest runs in chunks on the thread pool: in a ``parallel=True``
    function (a prange body lowers with ``ctx.parallel`` off: it is parallel already)."""
    return getattr(ctx, "parallel", False) and len(lazy.sizes) > 0


class _Chunks:
    """The outer loops split into balanced chunks run by one ``scf.parallel``: domain dimension
    0 (:func:`numlir.lowering.parallel.chunk_plan`), and for 2-d and higher domains with fewer
    rows than chunks wanted, dimension 1 of each row as well (``grid_plan``); a small array is
    one chunk run by the caller. ``dest(c)`` gives chunk ``c``'s own output (default: the
    output sliced like the inputs) and ``done(c, dest)`` finishes it."""

    def __init__(self, lazy, perm, dest=None, done=None):
        from numlir.lowering import parallel
        work = av.product(lazy.sizes)
        if len(perm) == 1:
            self.plans = [parallel.chunk_plan(lazy.sizes[perm[0]], work)]
            self.k = self.plans[0][0]
        else:
            self.plans = list(parallel.grid_plan(lazy.sizes[perm[0]], lazy.sizes[perm[1]],
                                                 work))
            self.k = arith.muli(self.plans[0][0], self.plans[1][0])
        self.dest, self.done = dest, done

    def bounds(self, c):
        """{domain dimension: (start, size)} of chunk ``c``."""
        from numlir.lowering.parallel import chunk_range
        if len(self.plans) == 1:
            return {0: chunk_range(c, *self.plans[0][1:])}
        k1 = self.plans[1][0]
        return {0: chunk_range(arith.divui(c, k1), *self.plans[0][1:]),
                1: chunk_range(arith.remui(c, k1), *self.plans[1][1:])}


def _slice(value, amap, bounds):
    """``value`` restricted to ``bounds`` ({domain dimension: (start, size)}) along the
    dimensions ``amap`` reads from those domain dimensions (``value`` itself when none)."""
    hits = {p: bounds[e.position] for p, e in enumerate(amap.results)
            if isinstance(e, ir.AffineDimExpr) and e.position in bounds}
    if not hits:
        return value
    from mlir.dialects import memref
    mt = ir.MemRefType(value.type)
    strides, _ = mt.get_strides_and_offset()
    sizes = list(av.metadata(value).sizes)
    offsets = [0] * mt.rank
    for p, (lo, size) in hits.items():
        offsets[p], sizes[p] = lo, size
    rt = ir.MemRefType.get([dm.DYN] * mt.rank, mt.element_type,
                           ir.StridedLayoutAttr.get(dm.DYN, strides))
    return memref.subview(value, offsets, sizes, [1] * mt.rank, result_type=rt)


def _chunked(ctx, chunks, out, out_map, emit):
    """Run ``emit(bounds, dest)`` (the generic and its broadcasting twin) over the chunks: in the
    caller, on whole operands, when there is one chunk (no region at all), else in an
    ``scf.parallel`` whose iteration ``c`` emits on
    chunk ``c``'s slices (``bounds``). A fallible body records its status per chunk (one
    shared slot would be a data race); after the join the first failing chunk's status is the
    result's."""
    from mlir.dialects import memref, scf
    i32 = ir.IntegerType.get_signless(32)
    c0, c1 = av.cindex(0), av.cindex(1)
    branch = scf.IfOp(arith.cmpi(av.P.eq, chunks.k, c1), [], has_else=True)
    with ir.InsertionPoint(branch.then_block):
        dest = chunks.dest(c0) if chunks.dest else out
        emit(None, dest)
        if chunks.done:
            chunks.done(c0, dest)
        scf.YieldOp([])
    with ir.InsertionPoint(branch.else_block):
        par = scf.ParallelOp([], [c0], [chunks.k], [c1], [])
        block = par.region.blocks.append(ir.IndexType.get())
        statuses = None
        with ir.InsertionPoint(block):
            c = block.arguments[0]
            bounds = chunks.bounds(c)
            dest = chunks.dest(c) if chunks.dest else _slice(out, out_map, bounds)
            zero = arith.constant(i32, 0)
            slot = memref.alloca(ir.MemRefType.get([], i32), [], [])
            init = memref.store(zero, slot, [])
            with ctx.errors_into(slot) as used:
                emit(bounds, dest)
            if chunks.done:
                chunks.done(c, dest)
            if used[0]:
                with ir.InsertionPoint(par.operation):
                    statuses = memref.alloc(ir.MemRefType.get([dm.DYN], i32), [chunks.k], [])
                memref.store(memref.load(slot, []), statuses, [c])
            else:
                init.erase()
                slot.owner.erase()
                zero.owner.erase()
            scf.ReduceOp([], 0)
        if statuses is not None:
            first = scf.ForOp(c0, chunks.k, c1, [arith.constant(i32, 0)])
            with ir.InsertionPoint(first.body):
                from numlir.lowering.parallel import first_status
                status = memref.load(statuses, [first.induction_variable])
                scf.YieldOp([first_status(first.inner_iter_args[0], status)])
            ctx.propagate_status(first.results[0])
        scf.YieldOp([])
    ctx.mod.has_parallel = True


def materialize(ctx, lazy):
    """Compute ``lazy`` into a new array (one linalg.generic); returns the memref value."""
    resty = lazy.ty
    n = len(lazy.sizes)
    elem = dm.element_type(resty.dtype)
    f_order = resty.layout == "F" and n > 1
    perm = list(range(n))[::-1] if f_order else list(range(n))
    out_sizes = [lazy.sizes[d] for d in perm]
    # alloc_tensor, not tensor.empty: two results of the same shape must not be merged by CSE
    # into one destination (to_buffer hides later reads of the first from one-shot analysis)
    ident = ir.AffineMap.get_identity(n)

    def store(value, _out):
        if isinstance(resty.dtype, types.Boolean):
            return arith.extui(ir.IntegerType.get_signless(8), value)
        return value
    buf_type = ir.MemRefType.get([dm.DYN] * n, elem)
    if _parallel(ctx, lazy):
        from mlir.dialects import memref
        buf = memref.alloc(buf_type, out_sizes, [], alignment=64)
        buf.owner.attributes["numlir.fresh_output"] = ir.UnitAttr.get()   # chunks slice it
        _generic(ctx, lazy, buf, ident, ["parallel"] * n, perm, store, buffers=True,
                 chunks=_Chunks(lazy, perm))
    else:
        out = bufferization.alloc_tensor(ir.RankedTensorType.get([dm.DYN] * n, elem),
                                         out_sizes)
        result = _generic(ctx, lazy, out, ident, ["parallel"] * n, perm, store)
        _tag_fresh(result)
        buf = bufferization.to_buffer(buf_type, result)
    if f_order:
        meta = av.metadata(buf)
        return av.view(resty, meta.base, av.cindex(0), lazy.sizes,
                       av.contiguous_strides(lazy.sizes, "F"))
    from mlir.dialects import memref
    return memref.cast(dm.memref_type(resty), buf)


def _tag_fresh(result):
    """Mark the generic(s) computing ``result`` as writing a new allocation: large ones may use
    streaming stores (``passes/nontemporal.py``)."""
    owner = result.owner
    ops = [owner]
    if owner.name == "scf.if":       # the plain generic and its broadcasting twin
        ops = [block.operations[len(block.operations) - 2]
               for block in (owner.regions[0].blocks[0], owner.regions[1].blocks[0])]
    for op in ops:
        if op.name == "linalg.generic":
            op.attributes["numlir.fresh_output"] = ir.UnitAttr.get()


def store_into(ctx, lazy, dstty, dst):
    """Compute ``lazy`` (same shape as ``dst``) straight into the array ``dst``, converting to
    its dtype. Only correct when no leaf overlaps ``dst`` other than ``dst`` itself."""
    n = len(lazy.sizes)
    perm = list(range(n))[::-1] if dstty.layout == "F" and n > 1 else list(range(n))
    out_map = ir.AffineMap.get(n, 0, [ir.AffineDimExpr.get(perm.index(d)) for d in range(n)])

    def store(value, _out):
        value = ctx.cast(value, lazy.ty.dtype, dstty.dtype)
        if isinstance(dstty.dtype, types.Boolean):
            return arith.extui(ir.IntegerType.get_signless(8), value)
        return value
    _generic(ctx, lazy, dst, out_map, ["parallel"] * n, perm, store, buffers=True,
             chunks=_Chunks(lazy, perm) if _parallel(ctx, lazy) else None)


def overlaps(lazy, dst):
    """i1: some array leaf of ``lazy`` other than ``dst`` itself shares ``dst``'s buffer."""
    from mlir.dialects import memref
    others = [v for t, v in lazy.leaves if isinstance(t, Arr) and v is not dst and v != dst]
    if not others:
        return None
    base = memref.extract_aligned_pointer_as_index(dst)
    flag = None
    for v in others:
        same = arith.cmpi(av.P.eq, memref.extract_aligned_pointer_as_index(v), base)
        flag = same if flag is None else arith.ori(flag, same)
    return flag


def reduce(ctx, lazy, accty, init, step, merge=None):
    """Fold every element of ``lazy`` (in C order) into an accumulator of Numba type ``accty``
    starting at the value ``init``: ``step(acc, element) -> acc``. Returns the scalar.

    In a ``parallel=True`` function, given ``merge(acc, acc) -> acc`` (``init`` must be its
    identity), each chunk folds its part from ``init`` and the partial results are merged in
    chunk order after the join."""
    n = len(lazy.sizes)
    elem = dm.scalar_type(accty)
    out_map = ir.AffineMap.get(n, 0, [])
    if merge is not None and _parallel(ctx, lazy):
        return _chunked_reduce(ctx, lazy, elem, init, step, merge, out_map)
    empty = tensor.empty([], elem)
    fill = linalg.FillOp([empty.type], [init], [empty])
    fill_block = fill.regions[0].blocks.append(elem, elem)
    with ir.InsertionPoint(fill_block):
        linalg.YieldOp([fill_block.arguments[0]])
    filled = fill.results[0]
    total = _generic(ctx, lazy, filled, out_map, ["reduction"] * n, list(range(n)),
                     lambda value, acc: step(acc, value))
    return tensor.extract(total, [])


def _chunked_reduce(ctx, lazy, elem, init, step, merge, out_map):
    from mlir.dialects import memref, scf
    n = len(lazy.sizes)
    partials = []

    def accumulator(_c):       # on the chunk's stack: LLVM keeps it in registers
        acc = memref.alloca(ir.MemRefType.get([], elem), [], [])
        memref.store(init, acc, [])
        return acc

    def done(c, acc):
        memref.store(memref.load(acc, []), partials[0], [c])
    chunks = _Chunks(lazy, list(range(n)), accumulator, done)
    partials.append(memref.alloc(ir.MemRefType.get([dm.DYN], elem), [chunks.k], []))
    _generic(ctx, lazy, None, out_map, ["reduction"] * n, list(range(n)),
             lambda value, acc: step(acc, value), buffers=True, chunks=chunks)
    c0, c1 = av.cindex(0), av.cindex(1)
    total = scf.ForOp(c0, chunks.k, c1, [init])
    with ir.InsertionPoint(total.body):
        part = memref.load(partials[0], [total.induction_variable])
        scf.YieldOp([merge(total.inner_iter_args[0], part)])
    return total.results[0]
