"""Differential tests: numlir against Python (Python-typed inputs) or Numba (sized NumPy inputs).

Shared helpers live in ``oracle.py`` beside this file; this conftest makes it importable under any
pytest import mode and keeps hypothesis quick.
"""
import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("numeric", max_examples=60, deadline=None)
settings.load_profile("numeric")
