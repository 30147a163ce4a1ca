"""Pipeline stages of modules with parallel regions (``scf.parallel`` over chunks, from ``prange``
loops and from array expressions of ``parallel=True`` functions), run on numlir's pool
(``numlir.runtime.pool``).

After buffer deallocation, :func:`outline_parallel_regions` moves each outermost ``scf.parallel``
body into a private function ``B(chunk, captured values...)`` and replaces the loop by a call of
``nl_fork_B(chunks, captured values...)``, declared only. After the conversion to the LLVM
dialect, where a memref is a list of plain values, :func:`define_forks` defines each fork: it
stores the captured values into a stack struct and calls the pool's ``nl_parallel_for`` with
the thread count ``set_num_threads`` asked for and ``nl_tramp_B``, which loads the values back and
calls ``B``. Constants are cloned into the body rather than captured, so the body's loops keep
their constant bounds and steps. Modules without parallel regions keep ``CPU_STAGES`` unchanged.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, func

from numlir.passes.rewriting import find_ops

OUTLINE_NAME = "outline-parallel-regions"
FORKS_NAME = "define-parallel-forks"
FORK_PREFIX = "nl_fork_"
TRAMP_PREFIX = "nl_tramp_"

# operand-free ops whose result is better recomputed in the body than passed to it
_CONSTANT_OPS = {"arith.constant", "llvm.mlir.constant", "llvm.mlir.zero", "llvm.mlir.addressof",
                 "ub.poison", "memref.get_global"}


def _outermost_parallels(op, found):
    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                if inner.operation.name == "scf.parallel":
                    found.append(inner.operation)
                else:
                    _outermost_parallels(inner.operation, found)
    return found


def _owner_function(value):
    owner = value.owner
    op = owner.owner if isinstance(owner, ir.Block) else owner
    op = op.operation
    while op is not None and op.name != "func.func":
        op = op.parent
    return op


def _outline(function, par, body_name):
    """Move ``par``'s body into ``body_name(chunk, captures...)``; ``par`` becomes a fork call."""
    if len(par.operands) != 3 or len(par.results) != 0:
        raise NotImplementedError("numlir outlines 1-d scf.parallel loops without results only")
    lb, ub, step = par.operands
    index = ir.IndexType.get()
    with ir.InsertionPoint(function):
        body_fn = func.FuncOp(body_name, ([index], []), visibility="private")
    entry = body_fn.add_entry_block()
    loop_block = par.regions[0].blocks[0]
    with ir.InsertionPoint(entry):
        iv = arith.addi(lb, arith.muli(entry.arguments[0], step))
        ret = func.ReturnOp([])
    for op in list(loop_block.operations)[:-1]:       # all but the scf.reduce terminator
        op.operation.move_before(ret)
    loop_block.arguments[0].replace_all_uses_with(iv)

    # values of the enclosing function used in the body: cloned constants or new arguments
    body_op = body_fn.operation
    uses = [(op, i, v) for op in find_ops(body_op, lambda _: True)
            for i, v in enumerate(op.operands)
            if _owner_function(v) != body_op]
    mapped, captured = {}, []
    for op, i, value in uses:
        if value not in mapped:
            owner = value.owner
            if not isinstance(owner, ir.Block) and owner.operation.name in _CONSTANT_OPS \
                    and len(owner.operation.operands) == 0:
                clone = owner.operation.clone(ip=ir.InsertionPoint.at_block_begin(entry))
                mapped[value] = clone.results[ir.OpResult(value).result_number]
            else:
                mapped[value] = entry.add_argument(value.type, par.location)
                captured.append(value)
        op.operands[i] = mapped[value]
    types = [index] + [v.type for v in captured]
    body_fn.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(types, []))

    fork_name = FORK_PREFIX + body_name
    with ir.InsertionPoint(function):
        func.FuncOp(fork_name, (types, []), visibility="private")
    with ir.InsertionPoint(par), par.location:
        span = arith.subi(ub, lb)
        chunks = arith.ceildivsi(span, step)
        func.CallOp([], ir.FlatSymbolRefAttr.get(fork_name), [chunks] + captured)
    par.erase()
    return body_fn


def outline_parallel_regions(module):
    """Outline every ``scf.parallel`` of ``module`` (see the module docstring)."""
    count = 0
    work = [op for op in module.body.operations if op.operation.name == "func.func"]
    while work:
        function = work.pop(0)
        name = function.attributes["sym_name"].value
        for par in _outermost_parallels(function.operation, []):
            body = _outline(function, par, f"{name}_chunks{count}")
            count += 1
            work.append(body)      # a region nested in the body runs serially (pool busy)


outline_parallel_regions.pass_name = OUTLINE_NAME


def _fork_source(body, arg_types, pool_address, threads_address):
    """LLVM-dialect text of ``nl_fork_<body>`` and ``nl_tramp_<body>`` (and ``body``'s
    declaration, so that the text parses on its own)."""
    fields = arg_types[1:]
    struct = f"!llvm.struct<({', '.join(fields)})>"
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(fields))
    fork = [f"llvm.func internal @{FORK_PREFIX}{body}(%n: i64{', ' if params else ''}{params}) {{",
            f"  %pool = llvm.mlir.constant({pool_address} : i64) : i64",
            "  %run = llvm.inttoptr %pool : i64 to !llvm.ptr",
            f"  %slot = llvm.mlir.constant({threads_address} : i64) : i64",
            "  %slotp = llvm.inttoptr %slot : i64 to !llvm.ptr",
            "  %threads = llvm.load %slotp : !llvm.ptr -> i64",
            f"  %tramp = llvm.mlir.addressof @{TRAMP_PREFIX}{body} : !llvm.ptr"]
    tramp = [f"llvm.func internal @{TRAMP_PREFIX}{body}(%ctx: !llvm.ptr, %c: i64) {{"]
    if fields:
        fork += ["  %one = llvm.mlir.constant(1 : i64) : i64",
                 f"  %ctx = llvm.alloca %one x {struct} : (i64) -> !llvm.ptr"]
    else:
        fork.append("  %ctx = llvm.mlir.zero : !llvm.ptr")
    for i, t in enumerate(fields):
        fork += [f"  %p{i} = llvm.getelementptr %ctx[0, {i}] : (!llvm.ptr) -> !llvm.ptr, {struct}",
                 f"  llvm.store %a{i}, %p{i} : {t}, !llvm.ptr"]
        tramp += [f"  %p{i} = llvm.getelementptr %ctx[0, {i}] : (!llvm.ptr) -> !llvm.ptr, {struct}",
                  f"  %v{i} = llvm.load %p{i} : !llvm.ptr -> {t}"]
    fork += ["  llvm.call %run(%tramp, %ctx, %n, %threads)"
             " : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64, i64) -> ()",
             "  llvm.return", "}"]
    values = ", ".join(["%c"] + [f"%v{i}" for i in range(len(fields))])
    tramp += [f"  llvm.call @{body}({values}) : ({', '.join(arg_types)}) -> ()",
              "  llvm.return", "}"]
    declare = f"llvm.func @{body}({', '.join(arg_types)})"
    return "module {\n" + "\n".join([declare] + fork + tramp) + "\n}\n"


def define_forks(module):
    """Define each declared ``nl_fork_*`` of the LLVM-dialect ``module`` (module docstring)."""
    from numlir.runtime.pool import parallel_for_address
    from numlir.runtime.threads import num_threads_address
    functions = {op.attributes["sym_name"].value: op for op in module.body.operations
                 if op.operation.name == "llvm.func"}
    forks = [name for name, op in functions.items()
             if name.startswith(FORK_PREFIX) and not op.regions[0].blocks]
    if not forks:
        return
    pool, threads = parallel_for_address(), num_threads_address()
    for name in forks:
        body = name[len(FORK_PREFIX):]
        arg_types = [str(a.type) for a in functions[body].regions[0].blocks[0].arguments]
        parsed = ir.Module.parse(_fork_source(body, arg_types, pool, threads))
        functions[name].operation.erase()
        for op in list(parsed.body.operations)[1:]:     # not the body's declaration
            module.body.append(op.operation)


define_forks.pass_name = FORKS_NAME

PARALLEL_STAGE = ("parallel", [outline_parallel_regions, "canonicalize"])


def with_parallel_stage(stages, after="dealloc", lowered="llvm"):
    """``stages`` with the parallel stage inserted after the stage named ``after`` and the forks
    defined at the end of the stage named ``lowered`` (after the conversion to LLVM)."""
    out = []
    for name, passes in stages:
        out.append((name, list(passes) + [define_forks] if name == lowered else passes))
        if name == after:
            out.append(PARALLEL_STAGE)
    return out
