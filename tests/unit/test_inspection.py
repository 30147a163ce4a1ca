"""inspect_types / inspect_mlir (every stage) / inspect_llvm / inspect_asm of a compiled
function."""
import io
import re

import pytest
from numba.core import types

import numlir
from numlir.passes.pipeline import stage_names


def mix(x, n):
    acc = x
    for i in range(n):
        acc = acc * 0.5 + i
    return acc


@pytest.fixture(scope="module")
def compiled():
    f = numlir.njit(mix)
    assert f(1.5, 4) == mix(1.5, 4)
    return f


def test_inspect_types_prints_typed_ir(compiled, capsys):
    assert compiled.inspect_types() is None
    out = capsys.readouterr().out
    assert "mix" in out and "float64" in out and "int64" in out
    assert "return" in out and "label" in out


def test_inspect_types_to_file(compiled, capsys):
    buf = io.StringIO()
    compiled.inspect_types(file=buf)
    assert capsys.readouterr().out == ""
    assert "float64" in buf.getvalue()


@pytest.mark.parametrize("stage", stage_names())
def test_inspect_mlir_every_stage(compiled, stage):
    text = compiled.inspect_mlir(stage=stage)
    assert text.lstrip().startswith("module")
    op = "llvm.func" if stage == "llvm" else "func.func"
    assert re.search(rf"{op} (private )?@nl_mix\(", text), text


def test_documented_stages_exist_in_order():
    names = stage_names()
    documented = ["lowered", "canonical", "scf", "llvm"]
    assert [n for n in names if n in documented] == documented
    assert names[0] == "lowered" and names[-1] == "llvm"


def test_llvm_stage_is_llvm_dialect(compiled):
    text = compiled.inspect_mlir(stage="llvm")
    assert "llvm.func" in text
    assert "func.func" not in text


def test_default_stage_is_lowered(compiled):
    assert compiled.inspect_mlir() == compiled.inspect_mlir(stage="lowered")


def test_unknown_stage_lists_the_stages(compiled):
    with pytest.raises((KeyError, ValueError), match="canonical"):
        compiled.inspect_mlir(stage="no-such-stage")


def test_inspect_llvm(compiled):
    text = compiled.inspect_llvm()
    assert "define" in text and "mix" in text


def test_inspect_asm(compiled):
    text = compiled.inspect_asm()
    assert "mix" in text
    assert any(line.split()[:1] in (["ret"], ["retq"]) for line in text.splitlines())


def test_signature_selects_the_overload():
    f = numlir.njit(lambda a: a + a)
    f(1)
    f(1.0)
    assert "arith.addi" in f.inspect_mlir((types.int64,))
    assert "arith.addf" in f.inspect_mlir("float64(float64)")
    assert "arith.addf" in f.inspect_mlir()               # default: the latest compiled


def test_inspect_compiles_a_missing_signature():
    f = numlir.njit(lambda a: a - 1)
    assert "arith.subi" in f.inspect_mlir((types.int64,))
    assert f(5) == 4


def test_inspect_before_any_compile_is_an_error():
    f = numlir.njit(lambda a: a)
    with pytest.raises(ValueError, match="not been compiled"):
        f.inspect_mlir()
