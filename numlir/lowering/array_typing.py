"""numlir-target typing of array methods and attributes where numlir follows NumPy further than
Numba's templates do. Imported by the frontend before any typing: these templates are tried before
Numba's (target specificity), so they must be registered before the typing context first loads."""
from __future__ import annotations

from numba.core import errors, types, typing
from numba.core.typing.templates import AttributeTemplate, bound_function, infer_getattr

Arr = types.Array


def _is_int(ty):
    return isinstance(ty, types.Integer)


@infer_getattr
class NumlirArrayReshape(AttributeTemplate):
    """``array.reshape`` typing for the numlir target (tried before Numba's): non-contiguous
    arrays are accepted (NumPy copies or views them), and the result of a non-C array is typed
    'A' (NumPy's result is a C-ordered copy or a view with the source's strides), except that a
    1-d result of F data stays contiguous."""
    key = Arr
    metadata = {"target": "numlir"}

    @bound_function("array.reshape")
    def resolve_reshape(self, ary, args, kws):
        if kws:
            raise errors.TypingError("reshape() takes no keyword arguments")
        if not args:
            raise errors.TypingError("reshape() takes at least one argument")
        if len(args) == 1 and isinstance(args[0], types.BaseTuple):
            if not all(_is_int(t) for t in args[0].types):
                raise errors.TypingError(f"reshape() shape must be integers, not {args[0]}")
            ndim = len(args[0])
        elif all(_is_int(t) for t in args):
            ndim = len(args)
        else:
            raise errors.TypingError(f"reshape({', '.join(map(str, args))}) is not supported")
        if ary.layout == "C" or ary.layout == "F" and ndim <= 1:
            layout = ary.layout
        else:
            layout = "A"
        return typing.signature(ary.copy(ndim=ndim, layout=layout), *args)
