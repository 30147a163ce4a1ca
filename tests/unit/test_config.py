"""numlir.config: every NUMLIR_* knob is defined and documented; environment parsing; override."""
import pathlib
import re

import pytest

import numlir
from numlir import config

ROOT = pathlib.Path(numlir.__file__).parent


def _doc_table():
    """{variable: (type, default)} from the markdown table of the module docstring."""
    rows = {}
    for line in config.__doc__.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"``(NUMLIR_\w+)``", cells[0]) if len(cells) == 4 else None
        if m:
            assert cells[3], f"{m.group(1)} has no meaning documented"
            rows[m.group(1)] = (cells[1], cells[2])
    return rows


def test_every_knob_is_documented():
    assert set(_doc_table()) == {"NUMLIR_" + k for k in config._KNOBS}


def test_documented_defaults_match():
    for var, (_, default) in _doc_table().items():
        value = config._KNOBS[var[len("NUMLIR_"):]][0]
        if isinstance(value, bool):
            assert default in ("0", "1") and bool(int(default)) is value, var
        elif isinstance(value, int):
            assert int(default) == value, var
        elif value == "":
            assert default in ('""', "''", "empty"), var


def test_every_variable_used_in_the_package_is_a_knob():
    used = set()
    for path in ROOT.rglob("*.py"):
        used |= set(re.findall(r"NUMLIR_([A-Z][A-Z0-9_]*)", path.read_text()))
    assert used, "scan found nothing"
    assert used <= set(config._KNOBS), used - set(config._KNOBS)


def test_knobs_are_module_attributes():
    for name in config._KNOBS:
        assert hasattr(config, name)


@pytest.mark.parametrize("raw,want", [("1", True), ("yes", True), ("TRUE", True), ("on", True),
                                      ("0", False), ("false", False), ("off", False),
                                      ("no", False), ("", False)])
def test_bool_parsing(knob_env, raw, want):
    knob_env.setenv("NUMLIR_BOUNDSCHECK", raw)
    config.reload()
    assert config.BOUNDSCHECK is want


def test_env_values_are_read(knob_env, tmp_path):
    knob_env.setenv("NUMLIR_OPT_LEVEL", "1")
    knob_env.setenv("NUMLIR_DUMP_IR", str(tmp_path))
    knob_env.setenv("NUMLIR_PRINT_AFTER", "cse")
    knob_env.setenv("NUMLIR_DISABLE_JIT", "1")
    config.reload()
    assert (config.OPT_LEVEL, config.DUMP_IR, config.PRINT_AFTER, config.DISABLE_JIT) == \
        (1, str(tmp_path), "cse", True)


def test_unset_means_default(knob_env):
    for name in config._KNOBS:
        knob_env.delenv("NUMLIR_" + name, raising=False)
    config.reload()
    for name, (default, _) in config._KNOBS.items():
        assert getattr(config, name) == default


@pytest.mark.parametrize("raw", ["7", "-1", "fast"])
def test_bad_opt_level_rejected(knob_env, raw):
    knob_env.setenv("NUMLIR_OPT_LEVEL", raw)
    with pytest.raises(ValueError):
        config.reload()


def test_override_restores_and_rejects_unknown():
    before = config.OPT_LEVEL
    with config.override(OPT_LEVEL=0):
        assert config.OPT_LEVEL == 0
    assert config.OPT_LEVEL == before
    with pytest.raises(KeyError), config.override(NO_SUCH_KNOB=1):
        pass
    with pytest.raises(RuntimeError), config.override(OPT_LEVEL=2):
        raise RuntimeError
    assert config.OPT_LEVEL == before


def test_env_disable_jit_reaches_calls(knob_env):
    knob_env.setenv("NUMLIR_DISABLE_JIT", "1")
    config.reload()
    f = numlir.njit(lambda x: [x])           # not compilable: only Python can run it
    assert f(2) == [2]
