"""FileCheck fixture: match a stage's MLIR text against CHECK lines with the ``filecheck`` tool."""
import subprocess
import sys
import textwrap

import pytest


@pytest.fixture
def filecheck(tmp_path):
    """``filecheck(ir_text, checks)``: run FileCheck; fail with its report when the checks fail."""
    def run(ir_text, checks):
        check_file = tmp_path / "checks.mlir"
        input_file = tmp_path / "input.mlir"
        check_file.write_text(textwrap.dedent(checks))
        input_file.write_text(ir_text)
        proc = subprocess.run([sys.executable, "-m", "filecheck", str(check_file),
                               "--input-file", str(input_file)],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            pytest.fail(f"FileCheck failed:\n{proc.stdout}{proc.stderr}\n--- input ---\n{ir_text}")
    return run
