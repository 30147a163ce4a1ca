"""The public names: Numba's spelling of njit/jit/prange/typeof plus numlir's errors and config."""
import numba

import numlir


def test_all_names_exist():
    for name in numlir.__all__:
        assert getattr(numlir, name) is not None, name
    assert isinstance(numlir.__version__, str)


def test_typeof_is_numbas():
    for value in (1, 2.5, True, 1j, (1, 2.0)):
        assert numlir.typeof(value) == numba.typeof(value)


def test_prange_runs_like_range():
    @numlir.njit
    def total(n):
        s = 0
        for i in numlir.prange(n):
            s += i
        return s

    assert total(100) == sum(range(100))


def test_error_hierarchy():
    assert issubclass(numlir.TypingError, numlir.NumlirError)
    assert issubclass(numlir.TypingError, TypeError)
    assert issubclass(numlir.UnsupportedError, numlir.NumlirError)
