"""A failing MLIR stage raises PassFailure naming the reproducer file and the mlir-opt command."""
import pathlib
import shlex
import subprocess

import pytest

import numlir
from numlir import config
from numlir.errors import PassFailure
from numlir.passes import pipeline

ORIGINAL_STAGES = list(pipeline.CPU_STAGES)


def inc(x):
    return x + 1


@pytest.fixture
def extra_stage():
    """Insert a stage after 'lowered' into pipeline.CPU_STAGES *in place* (numlir.targets.cpu
    imported the list object itself, so rebinding the module attribute would not reach it)."""
    stages = pipeline.CPU_STAGES
    saved = list(stages)
    yield lambda name, passes: stages.insert(1, (name, passes))
    stages[:] = saved


def _fail(tmp_path):
    with config.override(REPRO_DIR=str(tmp_path)):
        f = numlir.njit(inc)
        with pytest.raises(PassFailure) as err:
            f(1)
    return str(err.value)


def _command(msg):
    assert "mlir-opt" in msg
    line = msg.split("reproduce with:", 1)[1].strip().splitlines()[0]
    return shlex.split(line)


def test_failing_pass_writes_a_reproducer(tmp_path, extra_stage):
    extra_stage("spirv", ["convert-arith-to-spirv"])      # arith ops are illegal there: fails
    msg = _fail(tmp_path)
    assert "'spirv'" in msg and "inc" in msg
    cmd = _command(msg)
    path = cmd[-1]
    assert path.startswith(str(tmp_path)) and path in msg
    assert "arith.addi" in pathlib.Path(path).read_text()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode != 0 and "failed to legalize" in proc.stderr


def test_unknown_pass_writes_a_reproducer(tmp_path, extra_stage):
    extra_stage("bogus", ["func.func(no-such-pass)"])
    msg = _fail(tmp_path)
    cmd = _command(msg)
    assert (tmp_path / cmd[-1].rsplit("/", 1)[-1]).exists()
    assert "no-such-pass" in msg


def test_pipeline_restored(tmp_path):
    assert numlir.njit(inc)(1) == inc(1)
    assert pipeline.CPU_STAGES == ORIGINAL_STAGES
