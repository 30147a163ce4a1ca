"""Suite-wide fixtures: knob environment isolation shared by the unit and FileCheck tests."""
import pytest

from numlir import config


@pytest.fixture
def knob_env(monkeypatch):
    """``monkeypatch`` for ``NUMLIR_*`` variables; the knobs are re-read from the real environment
    after the test, so a ``config.reload()`` inside it cannot leak into later tests."""
    yield monkeypatch
    monkeypatch.undo()
    config.reload()
