"""Differential tests: numlir against Python (Python-typed inputs) or Numba (sized NumPy inputs).

Shared helpers live in ``oracle.py`` and ``kinds.py`` beside this file; this conftest makes them
importable under any pytest import mode and keeps hypothesis and the Numba oracle quick.
"""
import os
import sys

from hypothesis import settings
from numba.core import config as numba_config

sys.path.insert(0, os.path.dirname(__file__))

# Numba is only the oracle here: at -O0 it compiles twice as fast and no defined result changes
numba_config.OPT = numba_config._OptLevel(0)

settings.register_profile("numeric", max_examples=60, deadline=None)
settings.load_profile("numeric")
