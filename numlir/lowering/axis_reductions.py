"""Reductions along an axis: ``sum prod min max amin amax mean var std argmin argmax any all`` with
``axis`` (int, negative), ``keepdims``, ``dtype`` and ``ddof``, and ``cumsum``/``cumprod`` along an
axis, as functions and methods.

Typing: ``@overload(..., target="numlir")`` templates, tried before Numba's generic ones. The
function forms claim the calls Numba's own implementations reject, lower through llvmlite
intrinsics or get wrong (an integer axis, keepdims, ddof, a dtype for mean/prod, argmin/argmax of
complex arrays; var and std always); every other call falls through to Numba, so whole-array
reductions keep their fused lowering. The methods are taken over in every form (a method's
attribute template is all-or-nothing); their plain whole-array calls still get the fused rules.
Each implementation calls a stub per (operation, keepdims) whose rule emits the loops directly
(a literal axis reaches it as a literal). The innermost loop runs along the contiguous
dimension, where LLVM vectorizes (``_Loops``): a contiguous reduced axis is one fold per line
(float sums reassociated, float min/max in lanes, argmin/argmax by chunk extremes), any other
axis keeps one running value per element of the contiguous row; an array without a contiguous
dimension moves the axis last by a strided view and folds sequentially. Complex numbers order
lexicographically (min/max/argmin/argmax), a NaN (in either part) wins, as in NumPy.
"""
from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import arith, scf
from numba.core import types
from numba.core.errors import TypingError
from numba.core.extending import overload, overload_method
from numba.core.typing.templates import AbstractTemplate, infer_global, signature
from numba.np import arraymath

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering.reduction_lines import (
    CUMULATIVE_OPS,
    cumulate,
    fold_rows,
    reduce_line,
    row_types,
)
from numlir.lowering.registry import lower

Arr = types.Array
P = arith.CmpIPredicate
_REDUCE_OPS = ("sum", "prod", "min", "max", "mean", "var", "std", "argmin", "argmax", "any",
               "all")


# -- typing helpers ------------------------------------------------------------------------------
def _absent(ty):
    return (ty is None or isinstance(ty, types.NoneType)
            or isinstance(ty, types.Omitted) and ty.value is None)


def _given(ty, default):
    """Whether an optional argument was passed with a non-default value."""
    if not isinstance(ty, types.Type):       # the typing function's own default
        return ty is not None and ty != default
    if isinstance(ty, types.Omitted):
        return ty.value != default
    if isinstance(ty, types.NoneType):
        return default is not None
    return True


def _keepdims_value(ty):
    if not isinstance(ty, types.Type):
        return bool(ty)
    if isinstance(ty, types.Omitted):
        return bool(getattr(ty, "value", False))
    if isinstance(ty, types.BooleanLiteral):
        return ty.literal_value
    if isinstance(ty, types.IntegerLiteral):
        return bool(ty.literal_value)
    return None          # a run-time bool: the result's ndim would depend on it


def _dtype_of(ty):
    """The Numba scalar type a ``dtype=`` argument names, or None when absent."""
    if _absent(ty):
        return None
    if isinstance(ty, types.NumberClass):
        return ty.instance_type
    if isinstance(ty, types.DType):
        return ty.dtype
    if isinstance(ty, types.DTypeSpec):
        return ty.dtype
    raise UnsupportedError(f"dtype={ty}")


def _accumulator(dt):
    """NumPy's default sum/prod type: platform integers for smaller integers and bool."""
    if isinstance(dt, types.Boolean):
        return types.int64
    if isinstance(dt, types.Integer):
        return types.int64 if dt.signed else types.uint64
    return dt


def _float_of(dt):
    if isinstance(dt, (types.Integer, types.Boolean)):
        return types.float64
    return dt


def result_dtype(op, dt, dtype):
    if op in ("sum", "prod", "cumsum", "cumprod"):
        return dtype or _accumulator(dt)
    if op in ("min", "max"):
        return dt
    if op == "mean":
        return dtype or _float_of(dt)
    if op in ("var", "std"):
        t = dtype or _float_of(dt)
        return t.underlying_float if isinstance(t, types.Complex) else t
    if op in ("argmin", "argmax"):
        return types.intp
    return types.boolean


def result_type(op, arrty, axisty, keepdims, dtype):
    rt = result_dtype(op, arrty.dtype, dtype)
    if op in CUMULATIVE_OPS:
        return Arr(rt, 1 if _absent(axisty) else arrty.ndim, "C")
    if keepdims:
        return Arr(rt, arrty.ndim, "C")
    nd = 0 if _absent(axisty) else arrty.ndim - 1
    return rt if nd == 0 else Arr(rt, nd, "C")


# -- stubs: one per (operation, keepdims), typed here and lowered below ----------------------
_stubs = {}


def _make_stub(op, keepdims):
    def stub(a, axis, dtype, ddof):
        raise NotImplementedError("numlir lowering stub")
    stub.__name__ = stub.__qualname__ = f"numlir_{op}{'_keepdims' if keepdims else ''}"

    class _Template(AbstractTemplate):
        key = stub
        prefer_literal = True       # a literal axis picks the loop order at compile time

        def generic(self, args, kws):
            arrty, axisty, dtypety, _ = args
            if not isinstance(arrty, Arr):
                return None
            if not (_absent(axisty) or isinstance(axisty, types.Integer)):
                return None
            rt = result_type(op, arrty, axisty, keepdims, _dtype_of(dtypety))
            return signature(rt, *args)
    _stubs[op, keepdims] = globals()[stub.__name__] = stub    # Numba finds it by name
    infer_global(stub)(_Template)
    lower(stub, Arr, types.Any, types.Any, types.Any)(
        lambda ctx, sig, args: _lower_reduction(ctx, sig, args, op, keepdims))
    return stub


for _op in _REDUCE_OPS + CUMULATIVE_OPS:
    for _kd in (False, True):
        _make_stub(_op, _kd)


# -- overloads (numlir target only) -------------------------------------------------------------
def _claims(arrty, axis, out, keepdims, ddof, dtype, op, method):
    """Whether numlir's implementation takes this call (see the module docstring)."""
    if not isinstance(arrty, Arr) or not _absent(out):
        return False
    if not (_absent(axis) or isinstance(axis, types.Integer)):
        return False
    if _keepdims_value(keepdims) is None:
        return False
    if method or op in ("var", "std"):
        # Numba's whole-array np.var/np.std divide by the size in Python semantics
        # (ZeroDivisionError for an empty array, where NumPy gives nan)
        return True
    return (isinstance(axis, types.Integer) or _given(keepdims, False) or _given(ddof, 0)
            or (op in ("mean", "prod", "var", "std", "cumprod") and not _absent(dtype))
            or (op in ("argmin", "argmax") and isinstance(arrty.dtype, types.Complex)))


def _register(op, np_funcs, params, method_name=None):
    """Overloads of ``np_funcs`` (and of the array method ``method_name``) with Python signature
    ``params`` (after the array); each claimed call becomes a call of the stub."""
    has = set(params)
    names = ", ".join(f"{p}={d!r}" for p, d in params.items())
    src = (f"def typer(a, {names}):\n"
           f"    return choose(a, {', '.join(f'{p}' for p in params)})\n")

    def choose_for(method):
        def choose(a, *vals):
            got = dict(zip(params, vals))
            if not _claims(a, got.get("axis"), got.get("out"), got.get("keepdims"),
                           got.get("ddof"), got.get("dtype"), op, method):
                return None
            if a.ndim == 0 and isinstance(got.get("axis"), types.Integer):
                # NumPy's AxisError at run time; the result type would have ndim -1
                raise TypingError(f"np.{op}: axis is out of bounds for a 0-d array")
            kd = bool(_keepdims_value(got.get("keepdims")))
            stub = _stubs[op, kd]
            axis = got.get("axis")
            if isinstance(axis, types.IntegerLiteral):
                # the impl's own parameter would be a plain int64; a literal in the call keeps
                # the axis known to the stub's rule (one loop order, no run-time choice)
                axis = repr(axis.literal_value)
            else:
                axis = "axis" if "axis" in has else "None"
            body = (f"def impl(a, {names}):\n"
                    f"    return stub(a, {axis}, "
                    f"{'dtype' if 'dtype' in has else 'None'}, "
                    f"{'ddof' if 'ddof' in has else '0'})\n")
            ns = {"stub": stub}
            exec(body, ns)      # noqa: S102 -- a signature matching the typing function
            return ns["impl"]
        return choose

    def typer_for(method):
        ns = {"choose": choose_for(method)}
        exec(src, ns)           # noqa: S102 -- Numba needs the exact Python signature
        return ns["typer"]
    for fn in np_funcs:
        overload(fn, target="numlir", prefer_literal=True)(typer_for(False))
    if method_name:
        overload_method(Arr, method_name, target="numlir", prefer_literal=True)(typer_for(True))


_SUMLIKE = {"axis": None, "dtype": None, "out": None, "keepdims": False}
_MINLIKE = {"axis": None, "out": None, "keepdims": False}
_VARLIKE = {"axis": None, "dtype": None, "out": None, "ddof": 0, "keepdims": False}
_CUMLIKE = {"axis": None, "dtype": None, "out": None}

_register("sum", (np.sum,), _SUMLIKE, "sum")
_register("prod", (np.prod,), _SUMLIKE, "prod")
_register("mean", (np.mean,), _SUMLIKE, "mean")
_register("min", (np.min, np.amin), _MINLIKE, "min")
_register("max", (np.max, np.amax), _MINLIKE, "max")
_register("var", (np.var,), _VARLIKE, "var")
_register("std", (np.std,), _VARLIKE, "std")
_register("argmin", (np.argmin,), _MINLIKE, "argmin")
_register("argmax", (np.argmax,), _MINLIKE, "argmax")
_register("any", (np.any,), _MINLIKE, "any")
_register("all", (np.all,), _MINLIKE, "all")
_register("cumsum", (np.cumsum,), _CUMLIKE, "cumsum")
_register("cumprod", (np.cumprod,), _CUMLIKE, "cumprod")


def _keep_whole_method_fusion():
    """Taking over the ``sum prod mean`` methods (for their axis and keepdims forms) types the
    whole-array call with four omitted parameters; give it the fused rule Numba's form gets (min
    and max, with three, already match ``fused_reductions``' patterns)."""
    import itertools

    from numlir.lowering import fused_reductions as fr
    for name, rule in (("sum", fr.array_sum), ("prod", fr.array_prod), ("mean", fr.array_mean)):
        for combo in itertools.product((types.Omitted, types.NoneType), repeat=4):
            lower((Arr, name), Arr, *combo)(rule)


_keep_whole_method_fusion()


# -- lowering ------------------------------------------------------------------------------------
def _select_dim(ax, values):
    """``values[ax]`` for the run-time axis ``ax``: a chain of selects."""
    out = values[0]
    for d in range(1, len(values)):
        out = arith.select(arith.cmpi(P.eq, ax, av.cindex(d)), values[d], out)
    return out


def normalize_axis(ctx, value, ty, ndim):
    """A run-time axis as an ``index`` in [0, ndim); AxisError otherwise (NumPy's check)."""
    ax = av.to_index(ctx, value, ty)
    neg = arith.cmpi(P.slt, ax, av.cindex(0))
    ax = arith.select(neg, arith.addi(ax, av.cindex(ndim)), ax)
    bad = arith.ori(arith.cmpi(P.slt, ax, av.cindex(0)), arith.cmpi(P.sge, ax, av.cindex(ndim)))
    ctx.raise_if(bad, np.exceptions.AxisError,
                 f"axis is out of bounds for array of dimension {ndim}")
    return ax


def _literal_axis(axisty, ndim):
    """The axis in [0, ndim) when its type is a literal (``a.sum(axis=0)``), else None."""
    if isinstance(axisty, types.IntegerLiteral):
        k = axisty.literal_value
        k = k + ndim if k < 0 else k
        return k if 0 <= k < ndim else None
    return None


class _Moved:
    """Geometry of an array with the axis ``ax`` moved last: outer sizes/strides, inner one."""

    def __init__(self, sizes, strides, ax):
        nd = len(sizes)
        self.outer_sizes, self.outer_strides = [], []
        for j in range(nd - 1):
            ge = arith.cmpi(P.sge, av.cindex(j), ax)
            self.outer_sizes.append(arith.select(ge, sizes[j + 1], sizes[j]))
            self.outer_strides.append(arith.select(ge, strides[j + 1], strides[j]))
        self.inner_size = _select_dim(ax, sizes)
        self.inner_stride = _select_dim(ax, strides)

    def view(self, arrty, meta):
        ty = Arr(arrty.dtype, len(self.outer_sizes) + 1, "A")
        return av.view(ty, meta.base, meta.offset, self.outer_sizes + [self.inner_size],
                       self.outer_strides + [self.inner_stride])


def _permuted(sizes, strides, dims):
    return [sizes[d] for d in dims], [strides[d] for d in dims]


def _axis_then(sizes, strides, ax, c):
    """Geometry with the run-time axis ``ax`` and then the dimension ``c`` (0 or the last; not
    ``ax``) moved last, the other dimensions in order."""
    nd = len(sizes)
    rest = [d for d in range(nd) if d != c]
    pos = ax if c == nd - 1 else arith.subi(ax, av.cindex(1))     # ax's place in ``rest``
    mv = _Moved(*_permuted(sizes, strides, rest), pos)
    return (mv.outer_sizes + [mv.inner_size, sizes[c]],
            mv.outer_strides + [mv.inner_stride, strides[c]])


def _contiguous_dim(arrty):
    """The dimension whose stride is 1 when the array is contiguous ('A': if any, the last)."""
    return 0 if arrty.layout == "F" else arrty.ndim - 1


def _branch(cond, then, other):
    op = scf.IfOp(cond, [], has_else=True)
    with ir.InsertionPoint(op.then_block):
        then()
        scf.YieldOp([])
    with ir.InsertionPoint(op.else_block):
        other()
        scf.YieldOp([])


def _flat_source(ctx, arrty, arr):
    """The elements of ``arr`` as a 1-D array in C order (a view when C-contiguous)."""
    from numlir.lowering.array_methods import reshape
    meta = av.metadata(arr)
    flatty = Arr(arrty.dtype, 1, "C")
    return flatty, reshape(ctx, arrty, arr, [av.product(meta.sizes)], flatty)


def _lower_reduction(ctx, sig, args, op, keepdims):
    arrty, axisty, dtypety, ddofty = sig.args
    arr, axis, _, ddof = args
    rt = sig.return_type
    out_dt = rt.dtype if isinstance(rt, Arr) else rt
    src_nd = arrty.ndim
    if _absent(axisty):
        srcty, src = _flat_source(ctx, arrty, arr)
        ax, ax_const = av.cindex(0), 0
    else:
        srcty, src = arrty, arr
        ax = normalize_axis(ctx, axis, axisty, src_nd)
        ax_const = _literal_axis(axisty, src_nd)
    meta = av.metadata(src)
    moved = _Moved(meta.sizes, meta.strides, ax)
    if op in ("min", "max", "argmin", "argmax"):
        what = {"min": "zero-size array to reduction operation minimum which has no identity",
                "max": "zero-size array to reduction operation maximum which has no identity",
                "argmin": "attempt to get argmin of an empty sequence",
                "argmax": "attempt to get argmax of an empty sequence"}[op]
        ctx.raise_if(arith.cmpi(P.eq, moved.inner_size, av.cindex(0)), ValueError, what)
    ddof_v = None
    if op in ("var", "std"):
        ddof_v = (ctx.cast(ddof, ddofty, types.float64)
                  if ddof is not None and isinstance(ddofty, (types.Integer, types.Float))
                  else ctx.const(types.float64, 0.0))
    if op in CUMULATIVE_OPS:
        out = av.allocate(ctx, rt, meta.sizes)
    else:
        out = av.allocate(ctx, Arr(out_dt, len(moved.outer_sizes), "C"), moved.outer_sizes)
    _Loops(ctx, op, srcty, meta, ax, moved, out, out_dt, ddof_v).emit(ax_const)
    if op in CUMULATIVE_OPS:
        return out
    if not isinstance(rt, Arr):
        return av.load_elem(ctx, out, [], out_dt)
    if not keepdims:
        return out
    # keepdims: the same buffer with a size-1 dimension at the axis
    if _absent(axisty):
        sizes = [av.cindex(1)] * src_nd
    else:
        om = av.metadata(out)
        sizes = []
        for d in range(src_nd):
            here = arith.cmpi(P.eq, ax, av.cindex(d))
            before = om.sizes[d] if d < src_nd - 1 else av.cindex(1)
            after = om.sizes[d - 1] if d > 0 else av.cindex(1)
            sizes.append(arith.select(here, av.cindex(1),
                                      arith.select(arith.cmpi(P.ult, av.cindex(d), ax),
                                                   before, after)))
    return av.view(rt, av.metadata(out).base, av.cindex(0), sizes, av.contiguous_strides(sizes))


class _Loops:
    """The loop nests of one reduction of ``src`` (metadata ``meta``) along the run-time axis
    ``ax`` into the new C array ``out`` (the source's shape for cumsum/cumprod).

    Two orders, so that the innermost loop always runs along the contiguous dimension c (the
    last of a C array, the first of an F array): *along* when the axis is c (each line is one
    contiguous fold, float sums reassociated so LLVM keeps vector partial sums), *across*
    otherwise (for each reduced index the inner loop folds a row into one running value per
    element of c). The choice is static for a literal axis, else an ``scf.if`` (a constant axis
    folds it after inlining). An 'A' array gets the same two when its dimension c turns out
    contiguous at run time, else the *strided* order: the axis moved last by a view."""

    def __init__(self, ctx, op, srcty, meta, ax, moved, out, out_dt, ddof):
        self.ctx, self.op, self.dt, self.nd = ctx, op, srcty.dtype, srcty.ndim
        self.layout, self.meta, self.ax, self.moved = srcty.layout, meta, ax, moved
        self.out, self.out_dt, self.ddof = out, out_dt, ddof
        self.cumulative = op in CUMULATIVE_OPS

    def emit(self, ax_const):
        c = _contiguous_dim(Arr(self.dt, self.nd, self.layout))

        def by_axis():
            if self.nd == 1 or ax_const == c:
                self.along(c)
            elif ax_const is not None:
                self.across(c)
            else:
                _branch(arith.cmpi(P.eq, self.ax, av.cindex(c)),
                        lambda: self.along(c), lambda: self.across(c))
        if self.layout in "CF":
            by_axis()
            return
        unit = arith.ori(arith.cmpi(P.eq, self.meta.strides[c], av.cindex(1)),
                         arith.cmpi(P.ule, self.meta.sizes[c], av.cindex(1)))
        _branch(unit, by_axis, self.strided)

    def _view(self, dt, meta, sizes, strides, layout):
        return av.view(Arr(dt, len(sizes), layout), meta.base, meta.offset, sizes, strides)

    def along(self, c):
        dims = [d for d in range(self.nd) if d != c] + [c]
        sizes, strides = _permuted(self.meta.sizes, self.meta.strides, dims)
        view = self._view(self.dt, self.meta, sizes, strides, "C")
        out_view = self.out
        if self.cumulative:
            om = av.metadata(self.out)
            out_view = self._view(self.out_dt, om, *_permuted(om.sizes, om.strides, dims),
                                  "C" if c == self.nd - 1 else "A")
        self._lines(view, sizes[:-1], sizes[-1], out_view)

    def strided(self):
        view = self.moved.view(Arr(self.dt, self.nd, "A"), self.meta)
        out_view = self.out
        if self.cumulative:
            om = av.metadata(self.out)
            out_view = _Moved(om.sizes, om.strides, self.ax).view(Arr(self.out_dt, 1, "A"), om)
        # no vector forms: with run-time strides LLVM would gather, and only grow the code
        self._lines(view, self.moved.outer_sizes, self.moved.inner_size, out_view, False)

    def _lines(self, view, outer, n, out_view, vector=True):
        ctx, op, dt, out_dt = self.ctx, self.op, self.dt, self.out_dt

        def body(ivs):
            if self.cumulative:
                cumulate(ctx, op, dt, view, ivs, n, out_dt, out_view)
            else:
                value = reduce_line(ctx, op, dt, view, ivs, n, out_dt, self.ddof, vector)
                av.store_elem(ctx, value, out_view, ivs, out_dt)
        av.loop_nest(outer, body)

    def across(self, c):
        sizes, strides = _axis_then(self.meta.sizes, self.meta.strides, self.ax, c)
        view = self._view(self.dt, self.meta, sizes, strides, "C")
        om = av.metadata(self.out)
        if self.cumulative:
            osizes, ostrides = _axis_then(om.sizes, om.strides, self.ax, c)
        else:
            oc = 0 if c == 0 else self.nd - 2           # c among the result's dimensions
            dims = [d for d in range(self.nd - 1) if d != oc] + [oc]
            osizes, ostrides = _permuted(om.sizes, om.strides, dims)
        out_view = self._view(self.out_dt, om, osizes, ostrides,
                              "C" if c == self.nd - 1 else "A")
        n, m = sizes[-2], sizes[-1]
        rows = [(av.allocate(self.ctx, Arr(t, 1, "C"), [m]), t)
                for t in row_types(self.op, self.dt, self.out_dt)]
        av.loop_nest(sizes[:-2], lambda ivs: fold_rows(
            self.ctx, self.op, self.dt, view, ivs, n, m, out_view, self.out_dt, self.ddof, rows))


# -- Numba's own route for the sum method with an axis ---------------------------------------------
@lower(arraymath._numpy_sum_axis, Arr, types.Integer, types.Any)
def lower_numpy_sum_axis(ctx, sig, args):
    from numba.core import typing
    ssig = typing.signature(sig.return_type, sig.args[0], sig.args[1], sig.args[2], types.none)
    return _lower_reduction(ctx, ssig, [args[0], args[1], None, None], "sum", False)



@lower(arraymath.check_axis_bounds, Arr, types.Any)
def lower_check_axis_bounds(ctx, sig, args):
    """Numba's helper formats the axis into its message; the check with a constant message."""
    arrty, axisty = sig.args
    if isinstance(axisty, types.Integer):
        normalize_axis(ctx, args[1], axisty, arrty.ndim)
    elif isinstance(axisty, types.BaseTuple):
        from numlir.lowering import datamodel as dm
        for t, v in zip(axisty.types, dm.tuple_items(axisty, args[1])):
            normalize_axis(ctx, v, t, arrty.ndim)
    return None
