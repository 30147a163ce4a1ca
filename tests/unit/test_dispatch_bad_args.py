"""Python objects numlir cannot pass to compiled code: a TypeError naming the argument, no crash."""
import pytest

import numlir


def pick(first, second):
    return second


BAD = [[1, 2], "text", {"k": 1}, {1, 2}, object(), (1, "a")]


@pytest.mark.parametrize("bad", BAD, ids=lambda v: type(v).__name__)
def test_type_error_names_the_argument(bad):
    f = numlir.njit(pick)
    for _ in range(2):                         # twice: a failed compile leaves no broken state
        with pytest.raises(TypeError) as err:
            f(1, bad)
        msg = str(err.value)
        assert "'second'" in msg, msg
        assert "pick" in msg
    assert f(1, 2.5) == pick(1, 2.5)           # still usable for supported types


def test_keyword_argument_is_named():
    f = numlir.njit(pick)
    with pytest.raises(TypeError, match="'first'"):
        f(second=2, first="x")


def test_unsupported_argument_error_points_at_the_def_line():
    f = numlir.njit(pick)
    with pytest.raises(TypeError) as err:
        f(1, "x")
    line = pick.__code__.co_firstlineno
    assert f"{__file__}:{line}" in str(err.value)
