"""The folds of the axis reductions (:mod:`numlir.lowering.axis_reductions`): one line of a
contiguous reduced axis (:func:`reduce_line`: float sums reassociated, float min/max in
``_LANES`` running values, argmin/argmax by vectorized chunk extremes, var/std in two passes),
running values across a contiguous row (:func:`fold_rows`), cumulative sums and products
(:func:`cumulate`); the scalar operations they share."""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf
from mlir.dialects import math as mmath
from numba.core import types

from numlir.lowering import array_views as av
from numlir.lowering.ordering import beyond, extreme

P = arith.CmpIPredicate
CUMULATIVE_OPS = ("cumsum", "cumprod")

_CHUNK = 256        # elements per vectorized extreme in argmin/argmax along a line
_LANES = 16          # running values of a float min/max along a line


def _reassoc():
    return ir.Attribute.parse("#arith.fastmath<reassoc>")


def _add(ctx, t, reassoc=False):
    if reassoc and isinstance(t, types.Float):
        # lets LLVM keep several partial sums in vector lanes (as fused_reductions does; NumPy's
        # pairwise summation is not sequential either)
        return lambda a, b: arith.AddFOp(a, b, fastmath=_reassoc()).result
    from numlir.lowering.array_iteration import _adder
    return _adder(ctx, t)


def _mul(t, reassoc=False):
    if isinstance(t, types.Float):
        if reassoc:
            return lambda a, b: arith.MulFOp(a, b, fastmath=_reassoc()).result
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


def _fold(lo, hi, inits, step):
    """``scf.for k in [lo, hi)`` carrying ``inits`` through ``step(carried, k)``; final values."""
    loop = scf.ForOp(lo, hi, av.cindex(1), inits)
    with ir.InsertionPoint(loop.body):
        scf.YieldOp(step(list(loop.inner_iter_args), loop.induction_variable))
    return list(loop.results)


def _for(lo, hi, body):
    loop = scf.ForOp(lo, hi, av.cindex(1))
    with ir.InsertionPoint(loop.body):
        body(loop.induction_variable)
        scf.YieldOp([])


def _sum_acc(op, out_dt):
    """A float32 sum in float64: NumPy's pairwise float32 sum is that accurate, a sequential
    float32 one is not (relative error ~n * 2**-24). cumsum stays in its type, as NumPy's
    sequential one does."""
    if op == "sum":
        return {types.float32: types.float64, types.complex64: types.complex128}.get(out_dt,
                                                                                     out_dt)
    return out_dt


def reduce_line(ctx, op, dt, view, ivs, n, out_dt, ddof, vector):
    """``op`` of ``view[ivs + (k,)]`` for k in [0, n): one fold along the line; ``vector``: in
    the forms LLVM vectorizes (for a line with unit stride)."""
    zero, one = av.cindex(0), av.cindex(1)

    def load(k):
        return av.load_elem(ctx, view, list(ivs) + [k], dt)

    if op in ("sum", "prod"):
        acc_t = _sum_acc(op, out_dt)
        combine = _add(ctx, acc_t, vector) if op == "sum" else _mul(acc_t, vector)

        def step(acc, k):
            return [combine(acc[0], ctx.cast(load(k), dt, acc_t))]
        total = _fold(zero, n, [ctx.const(acc_t, 0 if op == "sum" else 1)], step)[0]
        return ctx.cast(total, acc_t, out_dt)
    if op in ("min", "max") and isinstance(dt, types.Complex):
        def step(acc, k):
            x = load(k)
            return [extreme(acc[0], x, dt, op == "max")]
        return _fold(one, n, [load(zero)], step)[0]
    if op in ("min", "max"):
        return line_extreme(dt, load, zero, n, op == "max", vector)
    if op in ("argmin", "argmax") and (isinstance(dt, types.Complex) or not vector):
        def step(acc, k):
            x = load(k)
            take = beyond(x, acc[0], dt, op == "argmax")
            return [arith.select(take, x, acc[0]), arith.select(take, k, acc[1])]
        return av.to_int64(_fold(one, n, [load(zero), zero], step)[1])
    if op in ("argmin", "argmax"):
        return av.to_int64(_arg_extreme(dt, load, n, op == "argmax"))
    if op in ("any", "all"):
        combine = arith.ori if op == "any" else arith.andi

        def step(acc, k):
            return [combine(acc[0], _truth(ctx, load(k), dt))]
        return _fold(zero, n, [ctx.const(types.boolean, op == "all")], step)[0]
    # mean, var, std: accumulate in the result's (complex) type, at least float64 for f32 inputs
    acc_t = _mean_acc(dt, out_dt)
    add = _add(ctx, acc_t, vector)

    def step(acc, k):
        return [add(acc[0], ctx.cast(load(k), dt, acc_t))]
    total = _fold(zero, n, [ctx.const(acc_t, 0)], step)[0]
    mean = _div(total, ctx.cast(av.to_int64(n), types.int64, acc_t), acc_t)
    if op == "mean":
        return ctx.cast(mean, acc_t, out_dt)
    real_t = acc_t.underlying_float if isinstance(acc_t, types.Complex) else acc_t
    add_real = _add(ctx, real_t, vector)

    def step2(acc, k):
        d = _sub(ctx.cast(load(k), dt, acc_t), mean, acc_t)
        return [add_real(acc[0], _abs2(d, acc_t))]
    ss = _fold(zero, n, [ctx.const(real_t, 0.0)], step2)[0]
    return _variance(ctx, op, ss, n, ddof, real_t, out_dt)


def _variance(ctx, op, ss, n, ddof, real_t, out_dt):
    # NumPy divides by max(n - ddof, 0): inf or nan, never a negative variance
    denom = arith.maximumf(arith.subf(ctx.cast(av.to_int64(n), types.int64, real_t),
                                      ctx.cast(ddof, types.float64, real_t)),
                           ctx.const(real_t, 0.0))
    var = arith.divf(ss, denom)
    if op == "std":
        var = mmath.sqrt(var)
    return ctx.cast(var, real_t, out_dt)


def line_extreme(dt, load, lo, hi, largest, vector=True):
    """The maximum (``largest``) or minimum of ``load(k)``, k in [lo, hi) (not empty). LLVM does
    not vectorize a fold of NaN-propagating float maxima (``arith.maximumf`` expands to compares
    and selects), so floats keep ``_LANES`` running values, one per element of a block, which
    its SLP vectorizer turns into vector operations. The rest of the line is one more block, the
    line's last ``_LANES`` elements (indices clamped into a shorter line): max(x, x) == x, so
    elements seen twice do no harm."""
    pick = _pick(dt, largest)
    if not (vector and isinstance(dt, types.Float)):
        return _fold(arith.addi(lo, av.cindex(1)), hi, [load(lo)],
                     lambda acc, k: [pick(acc[0], load(k))])[0]
    lanes = av.cindex(_LANES)
    count = arith.subi(hi, lo)
    end = arith.addi(lo, arith.muli(arith.divui(count, lanes), lanes))
    loop = scf.ForOp(lo, end, lanes, [load(lo)] * _LANES)     # any start: see above
    with ir.InsertionPoint(loop.body):
        k = loop.induction_variable
        scf.YieldOp([pick(acc, load(arith.addi(k, av.cindex(i))))
                     for i, acc in enumerate(loop.inner_iter_args)])
    last = arith.select(arith.cmpi(P.uge, count, lanes), arith.subi(hi, lanes), lo)
    top = arith.subi(hi, av.cindex(1))
    accs = [pick(acc, load(arith.minui(arith.addi(last, av.cindex(i)), top)))
            for i, acc in enumerate(loop.results)]
    while len(accs) > 1:
        accs = [pick(accs[i], accs[i + 1]) for i in range(0, len(accs), 2)]
    return accs[0]


def _arg_extreme(dt, load, n, largest):
    """Index of the first extreme of ``load(k)``, k in [0, n) (n > 0), for a real or bool type:
    the extreme of each chunk of ``_CHUNK`` elements (a fold LLVM vectorizes), the first chunk
    holding the overall extreme (a NaN counts as extreme), then the first element of that chunk
    equal to it (or NaN). A select chain carrying the index would not vectorize."""
    zero, one, size = av.cindex(0), av.cindex(1), av.cindex(_CHUNK)

    def bounds(chunk):
        lo = arith.muli(chunk, size)
        return lo, arith.minui(arith.addi(lo, size), n)

    def chunk_extreme(chunk):
        return line_extreme(dt, load, *bounds(chunk), largest)

    def step(acc, chunk):
        x = chunk_extreme(chunk)
        take = beyond(x, acc[0], dt, largest)
        return [arith.select(take, x, acc[0]), arith.select(take, chunk, acc[1])]
    chunks = arith.ceildivui(n, size)
    best, chunk = _fold(one, chunks, [chunk_extreme(zero), zero], step)
    lo, hi = bounds(chunk)

    def find(acc, k):
        x = load(k)
        if isinstance(dt, types.Float):
            F = arith.CmpFPredicate
            hit = arith.ori(arith.cmpf(F.OEQ, x, best), arith.cmpf(F.UNO, x, x))
        else:
            hit = arith.cmpi(P.eq, x, best)
        return [arith.minui(acc[0], arith.select(hit, k, hi))]       # a vectorizable min
    return _fold(lo, hi, [hi], find)[0]


def row_types(op, dt, out_dt):
    """Element types of the running values ``fold_rows`` keeps, one row each."""
    if op in ("min", "max"):
        return [dt]
    if op in ("argmin", "argmax"):
        return [dt, types.int64]
    if op in ("any", "all"):
        return [types.boolean]
    if op in ("mean", "var", "std"):
        acc_t = _mean_acc(dt, out_dt)
        real_t = acc_t.underlying_float if isinstance(acc_t, types.Complex) else acc_t
        return [acc_t] if op == "mean" else [acc_t, real_t]
    return [_sum_acc(op, out_dt)]


def fold_rows(ctx, op, dt, view, ivs, n, m, out_view, out_dt, ddof, rows):
    """``op`` of ``view[ivs + (k, j)]`` over k in [0, n) into ``out_view[ivs + (j,)]`` for every
    j in [0, m) (cumsum/cumprod: into ``out_view[ivs + (k, j)]``): the inner loop runs along j,
    the contiguous dimension, updating running values kept in the scratch ``rows``."""
    zero, one = av.cindex(0), av.cindex(1)
    ivs = list(ivs)

    def load(k, j):
        return av.load_elem(ctx, view, ivs + [k, j], dt)

    def get(r, j):
        return av.load_elem(ctx, rows[r][0], [j], rows[r][1])

    def put(r, j, value):
        av.store_elem(ctx, value, rows[r][0], [j], rows[r][1])

    def each_row(fn):
        _for(zero, m, fn)

    def each(lo, fn):
        _for(lo, n, lambda k: _for(zero, m, lambda j: fn(k, j)))

    def result(fn):
        each_row(lambda j: av.store_elem(ctx, fn(j), out_view, ivs + [j], out_dt))

    acc_t = rows[0][1]
    if op in ("min", "max", "argmin", "argmax"):
        largest = op in ("max", "argmax")
        each_row(lambda j: put(0, j, load(zero, j)))
        if op in ("argmin", "argmax"):
            each_row(lambda j: put(1, j, ctx.const(types.int64, 0)))

        def step(k, j):
            x, best = load(k, j), get(0, j)
            if op in ("min", "max") and not isinstance(dt, types.Complex):
                put(0, j, _pick(dt, largest)(best, x))
                return
            take = beyond(x, best, dt, largest)
            put(0, j, arith.select(take, x, best))
            if op in ("argmin", "argmax"):
                put(1, j, arith.select(take, av.to_int64(k), get(1, j)))
        each(one, step)
        result(lambda j: get(1 if op in ("argmin", "argmax") else 0, j))
        return
    if op in ("any", "all"):
        combine, start = (arith.ori, False) if op == "any" else (arith.andi, True)
    elif op in ("prod", "cumprod"):
        combine, start = _mul(acc_t), 1
    else:
        combine, start = _add(ctx, acc_t), 0
    each_row(lambda j: put(0, j, ctx.const(acc_t, start)))

    def step(k, j):
        x = load(k, j)
        value = combine(get(0, j), _truth(ctx, x, dt) if op in ("any", "all")
                        else ctx.cast(x, dt, acc_t))
        put(0, j, value)
        if op in CUMULATIVE_OPS:
            av.store_elem(ctx, ctx.cast(value, acc_t, out_dt), out_view, ivs + [k, j], out_dt)
    each(zero, step)
    if op in CUMULATIVE_OPS:
        return
    if op in ("sum", "prod", "any", "all"):
        result(lambda j: ctx.cast(get(0, j), acc_t, out_dt))
        return
    count = ctx.cast(av.to_int64(n), types.int64, acc_t)
    if op == "mean":
        result(lambda j: ctx.cast(_div(get(0, j), count, acc_t), acc_t, out_dt))
        return
    real_t = rows[1][1]
    each_row(lambda j: (put(0, j, _div(get(0, j), count, acc_t)),
                        put(1, j, ctx.const(real_t, 0.0))))

    def step2(k, j):
        d = _sub(ctx.cast(load(k, j), dt, acc_t), get(0, j), acc_t)
        put(1, j, arith.addf(get(1, j), _abs2(d, acc_t)))
    each(zero, step2)
    result(lambda j: _variance(ctx, op, get(1, j), n, ddof, real_t, out_dt))


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


def cumulate(ctx, op, dt, view, ivs, n, out_dt, out_view):
    """The running sum/product along a line (sequential: each value depends on the previous)."""
    acc_t = _sum_acc(op, out_dt)
    combine = _add(ctx, acc_t) if op == "cumsum" else _mul(acc_t)

    def step(acc, k):
        x = ctx.cast(av.load_elem(ctx, view, list(ivs) + [k], dt), dt, acc_t)
        new = combine(acc[0], x)
        av.store_elem(ctx, ctx.cast(new, acc_t, out_dt), out_view, list(ivs) + [k], out_dt)
        return [new]
    _fold(av.cindex(0), n, [ctx.const(acc_t, 0 if op == "cumsum" else 1)], step)


