"""Array attributes against NumPy: shape, ndim, size, itemsize, nbytes, strides (bytes, incl.
negative and 0 strides), T, dtype and len() over 0-d..4-d arrays of every layout and dtype class."""
from __future__ import annotations

import numpy as np
import pytest
from test_array_support import DTYPE_IDS, DTYPES, LAYOUTS, check, check_mutating, layout

import numlir

SHAPES = {0: (), 1: (7,), 2: (4, 5), 3: (3, 4, 5), 4: (2, 3, 4, 3)}


@numlir.njit
def scalars(a):
    return a.shape, a.ndim, a.size, a.itemsize, a.nbytes, a.strides


@numlir.njit
def strides_of(a):
    return a.strides


@numlir.njit
def shape_size_len(a):
    return a.shape, a.ndim, a.size, a.itemsize, a.nbytes, len(a)


@numlir.njit
def length(a):
    return len(a)


@numlir.njit
def transposed(a):
    return a.T


@numlir.njit
def attrs_of_views(a):
    b = a[::-2]
    c = a.T
    return b.shape, b.strides, b.size, c.shape, c.strides, c.nbytes, len(c), a.T.T.strides


@numlir.njit
def shape_driven_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * (i + 1) - j
    return s


@numlir.njit
def empty_of_dtype(a):
    b = np.zeros(a.shape, a.dtype)
    c = np.ones(3, dtype=a.dtype)
    return b, c


@numlir.njit
def get_dtype(a):
    return a.dtype


@pytest.mark.parametrize("nd,lay", [(0, "C"), (0, "broadcast")] + [
    (nd, lay) for nd in (1, 2, 3, 4) for lay in LAYOUTS])
def test_shape_ndim_size_strides(nd, lay):
    a = layout(SHAPES[nd], np.float64, lay)
    check(scalars, a)
    if nd:
        check(length, a)
    check(transposed, a)


EVERY_DTYPE_CASES = ([(d, lay) for d in DTYPES for lay in ("C", "T")]
                     + [(d, lay) for d in (np.bool_, np.uint64, np.complex128)
                        for lay in ("F", "broadcast")])


@pytest.mark.parametrize("dtype,lay", EVERY_DTYPE_CASES,
                         ids=[f"{np.dtype(d).name}-{lay}" for d, lay in EVERY_DTYPE_CASES])
def test_every_dtype(dtype, lay):
    a = layout((3, 4), dtype, lay)
    check(scalars, a)
    check(attrs_of_views, a)


@pytest.mark.parametrize("shape", [(0,), (0, 4), (4, 0), (2, 0, 3)])
def test_empty_arrays(shape):
    a = np.zeros(shape, np.int32)
    check(shape_size_len, a)
    check(transposed, a)
    check(shape_size_len, a.T)


@pytest.mark.parametrize("a", [
    pytest.param(np.zeros((0,), np.int32), id="empty-1d"),
    pytest.param(np.zeros((2, 0, 3), np.int32), id="empty-3d"),
    pytest.param(np.ones((1, 3)).T, id="length-1-axis"),
    pytest.param(np.ones((3, 1)), id="canonical-length-1-axis"),
    pytest.param(np.ones((1, 3, 1), np.int8).transpose(2, 0, 1), id="length-1-axes-3d"),
    pytest.param(np.asfortranarray(np.ones((1, 4, 2), np.complex128)), id="F-length-1-axis"),
    pytest.param(np.zeros((3, 0), np.float32).T, id="empty-T"),
    pytest.param(np.arange(10.0)[3:4], id="length-1-slice")])
def test_strides_of_degenerate_arrays(a):
    assert strides_of(a) == a.strides


@pytest.mark.parametrize("lay", LAYOUTS)
def test_attributes_drive_loops(lay):
    check(shape_driven_sum, layout((4, 5), np.float64, lay))
    check(shape_driven_sum, layout((1, 0), np.float64, "C"))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_dtype_attribute_as_argument(dtype):
    b, c = empty_of_dtype(layout((2, 3), dtype, "F"))
    want_b, want_c = empty_of_dtype.py_func(layout((2, 3), dtype, "F"))
    assert (b.dtype, b.shape, c.dtype, c.shape) == (want_b.dtype, want_b.shape, want_c.dtype,
                                                    want_c.shape)
    np.testing.assert_array_equal(b, want_b)
    np.testing.assert_array_equal(c, want_c)


@pytest.mark.parametrize("dtype", [np.float64, np.int8], ids=["float64", "int8"])
def test_return_dtype(dtype):
    got = get_dtype(np.zeros(2, dtype))
    assert isinstance(got, np.dtype) and got == np.dtype(dtype), repr(got)


def test_len_of_0d_is_a_typeerror():
    with pytest.raises(TypeError):
        len(np.array(1.0))
    with pytest.raises(TypeError):
        length(np.array(1.0))


# Attributes Numba supports beyond the list
@numlir.njit
def flags_of(a):
    return a.flags.c_contiguous, a.flags.f_contiguous, a.flags.contiguous


@numlir.njit
def real_imag(a):
    return a.real, a.imag


FLAG_CASES = [layout((3, 4), np.float64, lay) for lay in LAYOUTS] + [
    np.ones((1, 3)).T, np.ones((3, 1)), np.zeros((0, 3)), np.zeros((2, 0)).T, np.array(1.0),
    np.ones((4, 1))[::2], np.ones((1, 4))[:, ::2], np.arange(6.0)[::2], np.arange(6.0)[1:4]]


@pytest.mark.parametrize("a", FLAG_CASES, ids=range(len(FLAG_CASES)))
def test_flags(a):
    # NumPy's rule: packed strides, ignoring length-1 axes; arrays without elements are contiguous
    check(flags_of, a)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, np.float64, np.int32],
                         ids=["complex128", "complex64", "float64", "int32"])
@pytest.mark.parametrize("lay", LAYOUTS)
def test_real_imag(lay, dtype):
    # complex: views of the parts; real dtypes: .real the array, .imag new read-only zeros
    a = layout((3, 4), dtype, lay)
    got = check(real_imag, a)
    if np.dtype(dtype).kind != "c":
        assert not got[1].flags.writeable


@numlir.njit
def parts_of_temporary(a):
    t = a * 2
    return t.real, t.imag.sum(), (a + 1j).imag


@numlir.njit
def write_parts(a):
    a.real[0] = -1.0
    a.imag[1:] = 5.0
    a.real[:] += 1.0
    return a.imag


def test_complex_parts_of_temporaries_and_writes():
    check(parts_of_temporary, layout((5,), np.complex128, "strided"))
    check(parts_of_temporary, layout((2, 3), np.complex64, "F"))
    check_mutating(write_parts, lambda: (layout((6,), np.complex128, "C"),))
    check_mutating(write_parts, lambda: (layout((6,), np.complex64, "strided"),))
