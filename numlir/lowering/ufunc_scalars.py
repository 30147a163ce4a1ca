"""NumPy ufuncs applied to scalars (``np.divide(x, 2)``, ``np.sqrt(x)``): NumPy's semantics, so
no ZeroDivisionError, inf/nan instead. Arrays go through the elementwise lowering."""
from __future__ import annotations

import math
import operator

import numpy as np
from mlir.dialects import arith
from numba.core import types

from numlir.lowering.registry import lower

Num = types.Number


def _via(py_op):
    """The ufunc as the scalar rule of ``py_op`` on arguments converted to the result type."""
    def rule(ctx, sig, args):
        rt = sig.return_type
        vals = [ctx.cast(v, t, rt) for v, t in zip(args, sig.args)]
        inner = sig.replace(args=(rt,) * len(vals))
        return ctx.call_rule(ctx.resolve_op(py_op, inner), inner, vals)
    return rule


def _true_divide(ctx, sig, args):
    rt = sig.return_type
    a, b = (ctx.cast(v, t, rt) for v, t in zip(args, sig.args))
    return arith.divf(a, b)


_TABLE = {np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
          np.negative: operator.neg, np.sqrt: math.sqrt, np.exp: math.exp, np.log: math.log,
          np.sin: math.sin, np.cos: math.cos, np.tan: math.tan, np.arctan2: math.atan2,
          np.floor: math.floor, np.ceil: math.ceil, np.absolute: abs, np.power: operator.pow,
          np.minimum: min, np.maximum: max, np.hypot: math.hypot}

for _uf, _py in _TABLE.items():
    nin = _uf.nin
    lower(_uf, *([Num] * nin))(_via(_py))
lower(np.divide, Num, Num)(_true_divide)
lower(np.true_divide, Num, Num)(_true_divide)
