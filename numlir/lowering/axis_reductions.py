"""Reductions along an axis: ``sum prod min max amin amax mean var std argmin argmax any all`` with
``axis`` (int, negative), ``keepdims``, ``dtype`` and ``ddof``, and ``cumsum``/``cumprod`` along an
axis, as functions and methods.

Typing: ``@overload(..., target="numlir")`` templates, tried before Numba's generic ones. The
function forms claim the calls Numba's own implementations reject, lower through llvmlite
intrinsics or get wrong (an integer axis, keepdims, ddof, a dtype for mean/prod, argmin/argmax of
complex arrays; var and std always); every other call falls through to Numba, so whole-array
reductions keep their fused lowering. The methods are taken over in every form (a method's
attribute template is all-or-nothing); their plain whole-array calls still get the fused rules.
Each implementation calls a stub per (operation, keepdims) whose rule emits the loops directly:
the reduced axis, chosen at run time, is moved last by a strided view, the other dimensions
become a loop nest and the axis an inner ``scf.for`` carrying the accumulator. Complex numbers
order lexicographically (min/max/argmin/argmax), a NaN (in either part) wins, as in NumPy.
"""
from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import arith, scf
from mlir.dialects import math as mmath
from numba.core import types
from numba.core.errors import TypingError
from numba.core.extending import overload, overload_method
from numba.core.typing.templates import AbstractTemplate, infer_global, signature
from numba.np import arraymath

from numlir.errors import UnsupportedError
from numlir.lowering import array_views as av
from numlir.lowering.registry import lower

Arr = types.Array
P = arith.CmpIPredicate
_REDUCE_OPS = ("sum", "prod", "min", "max", "mean", "var", "std", "argmin", "argmax", "any",
               "all")
_CUMULATIVE_OPS = ("cumsum", "cumprod")


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
    if op in _CUMULATIVE_OPS:
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


for _op in _REDUCE_OPS + _CUMULATIVE_OPS:
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
            body = (f"def impl(a, {names}):\n"
                    f"    return stub(a, {'axis' if 'axis' in has else 'None'}, "
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
def _select_dim(ax, values, pick):
    """``values[pick(j)]`` for the run-time axis ``ax``: a chain of selects."""
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


class _Moved:
    """Geometry of an array with the axis ``ax`` moved last: outer sizes/strides, inner one."""

    def __init__(self, sizes, strides, ax):
        nd = len(sizes)
        self.outer_sizes, self.outer_strides = [], []
        for j in range(nd - 1):
            ge = arith.cmpi(P.sge, av.cindex(j), ax)
            self.outer_sizes.append(arith.select(ge, sizes[j + 1], sizes[j]))
            self.outer_strides.append(arith.select(ge, strides[j + 1], strides[j]))
        self.inner_size = _select_dim(ax, sizes, None)
        self.inner_stride = _select_dim(ax, strides, None)

    def view(self, arrty, meta):
        ty = Arr(arrty.dtype, len(self.outer_sizes) + 1, "A")
        return av.view(ty, meta.base, meta.offset, self.outer_sizes + [self.inner_size],
                       self.outer_strides + [self.inner_stride])


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
        ax = av.cindex(0)
    else:
        srcty, src = arrty, arr
        ax = normalize_axis(ctx, axis, axisty, src_nd)
    meta = av.metadata(src)
    moved = _Moved(meta.sizes, meta.strides, ax)
    view = moved.view(srcty, meta)
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
    if op in _CUMULATIVE_OPS:
        out = av.allocate(ctx, rt, meta.sizes)
        out_view = _Moved(meta.sizes, av.metadata(out).strides, ax).view(rt, av.metadata(out))

        def body(ivs):
            _cumulate(ctx, op, srcty.dtype, view, ivs, moved.inner_size, out_dt, out_view)
        av.loop_nest(moved.outer_sizes, body)
        return out
    out_ty = Arr(out_dt, len(moved.outer_sizes), "C")
    out = av.allocate(ctx, out_ty, moved.outer_sizes)

    def body(ivs):
        value = _reduce_line(ctx, op, srcty.dtype, view, ivs, moved.inner_size, out_dt, ddof_v)
        av.store_elem(ctx, value, out, ivs, out_dt)
    av.loop_nest(moved.outer_sizes, body)
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


# -- scalar pieces ---------------------------------------------------------------------------------
def _is_float(t):
    return isinstance(t, types.Float)


def _add(ctx, t):
    from numlir.lowering.array_iteration import _adder
    return _adder(ctx, t)


def _mul(t):
    if isinstance(t, types.Float):
        return arith.mulf
    if isinstance(t, types.Complex):
        from mlir.dialects import complex as cplx
        return cplx.mul
    if isinstance(t, types.Boolean):
        return arith.andi
    return arith.muli


def _truth(ctx, x, t):
    if isinstance(t, types.Boolean):
        return x
    if isinstance(t, types.Float):
        return arith.cmpf(arith.CmpFPredicate.UNE, x, arith.constant(x.type, 0.0))
    if isinstance(t, types.Complex):
        from mlir.dialects import complex as cplx
        ft = t.underlying_float
        return arith.ori(_truth(ctx, cplx.re(x), ft), _truth(ctx, cplx.im(x), ft))
    return arith.cmpi(P.ne, x, arith.constant(x.type, 0))


def _pick(t, largest):
    if isinstance(t, types.Float):
        return arith.maximumf if largest else arith.minimumf
    if isinstance(t, types.Boolean):
        return arith.ori if largest else arith.andi
    if t.signed:
        return arith.maxsi if largest else arith.minsi
    return arith.maxui if largest else arith.minui


def _better(x, best, t, largest):
    """Whether ``x`` replaces ``best`` in argmax/argmin (first extreme wins; NaN is extreme)."""
    if isinstance(t, types.Complex):
        # NumPy orders complex numbers lexicographically; one with a NaN part counts as NaN
        from mlir.dialects import complex as cplx
        F = arith.CmpFPredicate
        xr, xi, br, bi = cplx.re(x), cplx.im(x), cplx.re(best), cplx.im(best)
        beyond = F.OGT if largest else F.OLT
        strict = arith.ori(arith.cmpf(beyond, xr, br),
                           arith.andi(arith.cmpf(F.OEQ, xr, br), arith.cmpf(beyond, xi, bi)))
        x_nan = arith.cmpf(F.UNO, xr, xi)
        best_ok = arith.cmpf(F.ORD, br, bi)
        return arith.andi(best_ok, arith.ori(strict, x_nan))
    if isinstance(t, types.Float):
        F = arith.CmpFPredicate
        strict = arith.cmpf(F.OGT if largest else F.OLT, x, best)
        x_nan = arith.cmpf(F.UNO, x, x)
        best_ok = arith.cmpf(F.ORD, best, best)
        return arith.ori(strict, arith.andi(x_nan, best_ok))
    if isinstance(t, types.Boolean):
        return arith.cmpi(P.ugt if largest else P.ult, x, best)
    if t.signed:
        return arith.cmpi(P.sgt if largest else P.slt, x, best)
    return arith.cmpi(P.ugt if largest else P.ult, x, best)


def _fold_line(view, ivs, n, start, inits, step, lo=None):
    """``scf.for k in [lo, n)`` over ``view[ivs + (k,)]`` carrying ``inits``; final carries."""
    loop = scf.ForOp(lo if lo is not None else av.cindex(0), n, av.cindex(1), inits)
    with ir.InsertionPoint(loop.body):
        k = loop.induction_variable
        new = step(list(loop.inner_iter_args), k)
        scf.YieldOp(new)
    return list(loop.results)


def _reduce_line(ctx, op, dt, view, ivs, n, out_dt, ddof):
    def load(k):
        return av.load_elem(ctx, view, list(ivs) + [k], dt)

    if op in ("sum", "prod"):
        # a float32 sum in float64: NumPy's pairwise float32 sum is that accurate, a sequential
        # float32 one is not (relative error ~n * 2**-24)
        acc_t = {types.float32: types.float64,
                 types.complex64: types.complex128}.get(out_dt, out_dt) if op == "sum" else out_dt
        combine = _add(ctx, acc_t) if op == "sum" else _mul(acc_t)

        def step(acc, k):
            return [combine(acc[0], ctx.cast(load(k), dt, acc_t))]
        total = _fold_line(view, ivs, n, None, [ctx.const(acc_t, 0 if op == "sum" else 1)],
                           step)[0]
        return ctx.cast(total, acc_t, out_dt)
    if op in ("min", "max") and isinstance(dt, types.Complex):
        def step(acc, k):
            x = load(k)
            return [arith.select(_better(x, acc[0], dt, op == "max"), x, acc[0])]
        return _fold_line(view, ivs, n, None, [load(av.cindex(0))], step, lo=av.cindex(1))[0]
    if op in ("min", "max"):
        pick = _pick(dt, op == "max")

        def step(acc, k):
            return [pick(acc[0], load(k))]
        first = load(av.cindex(0))
        return _fold_line(view, ivs, n, None, [first], step, lo=av.cindex(1))[0]
    if op in ("argmin", "argmax"):
        def step(acc, k):
            x = load(k)
            take = _better(x, acc[0], dt, op == "argmax")
            return [arith.select(take, x, acc[0]), arith.select(take, k, acc[1])]
        first = load(av.cindex(0))
        _, idx = _fold_line(view, ivs, n, None, [first, av.cindex(0)], step, lo=av.cindex(1))
        return av.to_int64(idx)
    if op in ("any", "all"):
        combine = arith.ori if op == "any" else arith.andi

        def step(acc, k):
            return [combine(acc[0], _truth(ctx, load(k), dt))]
        return _fold_line(view, ivs, n, None, [ctx.const(types.boolean, op == "all")], step)[0]
    # mean, var, std: accumulate in the result's (complex) type, at least float64 for f32 inputs
    acc_t = _mean_acc(dt, out_dt)
    add = _add(ctx, acc_t)

    def step(acc, k):
        return [add(acc[0], ctx.cast(load(k), dt, acc_t))]
    total = _fold_line(view, ivs, n, None, [ctx.const(acc_t, 0)], step)[0]
    count = ctx.cast(av.to_int64(n), types.int64, acc_t)
    mean = _div(total, count, acc_t)
    if op == "mean":
        return ctx.cast(mean, acc_t, out_dt)
    real_t = acc_t.underlying_float if isinstance(acc_t, types.Complex) else acc_t

    def step2(acc, k):
        d = _sub(ctx.cast(load(k), dt, acc_t), mean, acc_t)
        return [arith.addf(acc[0], _abs2(d, acc_t))]
    ss = _fold_line(view, ivs, n, None, [ctx.const(real_t, 0.0)], step2)[0]
    # NumPy divides by max(n - ddof, 0): inf or nan, never a negative variance
    denom = arith.maximumf(arith.subf(ctx.cast(av.to_int64(n), types.int64, real_t),
                                      ctx.cast(ddof, types.float64, real_t)),
                           ctx.const(real_t, 0.0))
    var = arith.divf(ss, denom)
    if op == "std":
        var = mmath.sqrt(var)
    return ctx.cast(var, real_t, out_dt)


def _mean_acc(dt, out_dt):
    if isinstance(out_dt, types.Float) and out_dt.bitwidth < 64:
        return types.float64
    if isinstance(dt, types.Complex):
        return types.complex128
    return types.float64 if not isinstance(out_dt, types.Complex) else out_dt


def _div(a, b, t):
    if isinstance(t, types.Complex):
        from mlir.dialects import complex as cplx
        return cplx.div(a, b)
    return arith.divf(a, b)


def _sub(a, b, t):
    if isinstance(t, types.Complex):
        from mlir.dialects import complex as cplx
        return cplx.sub(a, b)
    return arith.subf(a, b)


def _abs2(d, t):
    if isinstance(t, types.Complex):
        from mlir.dialects import complex as cplx
        re, im = cplx.re(d), cplx.im(d)
        return arith.addf(arith.mulf(re, re), arith.mulf(im, im))
    return arith.mulf(d, d)


def _cumulate(ctx, op, dt, view, ivs, n, out_dt, out_view):
    combine = _add(ctx, out_dt) if op == "cumsum" else _mul(out_dt)

    def step(acc, k):
        x = ctx.cast(av.load_elem(ctx, view, list(ivs) + [k], dt), dt, out_dt)
        new = combine(acc[0], x)
        av.store_elem(ctx, new, out_view, list(ivs) + [k], out_dt)
        return [new]
    _fold_line(view, ivs, n, None, [ctx.const(out_dt, 0 if op == "cumsum" else 1)], step)


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
