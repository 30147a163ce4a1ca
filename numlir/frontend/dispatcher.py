"""The Dispatcher behind ``@numlir.njit``: one typed overload and one native entry per signature.

Numba sees it as an ordinary dispatcher of the typing-only target, so calls between numlir functions
and into Numba's ``@overload`` implementations are typed without llvmlite. Python calls go through a
native entry chain (``numlir.runtime.entry``): each compiled signature checks the argument types in
machine code and hands a mismatch to the next one; the end of the chain is :meth:`_slow_call`.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import threading

import numpy as np
from numba.core import dispatcher as nb_dispatcher
from numba.core import errors as nb_errors
from numba.core import ir as nb_ir
from numba.core import sigutils, types, typing
from numba.core import target_extension as te
from numba.core.compiler_lock import global_compiler_lock
from numba.core.typing.typeof import Purpose, typeof
from numba.np import numpy_support

from numlir import config
from numlir.errors import NumlirError, UnsupportedError, translate_typing_error
from numlir.frontend.target import (
    NumlirHardware,
    TypedIRCompiler,
    compile_typed,
    make_flags,
    numlir_target,
)
from numlir.lowering.core import OverloadKey

_gc_pause_lock = threading.Lock()
_gc_pause_depth = 0


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while compiling: typing and lowering allocate hundreds of
    thousands of short-lived objects, and the collections they trigger (full ones included, which
    walk every object Numba and the bindings hold) took ~20 % of a first call. Collection resumes
    when the outermost compile ends; its garbage goes with the next collection."""
    global _gc_pause_depth
    with _gc_pause_lock:
        counted = _gc_pause_depth > 0 or gc.isenabled()   # not if the user turned it off
        if counted:
            _gc_pause_depth += 1
            gc.disable()
    try:
        yield
    finally:
        with _gc_pause_lock:
            if counted:
                _gc_pause_depth -= 1
                if _gc_pause_depth == 0:
                    gc.enable()


@dataclasses.dataclass
class TypedOverload:
    """Stands in for Numba's ``CompileResult`` in ``Dispatcher.overloads``."""

    signature: typing.Signature
    typed_ir: object
    entry_point: object
    objectmode: bool = False
    typing_error: object = None


class Dispatcher(nb_dispatcher.Dispatcher):
    """``numlir.njit`` functions. Typing through Numba, code generation through MLIR."""

    targetdescr = numlir_target

    def __init__(self, py_func, targetoptions=None, locals=None):
        super().__init__(py_func, locals=locals or {}, targetoptions=dict(targetoptions or {}),
                         pipeline_class=TypedIRCompiler)
        self._native = {}                # argtypes -> CompiledFunction
        self._native_lock = threading.RLock()
        self._entry = self._slow_call    # head of the native entry chain
        self._explicit = False
        functools.update_wrapper(self, py_func)
        # Each dispatcher gets its own subclass so that the head of its native entry chain can be
        # installed as the class's ``__call__``: a builtin function is not a descriptor, so
        # ``f(x)`` reaches the machine-code entry with no Python frame in between.
        self.__class__ = type(type(self).__name__, (type(self),), {"__slots__": ()})

    # -- typing (what Numba calls while typing callers) -------------------------------------------
    def compile(self, sig):
        with global_compiler_lock:
            args, return_type = sigutils.normalize_signature(sig)
            existing = self.overloads.get(tuple(args))
            if existing is not None:
                return existing.entry_point
            if not self._can_compile:
                raise TypeError(self._no_match_message(args))
            with self._compiling_counter:
                flags = make_flags(parallel=bool(self.targetoptions.get("parallel")),
                                   boundscheck=self.targetoptions.get("boundscheck"))
                tir = compile_typed(self.typingctx, self.targetctx, self.py_func, args,
                                    return_type, flags, self.locals)
                rt = return_type or tir.return_type
                ov = TypedOverload(typing.signature(rt, *args), tir,
                                   entry_point=OverloadKey(self, args))
                self.overloads[tuple(args)] = ov
                return ov.entry_point

    def typed_overload(self, argtypes):
        self.compile(tuple(argtypes))
        return self.overloads[tuple(argtypes)]

    # -- native code --------------------------------------------------------------------------
    def compile_native(self, argtypes):
        """Compile (once, thread-safely) and return the native function for ``argtypes``."""
        argtypes = tuple(argtypes)
        cf = self._native.get(argtypes)
        if cf is not None:
            return cf
        with self._native_lock, _gc_paused():
            cf = self._native.get(argtypes)
            if cf is not None:
                return cf
            from numlir.targets.cpu import compile_dispatcher
            typed_before = argtypes in self.overloads
            try:
                self.compile(argtypes)
            except nb_errors.TypingError as e:
                raise translate_typing_error(e, self.py_func) from None
            except (NumlirError, nb_errors.NumbaError):
                raise
            except Exception as e:   # a Numba typing template that crashed (a |= float % float)
                raise translate_typing_error(
                    f"Numba's type inference failed internally ({type(e).__name__}: {e}); "
                    "the function uses a construct or types it does not support", self.py_func
                ) from e
            try:
                cf = compile_dispatcher(self, argtypes, next_entry=self._entry)
            except BaseException:
                if not typed_before:       # as in Numba: a failed compile adds no signature
                    self.overloads.pop(argtypes, None)
                raise
            self._native[argtypes] = cf
            self._entry = cf.entry
            type(self).__call__ = cf.entry
            return cf

    def __call__(self, *args, **kws):
        return self._entry(*args, **kws)

    def _slow_call(self, *args, **kws):
        """End of the entry chain: no compiled signature took these arguments as they are."""
        if config.DISABLE_JIT:
            return self.py_func(*args, **kws)
        if self in _entry_calls.__dict__.setdefault("active", set()):
            raise TypeError(f"numlir: the compiled {self.py_func.__qualname__} rejected arguments "
                            f"converted for it: {args!r}")
        if kws or len(args) != len(self._pysig_names) or self._has_star_args:
            args = self._fold_values(args, kws)
        argtypes = tuple(self._typeof_arg(a, i) for i, a in enumerate(args))
        if self._explicit and argtypes not in self._native:
            return self._call_converted(args, argtypes)
        try:
            cf = self.compile_native(argtypes)
        except NumlirError as err:
            bad = self._unpassable_argument(args, argtypes)
            if bad is None:
                raise
            raise bad from err
        # canonical Python/NumPy objects for the types (e.g. a Python int typed uint64 becomes
        # np.uint64), so the entry accepts them instead of forwarding back here
        from numlir.runtime.convert import convert_value
        return self._call_entry(cf, [convert_value(a, t) for a, t in zip(args, argtypes)])

    def _fold_values(self, args, kws):
        bound = self._compiler.pysig.bind(*args, **kws)
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def _typeof_arg(self, value, index):
        if type(value) is np.ndarray:       # Numba's typeof would import numpy.ma (~15 ms)
            try:
                return types.Array(numpy_support.from_dtype(value.dtype), value.ndim,
                                   numpy_support.map_layout(value),
                                   readonly=not value.flags.writeable)
            except Exception:
                pass                         # unsupported dtypes: Numba's message below
        try:
            return typeof(value, Purpose.argument)
        except Exception:      # ValueError, or Numba's own errors (e.g. big-endian dtypes)
            name = self._pysig_names[index] if index < len(self._pysig_names) else f"#{index}"
            raise TypeError(f"numlir: cannot type argument '{name}' of {self.py_func.__name__}: "
                            f"unsupported Python type {type(value).__name__}") from None

    def _unpassable_argument(self, args, argtypes):
        """After a failed compile: an UnsupportedError naming the first argument whose type
        cannot cross from Python into compiled code (no data model), or None."""
        for i, ty in enumerate(argtypes):
            if not _passable(ty):
                name = self._pysig_names[i] if i < len(self._pysig_names) else f"#{i}"
                return UnsupportedError(
                    f"the argument '{name}' of {self.py_func.__qualname__}", argtypes,
                    loc=_def_loc(self.py_func),
                    detail=f"a Python {type(args[i]).__name__} (Numba type {ty}) cannot be "
                           f"passed to compiled code")
        return None

    @functools.cached_property
    def _pysig_names(self):
        return list(self._compiler.pysig.parameters)

    @functools.cached_property
    def _has_star_args(self):
        return any(p.kind == p.VAR_POSITIONAL for p in self._compiler.pysig.parameters.values())

    def _call_converted(self, args, argtypes):
        """Explicit signatures and no lazy compilation: convert to the best matching signature."""
        sigs = [cf.signature for cf in self._native.values()]
        ctx = self.typingctx
        best = None
        for sig in sigs:
            rating = [ctx.can_convert(a, p) for a, p in zip(argtypes, sig.args)]
            if len(sig.args) == len(argtypes) and all(r is not None for r in rating):
                score = max((r for r in rating), default=None)
                if best is None or score < best[0]:
                    best = (score, sig)
        if best is None:
            raise TypeError(self._no_match_message(argtypes))
        sig = best[1]
        from numlir.runtime.convert import convert_value
        converted = tuple(convert_value(v, t) for v, t in zip(args, sig.args))
        return self._call_entry(self._native[tuple(sig.args)], converted)

    def _call_entry(self, cf, args):
        """Call ``cf``'s entry with arguments converted to its types. Should the entry still hand
        them down its chain back to :meth:`_slow_call`, that is an error, not an endless loop."""
        active = _entry_calls.__dict__.setdefault("active", set())
        active.add(self)
        try:
            return cf.entry(*args)
        finally:
            active.discard(self)

    def _no_match_message(self, argtypes):
        accepted = "\n".join(f"  {s}" for s in self.signatures) or "  (none)"
        return (f"No matching definition for argument type(s) {', '.join(map(str, argtypes))} "
                f"of {self.py_func.__name__}; accepted signatures:\n{accepted}")

    def add_signatures(self, sigs):
        self._explicit = True   # entries accept any array layout their signature converts from
        from numba.core.typeinfer import register_dispatcher
        # the function's own name is not bound yet: let a self-recursive call resolve to us
        with register_dispatcher(self):
            for sig in sigs if not config.DISABLE_JIT else ():
                args, return_type = sigutils.normalize_signature(sig)
                if return_type is not None:
                    self.compile(typing.signature(return_type, *args))
                self.compile_native(args)
        self._explicit = True
        self._can_compile = False

    # -- inspection ---------------------------------------------------------------------------
    @property
    def signatures(self):
        return list(self.overloads)

    def _pick(self, signature):
        if signature is None:
            if not self._native:
                raise ValueError(f"{self.py_func.__name__} has not been compiled yet")
            return next(reversed(self._native.values()))
        args, _ = sigutils.normalize_signature(signature)
        return self.compile_native(args)

    def inspect_mlir(self, signature=None, stage="lowered"):
        stages = self._pick(signature).stages
        if stage not in stages:
            raise ValueError(f"unknown stage {stage!r}; the stages are: {', '.join(stages)}")
        return stages[stage]

    def inspect_llvm(self, signature=None):
        return self._pick(signature).llvm_ir()

    def inspect_asm(self, signature=None):
        return self._pick(signature).assembly()

    def inspect_types(self, signature=None, file=None):
        import io
        import sys
        cf = self._pick(signature)
        out = io.StringIO()
        tir = self.overloads[tuple(cf.signature.args)].typed_ir
        print(f"{self.py_func.__name__} {cf.signature}", file=out)
        for label, block in sorted(tir.func_ir.blocks.items()):
            print(f"label {label}:", file=out)
            for stmt in block.body:
                target = getattr(stmt, "target", None)
                ty = tir.typemap.get(target.name) if isinstance(target, nb_ir.Var) else None
                print(f"    {stmt}" + (f"  :: {ty}" if ty is not None else ""), file=out)
        text = out.getvalue()
        if file is None:
            sys.stdout.write(text)
        else:
            file.write(text)
        return None


_entry_calls = threading.local()    # .active: dispatchers inside _call_entry on this thread


def _def_loc(py_func):
    """``ir.Loc`` of the ``def`` line of ``py_func`` (``co_firstlineno`` is its first decorator)."""
    import linecache
    code = py_func.__code__
    line = code.co_firstlineno
    for k in range(line, line + 50):
        text = linecache.getline(code.co_filename, k).lstrip()
        if text.startswith(("def ", "async def ")):
            line = k
            break
    return nb_ir.Loc(code.co_filename, line)


def _passable(ty):
    """Whether values of Numba type ``ty`` have run-time data numlir can pass from Python."""
    ty = types.unliteral(ty)
    if isinstance(ty, types.BaseTuple):
        return all(_passable(t) for t in ty)
    from mlir import ir

    from numlir.lowering import datamodel as dm
    from numlir.targets.cpu import _context_lock, mlir_context
    with _context_lock, mlir_context(), ir.Location.unknown():
        try:
            return bool(dm.leaf_types(ty))
        except KeyError:
            return False


def _jit(*args, **options):
    """``njit`` as Numba's overload machinery calls it for implementations typed on our target."""
    def wrap(fn):
        return Dispatcher(fn, targetoptions=options)
    if args and callable(args[0]):
        return wrap(args[0])
    return wrap


te.dispatcher_registry[NumlirHardware] = Dispatcher
te.jit_registry[NumlirHardware] = _jit

__all__ = ["Dispatcher", "TypedOverload", "UnsupportedError"]
