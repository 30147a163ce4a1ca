"""Array view arithmetic shared by the array rules: strided metadata, index normalisation, slices,
new views by ``memref.reinterpret_cast`` and scf loop nests over an array's shape."""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, memref, scf
from numba.core import types

from numlir.lowering import datamodel as dm

P = arith.CmpIPredicate
INT64_MAX, INT64_MIN = 2**63 - 1, -(2**63)


def index_type():
    return ir.IndexType.get()


def to_index(ctx, value, ty):
    """A Numba integer as an MLIR ``index``."""
    return arith.index_cast(index_type(), ctx.cast(value, ty, types.int64))


def to_int64(value):
    return arith.index_cast(ir.IntegerType.get_signless(64), value)


def cindex(k):
    return arith.constant(index_type(), k)


class Meta:
    """Strided metadata of a memref: base buffer, offset, sizes and strides (``index`` values)."""

    def __init__(self, arr):
        op = memref.ExtractStridedMetadataOp(arr)
        results = list(op.results)
        n = (len(results) - 2) // 2
        self.base, self.offset = results[0], results[1]
        self.sizes, self.strides = results[2:2 + n], results[2 + n:]


def metadata(arr):
    return Meta(arr)


def view(resty, base, offset, sizes, strides):
    """A memref of Numba array type ``resty`` over ``base`` with the given (index) geometry."""
    mt = dm.memref_type(resty)
    layout = ir.StridedLayoutAttr(mt.layout)
    static_strides = list(layout.strides)
    dyn = dm.DYN
    dyn_strides = [s for s, st in zip(strides, static_strides) if st == dyn]
    return memref.reinterpret_cast(mt, base, [offset], list(sizes), dyn_strides,
                                   [dyn], [dyn] * len(sizes), static_strides)


def wrap_index(ctx, index, size, check):
    """Python's negative-index rule, and an IndexError when ``check`` and out of bounds."""
    zero = cindex(0)
    neg = arith.cmpi(P.slt, index, zero)
    index = arith.select(neg, arith.addi(index, size), index)
    if check:
        bad = arith.ori(arith.cmpi(P.slt, index, zero), arith.cmpi(P.sge, index, size))
        ctx.raise_if(bad, IndexError, "index is out of bounds")
    return index


def fix_slice(ctx, start, stop, step, length):
    """CPython's PySlice_AdjustIndices on index values: (start, slice length, step)."""
    zero, one, minus1 = cindex(0), cindex(1), arith.constant(index_type(), -1)
    ctx.raise_if(arith.cmpi(P.eq, step, zero), ValueError, "slice step cannot be zero")
    neg_step = arith.cmpi(P.slt, step, zero)

    def clamp(v):
        low = arith.select(neg_step, minus1, zero)
        high = arith.select(neg_step, arith.subi(length, one), length)
        shifted = arith.addi(v, length)
        under = arith.select(arith.cmpi(P.slt, shifted, zero), low, shifted)
        v = arith.select(arith.cmpi(P.slt, v, zero), under, v)
        return arith.select(arith.cmpi(P.sge, v, length), high, v)

    start, stop = clamp(start), clamp(stop)
    # length = (stop - start + step - sign(step)) // step, at least 0
    span_pos = arith.subi(stop, start)
    n_pos = arith.divsi(arith.addi(span_pos, arith.subi(step, one)), step)
    span_neg = arith.subi(start, stop)
    n_neg = arith.divsi(arith.addi(span_neg, arith.subi(arith.subi(zero, step), one)),
                        arith.subi(zero, step))
    n = arith.select(neg_step, n_neg, n_pos)
    n = arith.select(arith.cmpi(P.slt, n, zero), zero, n)
    return start, n, step


def slice_parts(ctx, slty, value):
    """Index values (start, stop, step) of a lowered slice (None members as Numba's sentinels)."""
    start, stop, step = value
    return (arith.index_cast(index_type(), start), arith.index_cast(index_type(), stop),
            arith.index_cast(index_type(), step))


def loop_nest(sizes, body):
    """Emit ``for i0 in range(s0): for i1 ...: body([i0, i1, ...])`` with scf.for."""
    def emit(level, ivs):
        if level == len(sizes):
            body(ivs)
            return
        loop = scf.ForOp(cindex(0), sizes[level], cindex(1))
        with ir.InsertionPoint(loop.body):
            emit(level + 1, ivs + [loop.induction_variable])
            scf.YieldOp([])
    emit(0, [])


def product(values):
    out = cindex(1)
    for v in values:
        out = arith.muli(out, v)
    return out


def contiguous_strides(sizes, order="C"):
    """Element strides of a freshly allocated C- or F-ordered array of ``sizes``."""
    strides = [None] * len(sizes)
    acc = cindex(1)
    dims = range(len(sizes) - 1, -1, -1) if order == "C" else range(len(sizes))
    for d in dims:
        strides[d] = acc
        acc = arith.muli(acc, sizes[d])
    return strides


def allocate(ctx, resty, sizes):
    """A new (owned) buffer for array type ``resty`` with ``sizes``; 64-byte aligned."""
    elem = dm.element_type(resty.dtype)
    flat = ir.MemRefType.get([dm.DYN], elem)
    total = product(sizes)
    buf = memref.alloc(flat, [total], [], alignment=64)
    meta = Meta(buf)
    order = "F" if resty.layout == "F" else "C"
    return view(resty, meta.base, cindex(0), sizes, contiguous_strides(sizes, order))


def unravel(flat_index, sizes):
    idx = [None] * len(sizes)
    rem = flat_index
    for d in range(len(sizes) - 1, -1, -1):
        if d == 0:
            idx[d] = rem
        else:
            idx[d] = arith.remui(rem, sizes[d])
            rem = arith.divui(rem, sizes[d])
    return idx


def load_elem(ctx, arr, indices, dtype):
    """``arr[indices]`` as a value of Numba type ``dtype`` (bool bytes become i1)."""
    v = memref.load(arr, list(indices))
    if isinstance(dtype, types.Boolean):
        return arith.cmpi(P.ne, v, arith.constant(v.type, 0))
    return v


def store_elem(ctx, value, arr, indices, dtype):
    if isinstance(dtype, types.Boolean):
        value = arith.extui(ir.IntegerType.get_signless(8), value)
    memref.store(value, arr, list(indices))


def new_cursor(ctx, start=None):
    """An ``index`` counter in a stack slot of the entry block (mem2reg promotes it)."""
    cursor = ctx.entry_alloca(ir.MemRefType.get([], index_type()))
    memref.store(cindex(0) if start is None else start, cursor, [])
    return cursor


def advance(cursor, limit):
    """Iterator step: (cursor < limit, the position clamped to 0 when exhausted); moves on."""
    cur = memref.load(cursor, [])
    ok = arith.cmpi(P.slt, cur, limit)
    memref.store(arith.addi(cur, cindex(1)), cursor, [])
    return ok, arith.select(ok, cur, cindex(0))


def cursor_model(arrty):
    """Data model of an iterator over an array: an ``index`` cursor slot and the array."""
    from numlir.lowering import datamodel as dm
    return [ir.MemRefType.get([], index_type()), dm.memref_type(arrty)]


def start_iteration(ctx, sig, args):
    """Rule body of ``iter(a)``/``np.nditer(a)``/``np.ndenumerate(a)``: a fresh cursor at 0."""
    return (new_cursor(ctx), args[0])


def descriptor_strides(arr, ndim):
    """Element strides (i64) as ``arr``'s memref descriptor holds them. The static stride 1 of a
    'C'/'F' type is what indexing uses; the descriptor of an argument still holds NumPy's own
    value, which differs on length-1 and empty axes (``np.zeros((0,)).strides == (0,)``)."""
    if ndim == 0:
        return []
    from mlir.dialects import llvm

    from numlir.runtime.array_boxing import descriptor_type
    st = ir.Type.parse(descriptor_type(ndim))
    raw = ir.Operation.create("builtin.unrealized_conversion_cast", results=[st],
                              operands=[arr]).result
    i64 = ir.IntegerType.get_signless(64)
    return [llvm.extractvalue(i64, raw, [4, d]) for d in range(ndim)]
