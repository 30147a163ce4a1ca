"""Array expressions against NumPy: operators incl. ``// % **``, ufuncs, broadcasting decided at
run time (size-1 and 0-size dimensions, 0-d arrays), chains fused across statements, in-place
operators (also with overlapping operands), fused whole-array reductions.

Values and dtypes are NumPy 2's (NEP 50: Python scalars are weak, ``int32_array * 2`` is int32).
"""
import warnings

import numpy as np
import pytest

import numlir
from tests.numeric.test_array_support import layout, sample


def _np(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn.py_func(*args)


def _check(fn, *args, rtol=1e-12):
    want = _np(fn, *args)
    got = fn(*args)
    want_t = want if isinstance(want, tuple) else (want,)
    got_t = got if isinstance(got, tuple) else (got,)
    assert len(got_t) == len(want_t)
    for g, w in zip(got_t, want_t):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape, (g.shape, w.shape)
        if w.dtype.kind in "fc" and rtol:
            np.testing.assert_allclose(g, w.astype(g.dtype), rtol=rtol, atol=0, equal_nan=True)
        else:
            np.testing.assert_array_equal(g, w.astype(g.dtype))


@numlir.njit
def arith_ops(a, b):
    return a + b, a - b, a * b, a / b, a // b, a % b


@numlir.njit
def compare_ops(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b


@numlir.njit
def bit_ops(a, b):
    return a & b, a | b, a ^ b, ~a


@numlir.njit
def chain(a, b, c):
    t = a * b
    u = t - c / 2.0
    v = -u + np.abs(t)
    return np.sqrt(np.abs(v)) + np.exp(-np.abs(u))


@numlir.njit
def scalar_mix(a, x):
    return 2 * a - x, a ** 2, x / (a + 10)


@numlir.njit
def reductions(a, b):
    return np.sum(a * b), (a + b).sum(), np.prod(a - b), np.mean(a * 2)


@numlir.njit
def inplace_ops(a, b):
    a += b
    a -= 2 * b
    a *= 3
    return a


@numlir.njit
def inplace_overlap(a):
    a += a[::-1]
    return a


@numlir.njit
def inplace_broadcast(a, row):
    a *= row
    a += 1.0
    return a


@numlir.njit
def ufunc_set(x, y):
    return (np.sin(x), np.cos(x), np.tanh(x), np.log1p(np.abs(x)), np.arctan2(x, y),
            np.hypot(x, y), np.minimum(x, y), np.maximum(x, y), np.floor(x), np.ceil(x),
            np.power(np.abs(x), y))


INT_DTYPES = [np.int8, np.int32, np.int64, np.uint8, np.uint64]
NUM_DTYPES = INT_DTYPES + [np.float32, np.float64]


@pytest.mark.parametrize("dtype", NUM_DTYPES, ids=lambda d: np.dtype(d).name)
def test_arith_ops_with_zero_divisors(dtype):
    a = sample((3, 4), dtype)
    b = sample((3, 4), dtype, start=5)
    b[0, :2] = 0                       # NumPy: integer // 0 == 0, float // 0 == inf/nan
    _check(arith_ops, a, b)


@pytest.mark.parametrize("kinds", [("C", "F"), ("strided", "T"), ("C", "broadcast")])
def test_arith_ops_layouts(kinds):
    a = layout((4, 3), np.float64, kinds[0])
    b = layout((4, 3), np.float64, kinds[1], start=3)
    _check(arith_ops, a, b)
    _check(compare_ops, a, b)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.uint8, np.int64])
def test_bit_ops(dtype):
    _check(bit_ops, sample((5,), dtype), sample((5,), dtype, start=3))


@pytest.mark.parametrize("shapes", [
    ((3, 4), (4,)), ((3, 1), (1, 4)), ((3, 4), (3, 1)), ((1,), (5,)), ((0, 3), (3,)),
    ((2, 1, 3), (4, 1)), ((), (3,)), ((2, 3), ()),
])
def test_runtime_broadcasting(shapes):
    a = sample(shapes[0], np.float64)
    b = sample(shapes[1], np.float64, start=4)
    _check(arith_ops, a, b)
    _check(chain, a, b, a)


def test_shapes_that_do_not_broadcast_raise():
    with pytest.raises(ValueError):
        arith_ops(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        chain(np.ones((2, 3)), np.ones((2, 3)), np.ones(2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_chain_special_values(dtype):
    a = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -2.5], dtype)
    b = np.array([np.nan, 1.0, 0.0, np.inf, 2.0, 1e30, 3.0], dtype)
    _check(chain, a, b, b, rtol=1e-6 if dtype == np.float32 else 1e-12)
    _check(arith_ops, a, b)


def test_integer_overflow_wraps():
    a = np.array([127, -128, 100], np.int8)
    b = np.array([1, -1, 100], np.int8)
    _check(arith_ops, a, b)
    big = np.array([2**62, -(2**63)], np.int64)
    _check(arith_ops, big, big)


@pytest.mark.parametrize("dtype", [np.int32, np.float64])
def test_scalar_operands(dtype):
    a = sample((2, 3), dtype)
    got = scalar_mix(a, 3)
    want = _np(scalar_mix, a, 3)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8, np.complex128])
def test_fused_reductions(dtype):
    a = sample((4, 5), dtype)
    b = layout((4, 5), dtype, "T", start=2)
    _check(reductions, a, b, rtol=1e-10)


@numlir.njit
def bool_reductions(a, b):
    return np.sum(a & b), (a | b).sum(), np.mean(a), a.prod()


def test_bool_reductions():
    _check(bool_reductions, sample((3, 5), np.bool_), sample((3, 5), np.bool_, start=2))


def test_reductions_of_empty_arrays():
    a = np.ones((0, 3))
    got = reductions(a, a)
    assert got[0] == 0.0 and got[1] == 0.0 and got[2] == 1.0 and np.isnan(got[3])


@pytest.mark.parametrize("dtype", [np.float64, np.int32])
def test_inplace_operators(dtype):
    a = sample((3, 4), dtype)
    b = sample((3, 4), dtype, start=7)
    want = _np(inplace_ops, a.copy(), b)
    got_in = a.copy()
    got = inplace_ops(got_in, b)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got_in, want)      # written in place


def test_inplace_with_overlapping_operand():
    a = np.arange(7.0)
    want = _np(inplace_overlap, a.copy())
    np.testing.assert_array_equal(inplace_overlap(a.copy()), want)


def test_inplace_broadcast_and_fortran_destination():
    for a in (np.arange(12.0).reshape(3, 4), np.asfortranarray(np.arange(12.0).reshape(3, 4))):
        row = np.array([1.0, 2.0, 3.0, 4.0])
        want = _np(inplace_broadcast, a.copy(), row)
        np.testing.assert_array_equal(inplace_broadcast(a.copy(), row), want)
    with pytest.raises(ValueError):
        inplace_broadcast(np.ones((3, 1)), np.ones(4))   # the result would not fit in ``a``


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ufuncs(dtype):
    x = np.linspace(-3, 3, 13).astype(dtype)
    y = np.linspace(0.5, 2, 13).astype(dtype)
    _check(ufunc_set, x, y, rtol=2e-6 if dtype == np.float32 else 1e-13)


@numlir.njit
def weak_scalar(a):
    return a * 2


@numlir.njit
def weak_mix(a):
    return a * 2, a + 1.5, a ** 2, a < 2.5, a // 2, np.add(a, 3), a * (1 + 2j)


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint8, np.float32, np.int64, np.float64,
                                   np.complex64])
def test_nep50_weak_scalars(dtype):
    """Python scalars take the array's dtype where their kind allows (NumPy 2, NEP 50)."""
    assert weak_scalar(np.ones(3, dtype)).dtype == dtype
    a = np.arange(4).astype(dtype)
    with np.errstate(all="ignore"):
        want = weak_mix.py_func(a) if dtype != np.complex64 else None
    if want is None:
        return
    for g, w in zip(weak_mix(a), want):
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-6)


@numlir.njit
def matmul(a, b):
    return a @ b


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matmul_blas_and_fallback(dtype):
    rng = np.random.default_rng(0)
    cases = [
        (rng.random((5, 3)), rng.random((3, 4))),                  # C @ C
        (rng.random((3, 5)).T, rng.random((3, 4))),                # transposed operand
        (np.asfortranarray(rng.random((6, 7))), rng.random((4, 7)).T),
        (rng.random((4, 6))[:, ::2], rng.random((3, 2))),          # no unit stride: loop nest
        (rng.random((4, 3)), rng.random(3)),                       # matrix @ vector
        (rng.random((4, 3)), rng.random(6)[::2]),
        (rng.random((0, 3)), rng.random((3, 2))), (rng.random((3, 0)), rng.random((0, 2))),
        (rng.random((40, 30)), rng.random((30, 20))),
    ]
    for a, b in cases:
        a, b = a.astype(dtype), b.astype(dtype)
        got = matmul(a, b)
        assert got.dtype == dtype and got.shape == (a @ b).shape
        np.testing.assert_allclose(got, a @ b, rtol=1e-5 if dtype == np.float32 else 1e-12)
    with pytest.raises(ValueError):
        matmul(np.ones((2, 3), dtype), np.ones((2, 3), dtype))


@numlir.njit
def stencil_slices(a):
    return 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])


@pytest.mark.parametrize("shape", [(6, 5), (3, 3), (2, 7), (40, 1)])
def test_stencil_of_slices(shape):
    a = np.random.default_rng(0).random(shape)
    _check(stencil_slices, a)
    _check(stencil_slices, np.asfortranarray(a))


@numlir.njit
def extremes(a, b):
    return np.max(a * b), (a - b).min(), a.max(), np.amin(a), np.where(a > b, a, b * 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int8, np.uint8, np.int64])
def test_fused_extremes_and_where(dtype):
    a = sample((3, 4), dtype)
    b = layout((3, 4), dtype, "strided", start=3)
    _check(extremes, a, b)


@numlir.njit
def max_min(x):
    return x.max(), x.min()


def test_extremes_nan_bool_empty():
    got = max_min(np.array([1.0, np.nan, 3.0]))
    assert np.isnan(got[0]) and np.isnan(got[1])
    assert max_min(np.array([True, False])) == (True, False)
    with pytest.raises(ValueError, match="zero-size array"):
        max_min(np.ones(0))


@numlir.njit
def ufunc_out(a, b, o):
    np.add(a, b, o)
    np.sqrt(o, o)
    return np.multiply(a[::-1], o, o)


def test_ufunc_out_argument():
    a, b = np.arange(6.0), np.linspace(0, 1, 6)
    o = np.empty(6)
    want = np.empty(6)
    ufunc_out.py_func(a, b, want)
    got = ufunc_out(a, b, o)
    np.testing.assert_allclose(got, want)
    np.testing.assert_allclose(o, want)           # written in place
    with pytest.raises(ValueError):
        ufunc_out(np.ones(3), np.ones(3), np.empty(2))


@numlir.njit
def stencil_into(a, out):
    out[1:-1, 1:-1] = 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])
    return out


@numlir.njit
def shift_expr(a):
    a[1:] = a[:-1] * 2.0
    a[0] = -a[1] + 0.5
    return a


def test_expression_assigned_into_a_view():
    a = np.random.default_rng(0).random((6, 5))
    want = np.zeros((6, 5))
    stencil_into.py_func(a, want)
    out = np.zeros((6, 5))
    stencil_into(a, out)
    np.testing.assert_allclose(out, want)
    x = np.arange(6.0)
    np.testing.assert_array_equal(shift_expr(x.copy()), shift_expr.py_func(x.copy()))
    assert stencil_into.inspect_mlir(stage="lowered").count("memref.copy") == 0


@numlir.njit
def bool_scalar_operands(a, out):
    return (np.multiply(a, True), np.add(False, a), np.maximum(a, False),
            np.subtract(a, True, out))


@pytest.mark.parametrize("dtype", [np.int32, np.float64, np.bool_])
def test_ufunc_bool_scalar_operands(dtype):
    a = sample((2, 3), dtype)
    if dtype == np.bool_:      # NumPy has no boolean subtract
        a = a.astype(np.int64)
    _check(bool_scalar_operands, a, np.empty(a.shape, np.float64))


@numlir.njit
def assign_leading_ones(b, a):
    b[::-1] = a * 2.0
    return b


def test_assignment_drops_leading_unit_dimensions():
    for shape in ((1, 4), (1, 1, 4)):
        a = np.arange(4.0).reshape(shape)
        _check(assign_leading_ones, np.zeros(4), a)
    with pytest.raises(ValueError):
        assign_leading_ones(np.zeros(4), np.ones((2, 4)))


@numlir.njit
def where_weak(c, x):
    return np.where(c, x, 3), np.where(c, 2.5, x), np.where(c > 0, x, 1) * 2 + x


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.float32, np.complex64, np.float64])
def test_where_with_python_scalar_branch_is_weak(dtype):
    x = sample((2, 5), dtype)
    c = sample((2, 5), np.float64) - 0.5
    for g, w in zip(where_weak(c > 0, x), _np(where_weak, c > 0, x)):
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        np.testing.assert_allclose(g, w, rtol=1e-6)


@numlir.njit
def mixed_kinds(a, b):
    return a + b, a / b, np.maximum(a, b), a < b, np.subtract(b, a), a ** 2 * b


@pytest.mark.parametrize("fdt,idt", [(np.float32, np.int64), (np.float32, np.int32),
                                     (np.float32, np.int16), (np.float32, np.uint64),
                                     (np.float64, np.int8), (np.float64, np.uint32)])
def test_int_float_mixes_promote_as_numpy(fdt, idt):
    a = (sample((3, 4), np.float64) + 1).astype(fdt)
    b = np.arange(1, 13).reshape(3, 4).astype(idt)
    got, want = mixed_kinds(a, b), _np(mixed_kinds, a, b)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        np.testing.assert_allclose(g, w, rtol=1e-6)


@numlir.njit
def complex_extremes_logs(a, b):
    return (np.minimum(a, b), np.maximum(a, b), np.log10(a), np.log2(b),
            np.minimum(a[0], b[1]), np.log10(a[0]))


def test_complex_minimum_maximum_log10_log2():
    nan = np.nan
    a = np.array([1 + 2j, 3 - 1j, complex(nan, 0), 2 + 2j, 1 + 1j, -1 + 0j, 0j])
    b = np.array([1 + 1j, 4 - 1j, 0j, complex(2, nan), 1 + 1j, -1 - 1j, complex(0, nan)])
    for dtype in (np.complex128, np.complex64):
        for g, w in zip(complex_extremes_logs(a.astype(dtype), b.astype(dtype)),
                        _np(complex_extremes_logs, a.astype(dtype), b.astype(dtype))):
            np.testing.assert_allclose(g, w, rtol=1e-6, equal_nan=True)


@numlir.njit
def where_of_scalars(a, x):
    return np.multiply(np.where(a > x, a == 2, a + True), np.cos(x) >= -a)


def test_where_of_scalars_is_zero_dimensional():
    for a, x in ((-1.25, -2.25), (2.0, 1.0), (0.5, 3.0)):
        got, want = where_of_scalars(a, x), _np(where_of_scalars, a, x)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
        assert np.asarray(got).shape == np.asarray(want).shape


@numlir.njit
def scalar_ufuncs_into(out):
    np.add(2, 1.5, out)
    np.multiply(np.sin(-3.0), out, out)
    return out


def test_ufunc_of_scalars_into_an_output_array():
    _check(scalar_ufuncs_into, np.zeros((2, 3)))


@numlir.njit
def carried_with_layout_change(a, b):
    t = a * 1.0               # F-typed for an F argument, C in the loop: the variable is 'A'
    for _ in range(3):
        t = t * 0.5 + b
    return t


def test_fused_expression_assigned_to_a_variable_of_another_layout():
    _check(carried_with_layout_change, np.asfortranarray(np.arange(12.0).reshape(4, 3)),
           np.ones(3))
    _check(carried_with_layout_change, np.ones((4, 3)), np.ones(3))


@numlir.njit
def scalar_ufuncs_with_bools(x, b):
    return np.hypot(x, b), np.add(b, x), np.sqrt(b), np.maximum(b, b), np.arctan2(b, x)


def test_scalar_ufuncs_with_bool_operands():
    for x, b in ((1.5, True), (2.5, False), (-3.0, True)):
        for g, w in zip(scalar_ufuncs_with_bools(x, b), _np(scalar_ufuncs_with_bools, x, b)):
            np.testing.assert_allclose(g, w, rtol=1e-3)     # NumPy: float16 for sqrt(bool)


@numlir.njit
def divmod_pow_into(a, b, o1, o2, o3):
    np.power(a, b, o1)
    np.floor_divide(a, b, o2)
    np.remainder(a, b, o3)
    return o1, o2, o3


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64])
def test_floor_divide_remainder_power_into_an_output_array(dtype):
    a = np.arange(1, 7).astype(dtype)
    b = np.array([2, 3, 1, 0, 2, 1]).astype(dtype)
    _check(divmod_pow_into, a, b, *[np.zeros(6, dtype) for _ in range(3)])
