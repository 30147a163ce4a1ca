"""nontemporal-stores: large fresh outputs of array expressions are written with streaming stores.

A memory-bound elementwise kernel (``a + s * b`` on millions of elements) spends a third of its
traffic reading the output's cache lines before overwriting them (read for ownership) and then
evicting them. Non-temporal vector stores skip both: triad on 4M float64 runs at 43-50 GB/s
instead of 29-31. They only pay off when the output does not fit in cache (crossover near 300k
float64), hence a run-time size check against ``config.NT_BYTES`` (0 disables the pass).

LLVM does not vectorize a loop whose stores are non-temporal (x86 has only aligned vector NT
stores), so this pass widens the loop itself. It rewrites the innermost ``scf.for`` (from 0,
step 1, no loop-carried values) that stores into a fresh output — the ``memref.alloc`` of a
materialized array expression, tagged ``numlir.fresh_output`` by :func:`mark_fresh_outputs`
from its ``linalg.generic`` — at ``[..., %iv]``, when every other op of the body has a vector
form LLVM lowers inline (arith, ``math.absf``/``fma``/float32 ``sqrt``...; not libm calls such
as exp, nor a float64 sqrt: :func:`_slow_sqrt`) and every load reads a unit-stride memref at
``[invariant..., %iv]``::

    scf.if %big {
      scf.for %i = 0 to %peel step 1 { the original body }        // up to 32-byte alignment
      scf.for %i = %peel to %end step W { vector.load ...; vector.store ... {nontemporal} }
      scf.for %i = %end to %n step 1 { the original body }        // tail
    } else { the original loop }
    ...
    scf.if %big { sfence }    // after the loop nest: NT stores are weakly ordered

``%big``: the whole allocation has at least ``NT_BYTES``. The peel makes every row of an n-d
output and every chunk of a ``parallel=True`` expression (a slice of the allocation starting
anywhere) stream from its first aligned element. The broadcasting twin of a generic reads
stride-0 views (not unit stride) and is left alone.
"""
from __future__ import annotations

import os

from mlir import ir
from mlir.dialects import arith, memref, scf

from numlir import config
from numlir.passes.rewriting import find_ops

NAME = "nontemporal-stores"
_ANNOTATED = "numlir.loop_annotations"      # module flag: some loop got an annotation
_DISCARDABLE = "llvm.loop_annotation"
FRESH = "numlir.fresh_output"
_VECTOR_BYTES = 32           # AVX2 vectors; the alignment every NT store gets

# element-wise ops whose vector forms LLVM lowers to instructions (no per-lane libm calls)
_WIDENABLE = {
    "arith." + n for n in (
        "addf subf mulf divf negf maximumf minimumf maxnumf minnumf cmpf select extf truncf "
        "sitofp uitofp fptosi fptoui addi subi muli andi ori xori cmpi extui extsi trunci "
        "maxsi minsi maxui minui shli shrsi shrui constant").split()
} | {"math." + n for n in "sqrt absf absi fma copysign floor ceil trunc roundeven".split()}


def mark_fresh_outputs(module):
    """Copy the ``numlir.fresh_output`` tag of a bufferized ``linalg.generic`` to the
    ``memref.alloc`` it writes (the tag on the generic disappears with convert-linalg-to-loops)."""
    for op in find_ops(module, lambda o: o.name == "linalg.generic" and FRESH in o.attributes):
        out = op.operands[len(op.operands) - 1]
        if not isinstance(out.owner, ir.Block) and out.owner.name == "memref.alloc":
            out.owner.operation.attributes[FRESH] = ir.UnitAttr.get()


mark_fresh_outputs.pass_name = "mark-fresh-outputs"


def nontemporal_stores(module):
    """Give every eligible loop of ``module`` its streaming-store version (in place)."""
    if config.NT_BYTES <= 0 or os.uname().machine.lower() not in ("x86_64", "amd64"):
        return     # sfence and the 32-byte alignment are x86's
    for loop, store in [(op, _fresh_store(op)) for op in find_ops(module, _is_loop)]:
        if store is not None:
            _rewrite(loop, store)
            module.operation.attributes[_ANNOTATED] = ir.UnitAttr.get()


nontemporal_stores.pass_name = NAME


def loop_annotations(module):
    """After the conversion to LLVM: ``scf-to-cf`` carries a loop's ``llvm.loop_annotation`` to
    its latch branch as a discardable attribute, which LLVM IR translation ignores; make it the
    branch's own ``loop_annotation``. Only in modules this pass annotated."""
    if _ANNOTATED not in module.operation.attributes:
        return
    del module.operation.attributes[_ANNOTATED]
    for op in find_ops(module, lambda o: o.name == "llvm.br" and _DISCARDABLE in o.attributes):
        op.attributes["loop_annotation"] = op.attributes[_DISCARDABLE]
        del op.attributes[_DISCARDABLE]


loop_annotations.pass_name = "loop-annotations"


# -- matching -------------------------------------------------------------------------------------
def _is_loop(op):
    return op.name == "scf.for"


def _const(value, expected):
    owner = value.owner
    return (not isinstance(owner, ir.Block) and owner.name == "arith.constant"
            and isinstance(owner.attributes["value"], ir.IntegerAttr)
            and ir.IntegerAttr(owner.attributes["value"]).value == expected)


def _body(loop):
    return loop.regions[0].blocks[0]


def _inside(value, loop):
    """Whether ``value`` is defined in ``loop``'s body (the induction variable included)."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        return owner == _body(loop)
    return owner.parent == loop


def _fresh_store(loop):
    """The single ``memref.store`` of ``loop`` into a fresh output, if the loop qualifies."""
    if len(loop.results) or not _const(loop.operands[0], 0) or not _const(loop.operands[2], 1):
        return None
    body = _body(loop)
    iv = body.arguments[0]
    ops = list(body.operations)
    stores = [op for op in ops if op.name == "memref.store"]
    if len(stores) != 1:
        return None
    store = stores[0]
    out = store.operands[1]
    if _fresh_root(out) is None or not _unit_access(store, 2, iv, loop):
        return None
    elem = ir.MemRefType(out.type).element_type
    if _bytes(elem) is None or _bytes(elem) > _VECTOR_BYTES:
        return None
    if any(not _widenable(op, iv, loop) for op in ops[:-1]):
        return None
    return store


def _fresh_root(value):
    """The tagged ``memref.alloc`` that ``value`` is (or is a slice of: a parallel chunk's
    ``memref.subview``), else None."""
    owner = value.owner
    while not isinstance(owner, ir.Block) and owner.name in ("memref.subview", "memref.cast"):
        owner = owner.operands[0].owner
    if not isinstance(owner, ir.Block) and owner.name == "memref.alloc" \
            and FRESH in owner.attributes:
        return owner.results[0]
    return None


def _unit_access(op, first_index, iv, loop):
    """``op`` reads/writes a loop-invariant unit-stride memref at ``[invariant..., iv]``."""
    ref = op.operands[first_index - 1]
    idx = list(op.operands)[first_index:]
    if _inside(ref, loop) or not idx or idx[-1] != iv:
        return False
    if any(_inside(i, loop) for i in idx[:-1]):
        return False
    strides, _ = ir.MemRefType(ref.type).get_strides_and_offset()
    return strides[-1] == 1


def _widenable(op, iv, loop):
    """``op`` (of ``loop``'s body, the store included) has a vector form: a unit-stride access,
    ``x ** 2``, or an element-wise op on scalars not using the induction variable."""
    if op.name == "memref.load":
        ok = _unit_access(op, 1, iv, loop)
    elif op.name in ("memref.store", "math.powf"):
        ok = op.name == "memref.store" or _square(op)
    else:
        ok = (op.name in _WIDENABLE and len(op.results) == 1
              and all(v != iv for v in op.operands) and not _slow_sqrt(op))
    return ok and all(_scalar(v.type) for v in op.results)


def _slow_sqrt(op):
    """A float64 square root: LLVM keeps such loops scalar on AMD EPYC (vsqrtpd ymm costs as
    much per element as vsqrtsd), and the forced vector loop was slower than the plain one
    (hypot 2M: 1.25 ms against 1.13 ms) although its stores are streaming."""
    return op.name == "math.sqrt" and isinstance(op.results[0].type, ir.F64Type)


def _square(op):
    """``math.powf(x, 2.0)`` (``x ** 2``): widened as ``x * x``."""
    owner = op.operands[1].owner
    return (not isinstance(owner, ir.Block) and owner.name == "arith.constant"
            and isinstance(owner.attributes["value"], ir.FloatAttr)
            and ir.FloatAttr(owner.attributes["value"]).value == 2.0)


def _scalar(ty):
    return isinstance(ty, (ir.FloatType, ir.IntegerType))


def _bytes(ty):
    if isinstance(ty, ir.FloatType) and ty.width in (32, 64):
        return ty.width // 8
    if isinstance(ty, ir.IntegerType) and ty.width in (8, 16, 32, 64):
        return ty.width // 8
    return None


# -- rewriting ------------------------------------------------------------------------------------
def _nest_top(loop):
    """The outermost ``scf.for`` of the perfect nest ending in ``loop``."""
    top = loop
    while top.parent.name == "scf.for" and len(list(_body(top.parent).operations)) == 2:
        top = top.parent
    return top


def _index(n):
    return arith.constant(ir.IndexType.get(), n)


def _condition(out, esz):
    """i1: the fresh output ``out`` (the whole allocation) has at least NT_BYTES."""
    rank = ir.MemRefType(out.type).rank
    total = _index(1)
    for k in range(rank):
        total = arith.muli(total, memref.dim(out, _index(k)))
    nbytes = arith.muli(total, _index(esz))
    return arith.cmpi(arith.CmpIPredicate.uge, nbytes, _index(config.NT_BYTES))


def _peel(store, esz, upper):
    """Elements before the first 32-byte aligned one of the row ``store`` writes (at most
    ``upper``): a parallel chunk's slice, or a row whose length is not a multiple of 32 bytes,
    starts anywhere."""
    ref = store.operands[1]
    rows = list(store.operands)[2:-1]
    meta = memref.ExtractStridedMetadataOp(ref)
    linear = meta.offset
    for i, stride in zip(rows, meta.strides):
        linear = arith.addi(linear, arith.muli(i, stride))
    base = memref.extract_aligned_pointer_as_index(ref)
    address = arith.addi(base, arith.muli(linear, _index(esz)))
    gap = arith.andi(arith.subi(_index(0), address), _index(_VECTOR_BYTES - 1))
    return arith.minui(arith.divui(gap, _index(esz)), upper)


def _rewrite(loop, store):
    """Put ``loop`` under ``scf.if`` with its streaming version (vector loop + scalar tail) in
    the then-branch; the condition is computed, and the sfence placed, around the whole nest so
    that each costs once per output, not once per row."""
    out = store.operands[1]
    esz = _bytes(ir.MemRefType(out.type).element_type)
    width = _VECTOR_BYTES // esz
    top = _nest_top(loop)
    with ir.InsertionPoint(top), loop.location:
        cond = _condition(_fresh_root(out), esz)
    with ir.InsertionPoint.after(top), loop.location:
        fence = scf.IfOp(cond)
        with ir.InsertionPoint(fence.then_block):
            ir.InsertionPoint.current.insert(ir.Operation.parse(_SFENCE))
            scf.YieldOp([])
    with ir.InsertionPoint(loop), loop.location:
        branch = scf.IfOp(cond, [], has_else=True)
    with ir.InsertionPoint(branch.then_block), loop.location:
        upper = loop.operands[1]
        peel = _peel(store, esz, upper)
        head = loop.clone()
        head.operands[1] = peel
        head.attributes[_DISCARDABLE] = ir.Attribute.parse(_SCALAR_LOOP)
        end = arith.addi(peel, arith.andi(arith.subi(upper, peel), _index(-width)))
        _vector_loop(loop, peel, end, width)
        tail = loop.clone()
        tail.operands[0] = end
        tail.attributes[_DISCARDABLE] = ir.Attribute.parse(_SCALAR_LOOP)
        scf.YieldOp([])
    with ir.InsertionPoint(branch.else_block):
        scf.YieldOp([])
    loop.move_before(branch.else_block.operations[0])


def _vector_loop(loop, lower, upper, width):
    """``scf.for %i = lower to upper step width`` of ``loop``'s body on vector<width x T>
    values, the store non-temporal (``lower`` makes it 32-byte aligned)."""
    body = _body(loop)
    iv = body.arguments[0]
    invariant = {}
    vloop = scf.ForOp(lower, upper, _index(width))
    with ir.InsertionPoint(vloop.body):
        vals = {iv: vloop.induction_variable}

        def vec(value):
            if _inside(value, loop):
                return vals[value]
            if value not in invariant:
                with ir.InsertionPoint(vloop.operation):
                    invariant[value] = _broadcast(value, width)
            return invariant[value]

        for op in list(body.operations)[:-1]:
            _widen(op, vals, vec, width)
        scf.YieldOp([])


# The vector and llvm ops are built generically: importing their Python dialect modules costs
# ~20 ms of the first compile that uses them.
_SFENCE = 'llvm.inline_asm has_side_effects "sfence", "~{memory}" : () -> ()'
# the peel and the tail run fewer than W iterations: LLVM need not vectorize or unroll them
# (it did: ~30 ms more of a first compile, ~13 ms with the annotation)
_SCALAR_LOOP = "#llvm.loop_annotation<vectorize = <disable = true>, unroll = <disable = true>>"


def _create(name, results, operands, attributes=None):
    op = ir.Operation.create(name, results=results, operands=operands, attributes=attributes)
    return op.results[0] if results else op


def _broadcast(value, width):
    return _create("vector.broadcast", [ir.VectorType.get([width], value.type)], [value])


def _widen(op, vals, vec, width):
    idx = lambda values: [vals.get(v, v) for v in values]   # noqa: E731 (iv -> vector iv)
    if op.name == "memref.load":
        vt = ir.VectorType.get([width], op.results[0].type)
        vals[op.results[0]] = _create("vector.load", [vt], idx(list(op.operands)))
    elif op.name == "memref.store":
        _create("vector.store", [], [vec(op.operands[0])] + idx(list(op.operands)[1:]),
                {"nontemporal": ir.BoolAttr.get(True),
                 "alignment": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), _VECTOR_BYTES)})
    elif op.name == "arith.constant":
        scalar = op.clone()
        vals[op.results[0]] = _broadcast(scalar.results[0], width)
    elif op.name == "math.powf":
        x = vec(op.operands[0])
        vals[op.results[0]] = arith.mulf(x, x)
    else:
        new = ir.Operation.create(
            op.name, results=[ir.VectorType.get([width], op.results[0].type)],
            operands=[vec(v) for v in op.operands],
            attributes={name: op.attributes[name] for name in op.attributes})
        vals[op.results[0]] = new.results[0]
