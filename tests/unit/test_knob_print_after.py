"""``NUMLIR_PRINT_AFTER``: the IR after the named pass (or every pass) goes to stderr."""
import numlir
from numlir import config
from numlir.passes import pipeline


def poly(x):
    return 3 * x + x * x


def _compile(**knobs):
    with config.override(**knobs):
        f = numlir.njit(poly)
        assert f(5) == poly(5)


def test_print_after_named_pass(capfd):
    _compile(PRINT_AFTER="canonicalize")
    err = capfd.readouterr().err
    assert "IR Dump After canonicalize" in err
    assert "func.func @nl_poly" in err
    assert "IR Dump After cse" not in err


def test_print_after_all(capfd):
    _compile(PRINT_AFTER="all")
    err = capfd.readouterr().err
    for _, passes in pipeline.CPU_STAGES:
        for element in passes:
            assert f"IR Dump After {pipeline._pass_name(element)}" in err
    assert "llvm.func" in err


def test_print_after_unknown_pass_prints_nothing(capfd):
    _compile(PRINT_AFTER="no-such-pass")
    assert "IR Dump" not in capfd.readouterr().err


def test_silent_by_default(capfd):
    _compile(PRINT_AFTER="")
    captured = capfd.readouterr()
    assert "IR Dump" not in captured.err and "func.func" not in captured.out + captured.err
