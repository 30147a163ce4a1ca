"""The NumPy coverage report tool (``numlir.tools.numpy_coverage``) keeps working: its function list
comes from Numba, and a few functions run through the worker process and in-process."""
import re

import numpy as np

from numlir.tools import numpy_coverage as cov


def test_function_list_derived_from_numba():
    funcs = {q: numba for q, _, numba in cov.supported_functions()}
    assert len(funcs) > 150
    assert funcs["np.sum"] and funcs["np.linalg.inv"] and funcs["np.arccos"]
    assert "np.acos" not in funcs                      # an alias, counted once
    assert funcs.get("np.frexp") is False              # typed by numlir alone


def test_report_on_a_few_functions(capsys):
    assert cov.main(["sum", "clip", "np.frexp", "np.isnat"]) == 0
    out = capsys.readouterr().out
    assert "2 of 3 Numba-supported NumPy functions compile and pass" in out
    assert re.search(r"np.frexp +pass", out)


def test_in_process_statuses(monkeypatch):
    # without the Numba oracle: Numba's state in a long test process is not the tool's concern
    monkeypatch.setitem(cov.SPECIFIC, "diag", ("{f}(v, 1, 2, 3)",))     # NumPy rejects it
    assert cov.check_function("np.cumsum", numba_oracle=False)["status"] == "pass"
    assert cov.check_function("np.diag", numba_oracle=False)["status"] == "no recipe"


def test_same_result_reports_dtype_and_values():
    assert cov.same_result(np.ones(2), np.ones(2)) is None
    assert "dtype" in cov.same_result(np.ones(2, np.float32), np.ones(2))
    assert "NumPy" in cov.same_result((np.ones(2),), (np.zeros(2),))
