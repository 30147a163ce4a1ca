"""FileCheck fixture: match a stage's MLIR text against CHECK lines with the ``filecheck`` tool."""
import subprocess
import sys
import textwrap

import pytest


def function_text(module_text, name):
    """The text of ``func.func @name`` / ``llvm.func @name`` alone (up to its closing brace)."""
    lines = module_text.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("func.func ", "llvm.func ")) and f" @{name}(" in line:
            indent = line[:len(line) - len(line.lstrip())]
            for j in range(i + 1, len(lines)):
                if lines[j] == indent + "}":
                    return "\n".join(lines[i:j + 1]) + "\n"
    raise LookupError(f"no function @{name} in:\n{module_text}")


@pytest.fixture
def filecheck(tmp_path):
    """``filecheck(ir_text, checks, func=None)``: run FileCheck on the module text, or on function
    ``func`` alone (so CHECK-NOT lines cannot see other functions); fail with FileCheck's report."""
    def run(ir_text, checks, func=None):
        if func is not None:
            ir_text = function_text(ir_text, func)
        check_file = tmp_path / "checks.mlir"
        input_file = tmp_path / "input.mlir"
        check_file.write_text(textwrap.dedent(checks))
        input_file.write_text(ir_text)
        proc = subprocess.run([sys.executable, "-m", "filecheck", str(check_file),
                               "--input-file", str(input_file)],
                              capture_output=True, text=True, timeout=60, check=False)
        if proc.returncode != 0:
            pytest.fail(f"FileCheck failed:\n{proc.stdout}{proc.stderr}\n--- input ---\n{ir_text}")
    return run


@pytest.fixture
def mlir_function():
    """``mlir_function(module_text, name)``: the text of one function of a module."""
    return function_text
