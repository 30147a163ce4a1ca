"""``NUMLIR_DUMP_IR``: every stage of every compiled function is written to the directory."""

import numlir
from numlir import config
from numlir.passes.pipeline import stage_names


def dumped(tmp_path):
    return sorted(p.name for p in tmp_path.iterdir())


def square(x):
    return x * x


def cube(x):
    return x * x * x


def test_every_stage_written(tmp_path):
    with config.override(DUMP_IR=str(tmp_path)):
        f = numlir.njit(square)
        assert f(3) == square(3)
    names = dumped(tmp_path)
    assert len(names) == len(stage_names())
    for stage in stage_names():
        (path,) = [tmp_path / n for n in names if n.endswith(f".{stage}.mlir")]
        text = path.read_text()
        assert "square" in path.name
        assert text == f.inspect_mlir(stage=stage)


def test_each_function_gets_its_files(tmp_path):
    with config.override(DUMP_IR=str(tmp_path)):
        assert numlir.njit(square)(2) == square(2)
        assert numlir.njit(cube)(2) == cube(2)
    names = dumped(tmp_path)
    assert len(names) == 2 * len(stage_names())
    assert sum("square" in n for n in names) == sum("cube" in n for n in names)


def test_each_signature_gets_its_files(tmp_path):
    with config.override(DUMP_IR=str(tmp_path)):
        f = numlir.njit(square)
        assert f(3) == square(3)
        assert f(1.5) == square(1.5)
    assert len(dumped(tmp_path)) == 2 * len(stage_names())


def test_nothing_written_when_unset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with config.override(DUMP_IR=""):
        assert numlir.njit(square)(4) == square(4)
    assert dumped(tmp_path) == []
