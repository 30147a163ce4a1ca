"""``NUMLIR_OPT_LEVEL``: every level gives the same (Python's) results."""
import math

import pytest

import numlir
from numlir import config


def work(n, x):
    acc = 0.0
    for i in range(n):
        if i % 3 == 0:
            acc += math.sqrt(i * x)
        else:
            acc -= i // 2
    return acc


@pytest.mark.parametrize("level", [0, 1, 3])
def test_results_at_every_level(level):
    with config.override(OPT_LEVEL=level):
        f = numlir.njit(work)
        for n, x in [(0, 1.0), (10, 2.5), (37, 0.25)]:
            assert f(n, x) == work(n, x)
