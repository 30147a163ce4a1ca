"""Unsupported constructs raise numlir.UnsupportedError naming the construct, the types and the
user's file:line (never an MLIR dump); genuine type errors raise numlir.TypingError."""
import pytest

import numlir


def listcomp(n):
    a = [i for i in range(n)]  # noqa: F841 <- listcomp
    return n


def dictish(x):
    d = {x: 1}  # noqa: F841 <- dictish
    return x


def settish(x):
    s = {x, x + 1}  # noqa: F841 <- settish
    return x


def str_method(n):
    return "abc".upper() == "ABC"  # <- str_method


def str_call(n):
    s = str(n)  # noqa: F841 <- str_call
    return n


# (function, argument, words the message must name, the argument/operand types it must name)
CASES = {
    "listcomp": (listcomp, 3, ["list"], ["int64"]),
    "dictish": (dictish, 2.5, ["dict"], ["float64"]),
    "settish": (settish, 3, ["set"], ["int64"]),
    "str_method": (str_method, 1, ["upper"], ["unicode_type"]),
    "str_call": (str_call, 1, ["str"], ["int64"]),
}


def _line_of(marker):
    with open(__file__) as fh:
        for no, text in enumerate(fh, 1):
            if text.rstrip().endswith(f"<- {marker}"):
                return no
    raise LookupError(marker)


def _error(name):
    fn, arg, _, _ = CASES[name]
    f = numlir.njit(fn)
    with pytest.raises(numlir.UnsupportedError) as err:
        f(arg)
    with pytest.raises(numlir.UnsupportedError) as again:   # no half-compiled state left behind
        f(arg)
    assert str(again.value) == str(err.value)
    return str(err.value)


def _cases():
    return list(CASES)


@pytest.mark.parametrize("name", _cases())
def test_message_names_construct_and_user_line(name):
    msg = _error(name)
    for word in CASES[name][2]:
        assert word in msg.lower(), msg
    assert f"{__file__}:{_line_of(name)}" in msg, msg


@pytest.mark.parametrize("name", _cases())
def test_message_names_types(name):
    msg = _error(name)
    for ty in CASES[name][3]:
        assert ty in msg, msg


@pytest.mark.parametrize("name", _cases())
def test_message_has_no_compiler_internals(name):
    msg = _error(name)
    for internal in ("func.func", "^bb", "%arg", "$", "<class", " object at 0x"):
        assert internal not in msg, msg
    assert len(msg) < 1000


def test_unsupported_error_is_a_type_error():
    assert issubclass(numlir.UnsupportedError, TypeError)
    assert issubclass(numlir.UnsupportedError, numlir.NumlirError)


def add_tuple(x):
    return x + (1, 2)  # <- add_tuple


def test_genuine_type_error_is_typing_error():
    f = numlir.njit(add_tuple)
    with pytest.raises(numlir.TypingError) as err:
        f(1)
    msg = str(err.value)
    assert isinstance(err.value, TypeError)
    assert "add_tuple" in msg and "int64" in msg and "UniTuple" in msg
    assert f"line {_line_of('add_tuple')}" in msg and __file__.split("/")[-1] in msg


def test_unknown_attribute_is_typing_error():
    f = numlir.njit(lambda x: x.no_such_attribute)
    with pytest.raises(numlir.TypingError, match="no_such_attribute"):
        f(1)
