"""How a Numba type is represented in MLIR: a flat list of *leaf* values.

A lowered value is the MLIR value itself for one-leaf types (ints, floats, complex), ``None`` for
types with no run-time data (functions, modules, ``None``, omitted arguments) and a Python tuple of
leaves otherwise (tuples, ranges). Block arguments, call operands and results are the flattened
leaves, so phis, calls and returns need no per-type code.
"""
from __future__ import annotations

from mlir import ir
from numba.core import types

_models = []    # [(type class, leaf-types function)]


def register_model(type_class):
    def register(fn):
        _models.append((type_class, fn))
        return fn
    return register


def strip_literal(ty):
    """``Literal[int](3)`` -> ``int64``; other types unchanged."""
    if isinstance(ty, types.Literal):
        return types.unliteral(ty)
    return ty


def scalar_type(ty):
    """The MLIR type of a one-leaf Numba scalar type."""
    ty = strip_literal(ty)
    if isinstance(ty, types.Boolean):
        return ir.IntegerType.get_signless(1)
    if isinstance(ty, (types.Integer, types.NPDatetime, types.NPTimedelta)):
        return ir.IntegerType.get_signless(getattr(ty, "bitwidth", 64))
    if isinstance(ty, types.Float):
        return {16: ir.F16Type, 32: ir.F32Type, 64: ir.F64Type}[ty.bitwidth].get()
    if isinstance(ty, types.Complex):
        return ir.ComplexType.get(scalar_type(ty.underlying_float))
    return None


def leaf_types(ty):
    """The MLIR types of the leaves of ``ty``; raises KeyError for a type with no model."""
    ty = strip_literal(ty)
    st = scalar_type(ty)
    if st is not None:
        return [st]
    for cls, fn in reversed(_models):
        if isinstance(ty, cls):
            return fn(ty)
    raise KeyError(ty)


def has_model(ty):
    """Whether ``ty`` can be represented (usable outside lowering: enters the MLIR context)."""
    from numlir.targets.cpu import mlir_context
    with mlir_context(), ir.Location.unknown():
        try:
            leaf_types(ty)
            return True
        except KeyError:
            return False


def flatten(ty, value):
    """Leaves of a lowered value, as a list."""
    n = len(leaf_types(ty))
    if n == 0:
        return []
    if n == 1 and not isinstance(value, tuple):
        return [value]
    return list(value)


def unflatten(ty, leaves):
    """Lowered value from its leaves (the inverse of :func:`flatten`)."""
    leaves = list(leaves)
    if not leaves:
        return None
    if len(leaves) == 1 and not _is_aggregate(ty):
        return leaves[0]
    return tuple(leaves)


def _is_aggregate(ty):
    return isinstance(strip_literal(ty), (types.BaseTuple, types.RangeType, types.RangeIteratorType,
                                          types.Pair))


def tuple_items(ty, value):
    """Split a lowered tuple value into the lowered values of its elements."""
    leaves = flatten(ty, value)
    out, pos = [], 0
    for et in ty.types if hasattr(ty, "types") else [ty.dtype] * ty.count:
        n = len(leaf_types(et))
        out.append(unflatten(et, leaves[pos:pos + n]))
        pos += n
    return out


def make_tuple(ty, items):
    leaves = []
    for et, v in zip(ty.types, items):
        leaves.extend(flatten(et, v))
    return unflatten(ty, leaves)


def _no_data(ty):
    return []


for _cls in (types.Function, types.Module, types.NoneType, types.Omitted, types.Dispatcher,
             types.NumberClass, types.Dummy, types.ExceptionClass,
             types.ExceptionInstance, types.UnicodeType, types.StringLiteral,
             types.EnumClass, types.TypeRef, types.DType, types.Opaque, types.FunctionType,
             types.RecursiveCall):
    register_model(_cls)(_no_data)


@register_model(types.BaseTuple)
def _tuple_model(ty):
    out = []
    for et in ty:
        out.extend(leaf_types(et))
    return out


@register_model(types.RangeType)
def _range_model(ty):
    it = scalar_type(ty.dtype)
    return [it, it, it]                       # start, stop, step


@register_model(types.RangeIteratorType)
def _range_iter_model(ty):
    it = scalar_type(ty.yield_type)
    return [ir.MemRefType.get([], it), it, it]  # mutable cursor, stop, step


@register_model(types.Pair)
def _pair_model(ty):
    return leaf_types(ty.first_type) + leaf_types(ty.second_type)


@register_model(types.BoundFunction)
def _bound_model(ty):
    return leaf_types(ty.this)                 # the receiver travels with the bound method


# -- arrays ----------------------------------------------------------------------------------------
DYN = ir.ShapedType.get_dynamic_size()


def element_type(dtype):
    """MLIR element type of an array of ``dtype``: bool is stored as i8 (NumPy's byte; MLIR's LLVM
    lowering rejects sub-byte memref elements) and converted on load/store."""
    if isinstance(dtype, types.Boolean):
        return ir.IntegerType.get_signless(8)
    t = scalar_type(dtype)
    if t is None:
        raise KeyError(dtype)
    return t


def memref_type(arrty):
    """The memref of a Numba array type: dynamic sizes, dynamic offset, and a static unit stride for
    the contiguous dimension of 'C' and 'F' layouts (what lets LLVM vectorize contiguous loops)."""
    rank = arrty.ndim
    strides = [DYN] * rank
    if rank and arrty.layout == "C":
        strides[-1] = 1
    elif rank and arrty.layout == "F":
        strides[0] = 1
    layout = ir.StridedLayoutAttr.get(DYN, strides)
    return ir.MemRefType.get([DYN] * rank, element_type(arrty.dtype), layout)


@register_model(types.Array)
def _array_model(ty):
    return [memref_type(ty)]


@register_model(types.NumpyFlatType)
def _flat_model(ty):
    # ``a.flat`` is also its own iterator: a cursor travels with the array
    return [ir.MemRefType.get([], ir.IndexType.get()), memref_type(ty.array_type)]


@register_model(types.SliceType)
def _slice_model(ty):
    i64 = ir.IntegerType.get_signless(64)
    return [i64, i64, i64]                    # start, stop, step (None as Numba's sentinels)
