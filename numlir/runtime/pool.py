"""numlir's thread pool: fork-join of chunked parallel regions on spinning worker threads.

Compiled code runs a parallel region as ``nl_parallel_for(body, ctx, n, threads)``: call
``body(ctx, c)`` for every chunk ``c`` in ``0 .. n-1`` on at most ``threads`` threads (the
caller and ``threads - 1`` workers, who take a seat as they arrive) and return when all have run
(``numlir.passes.parallel`` outlines each ``scf.parallel`` into such a body). The pool is written
here in MLIR's LLVM dialect and compiled once per process by an ExecutionEngine of its own; its
worker threads are started with ``pthread_create``. No native code outside MLIR.

Protocol. One 64-bit *ticket* holds the job's generation (high 32 bits) and the next unclaimed
chunk (low 32 bits). The caller stores the job (body, ctx, n, done = 0), then publishes the ticket
``(gen + 1) << 32``; the caller and every worker that sees the new generation claim chunks by
compare-and-swap on the ticket (dynamic: a late or descheduled worker's chunks are run by whoever
is free, the caller included), run them and count them in ``done``; the caller returns when
``done == n``. A claim succeeds only while the ticket still carries the job's generation and an
index below ``n``, so a worker still looking at the previous job can never run a chunk of the next
one with the previous job's body (the ticket never repeats a value). The job's fields are written
before the ticket (release) and read after it (acquire).

Waiting workers spin (``pause``) for ``NUMLIR_SPIN_US`` microseconds after their last chunk,
checking the ticket, so a region that follows soon after another starts in well under a
microsecond; then they sleep on a futex (an event count: a sleeper announces itself in
``sleepers`` and re-checks the ticket before sleeping; the caller wakes only if someone
sleeps). A region entered while another runs — a parallel function called from a chunk body or
from a second Python thread — runs its chunks serially in the calling thread (``busy``), so pool
threads never wait for pool threads. One chunk, or no workers (after ``fork``, before the pool
starts), also runs in the caller.
"""
from __future__ import annotations

import ctypes
import os
import threading

from numlir import config

# The LLVM-dialect runtime. Hot shared words each sit on a cache line of their own.
_GLOBALS = """
  llvm.mlir.global internal @nl_ticket(0 : i64) {alignment = 64 : i64} : i64
  llvm.mlir.global internal @nl_done(0 : i64) {alignment = 64 : i64} : i64
  llvm.mlir.global internal @nl_busy(0 : i64) {alignment = 64 : i64} : i64
  llvm.mlir.global internal @nl_sleepers(0 : i64) {alignment = 64 : i64} : i64
  llvm.mlir.global internal @nl_wake(0 : i32) {alignment = 64 : i64} : i32
  llvm.mlir.global internal @nl_fn() {alignment = 64 : i64} : !llvm.ptr {
    %z = llvm.mlir.zero : !llvm.ptr
    llvm.return %z : !llvm.ptr
  }
  llvm.mlir.global internal @nl_ctx() {alignment = 8 : i64} : !llvm.ptr {
    %z = llvm.mlir.zero : !llvm.ptr
    llvm.return %z : !llvm.ptr
  }
  llvm.mlir.global internal @nl_n(0 : i64) {alignment = 8 : i64} : i64
  llvm.mlir.global internal @nl_seats(0 : i64) {alignment = 64 : i64} : i64
  llvm.mlir.global internal @nl_workers(0 : i64) {alignment = 64 : i64} : i64
  llvm.mlir.global internal @nl_spin_ns(0 : i64) {alignment = 8 : i64} : i64
  llvm.func @syscall(i64, ...) -> i64
  llvm.func @sched_yield() -> i32
  llvm.func @clock_gettime(i32, !llvm.ptr) -> i32
"""

# Monotonic time in nanoseconds (clock_gettime through the vDSO: ~20 ns, read every 256 spins).
_NOW = """
  llvm.func internal @nl_now(%ts: !llvm.ptr) -> i64 {
    %mono = llvm.mlir.constant(1 : i32) : i32
    %0 = llvm.call @clock_gettime(%mono, %ts) : (i32, !llvm.ptr) -> i32
    %s = llvm.load %ts : !llvm.ptr -> i64
    %p = llvm.getelementptr %ts[1] : (!llvm.ptr) -> !llvm.ptr, i64
    %ns = llvm.load %p : !llvm.ptr -> i64
    %g = llvm.mlir.constant(1000000000 : i64) : i64
    %t = llvm.mul %s, %g : i64
    %r = llvm.add %t, %ns : i64
    llvm.return %r : i64
  }
"""

# Claim and run chunks of generation %g until none is left (or the ticket moved on).
_CLAIM = """
  llvm.func internal @nl_claim(%g: i64) {
    %ticket = llvm.mlir.addressof @nl_ticket : !llvm.ptr
    %c32 = llvm.mlir.constant(32 : i64) : i64
    %mask = llvm.mlir.constant(4294967295 : i64) : i64
    %one = llvm.mlir.constant(1 : i64) : i64
    llvm.br ^loop
  ^loop:
    %t = llvm.load %ticket atomic acquire {alignment = 8 : i64} : !llvm.ptr -> i64
    %tg = llvm.lshr %t, %c32 : i64
    %same = llvm.icmp "eq" %tg, %g : i64
    llvm.cond_br %same, ^check, ^exit
  ^check:
    %idx = llvm.and %t, %mask : i64
    %np = llvm.mlir.addressof @nl_n : !llvm.ptr
    %n = llvm.load %np atomic monotonic {alignment = 8 : i64} : !llvm.ptr -> i64
    %more = llvm.icmp "slt" %idx, %n : i64
    llvm.cond_br %more, ^try, ^exit
  ^try:
    %fp = llvm.mlir.addressof @nl_fn : !llvm.ptr
    %fn = llvm.load %fp atomic monotonic {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
    %cp = llvm.mlir.addressof @nl_ctx : !llvm.ptr
    %ctx = llvm.load %cp atomic monotonic {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
    %t1 = llvm.add %t, %one : i64
    %r = llvm.cmpxchg %ticket, %t, %t1 acq_rel monotonic : !llvm.ptr, i64
    %ok = llvm.extractvalue %r[1] : !llvm.struct<(i64, i1)>
    llvm.cond_br %ok, ^run, ^loop
  ^run:
    llvm.call %fn(%ctx, %idx) : !llvm.ptr, (!llvm.ptr, i64) -> ()
    %dp = llvm.mlir.addressof @nl_done : !llvm.ptr
    %0 = llvm.atomicrmw add %dp, %one release : !llvm.ptr, i64
    llvm.br ^loop
  ^exit:
    llvm.return
  }
"""

# A worker thread: spin for new generations, sleep on the futex after nl_spin_ns of nothing.
_WORKER = """
  llvm.func @nl_worker(%arg: !llvm.ptr) -> !llvm.ptr {
    %ticket = llvm.mlir.addressof @nl_ticket : !llvm.ptr
    %wake = llvm.mlir.addressof @nl_wake : !llvm.ptr
    %sleepers = llvm.mlir.addressof @nl_sleepers : !llvm.ptr
    %spinp = llvm.mlir.addressof @nl_spin_ns : !llvm.ptr
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c1 = llvm.mlir.constant(1 : i64) : i64
    %c2 = llvm.mlir.constant(2 : i64) : i64
    %c32 = llvm.mlir.constant(32 : i64) : i64
    %c255 = llvm.mlir.constant(255 : i64) : i64
    %sys_futex = llvm.mlir.constant(SYS_FUTEX : i64) : i64
    %wait_private = llvm.mlir.constant(128 : i64) : i64
    %null = llvm.mlir.zero : !llvm.ptr
    %ts = llvm.alloca %c2 x i64 : (i64) -> !llvm.ptr
    llvm.br ^outer(%c0 : i64)
  ^outer(%seen: i64):
    %start = llvm.call @nl_now(%ts) : (!llvm.ptr) -> i64
    llvm.br ^spin(%c0 : i64)
  ^spin(%k: i64):
    %t = llvm.load %ticket atomic acquire {alignment = 8 : i64} : !llvm.ptr -> i64
    %g = llvm.lshr %t, %c32 : i64
    %new = llvm.icmp "ne" %g, %seen : i64
    llvm.cond_br %new, ^work, ^idle
  ^idle:
    PAUSE
    %k1 = llvm.add %k, %c1 : i64
    %low = llvm.and %k1, %c255 : i64
    %tick = llvm.icmp "eq" %low, %c0 : i64
    llvm.cond_br %tick, ^clock, ^spin(%k1 : i64)
  ^clock:
    %now = llvm.call @nl_now(%ts) : (!llvm.ptr) -> i64
    %spent = llvm.sub %now, %start : i64
    %budget = llvm.load %spinp atomic monotonic {alignment = 8 : i64} : !llvm.ptr -> i64
    %over = llvm.icmp "sge" %spent, %budget : i64
    llvm.cond_br %over, ^sleep, ^spin(%k1 : i64)
  ^sleep:
    %w = llvm.load %wake atomic seq_cst {alignment = 4 : i64} : !llvm.ptr -> i32
    %0 = llvm.atomicrmw add %sleepers, %c1 seq_cst : !llvm.ptr, i64
    %t2 = llvm.load %ticket atomic seq_cst {alignment = 8 : i64} : !llvm.ptr -> i64
    %g2 = llvm.lshr %t2, %c32 : i64
    %still = llvm.icmp "eq" %g2, %seen : i64
    llvm.cond_br %still, ^futex, ^awake
  ^futex:
    %w64 = llvm.zext %w : i32 to i64
    %1 = llvm.call @syscall(%sys_futex, %wake, %wait_private, %w64, %null)
        vararg(!llvm.func<i64 (i64, ...)>)
        : (i64, !llvm.ptr, i64, i64, !llvm.ptr) -> i64
    llvm.br ^awake
  ^awake:
    %2 = llvm.atomicrmw sub %sleepers, %c1 seq_cst : !llvm.ptr, i64
    llvm.br ^outer(%seen : i64)
  ^work:
    %seats = llvm.mlir.addressof @nl_seats : !llvm.ptr
    %left = llvm.atomicrmw sub %seats, %c1 acq_rel : !llvm.ptr, i64
    %seated = llvm.icmp "sgt" %left, %c0 : i64
    llvm.cond_br %seated, ^claim, ^outer(%g : i64)
  ^claim:
    llvm.call @nl_claim(%g) : (i64) -> ()
    llvm.br ^outer(%g : i64)
  }
"""

# The caller's side: publish the job, wake sleepers, claim chunks, wait for the rest.
_PARALLEL_FOR = """
  llvm.func @nl_parallel_for(%fn: !llvm.ptr, %ctx: !llvm.ptr, %n: i64, %threads: i64) {
    %ticket = llvm.mlir.addressof @nl_ticket : !llvm.ptr
    %busy = llvm.mlir.addressof @nl_busy : !llvm.ptr
    %done = llvm.mlir.addressof @nl_done : !llvm.ptr
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c1 = llvm.mlir.constant(1 : i64) : i64
    %c32 = llvm.mlir.constant(32 : i64) : i64
    %c63 = llvm.mlir.constant(63 : i64) : i64
    %one32 = llvm.mlir.constant(1 : i32) : i32
    %few = llvm.icmp "sle" %n, %c1 : i64
    llvm.cond_br %few, ^serial(%c0 : i64), ^pool
  ^pool:
    %wp = llvm.mlir.addressof @nl_workers : !llvm.ptr
    %workers = llvm.load %wp atomic monotonic {alignment = 8 : i64} : !llvm.ptr -> i64
    %none = llvm.icmp "eq" %workers, %c0 : i64
    llvm.cond_br %none, ^serial(%c0 : i64), ^enter
  ^enter:
    %was = llvm.atomicrmw xchg %busy, %c1 acquire : !llvm.ptr, i64
    %taken = llvm.icmp "ne" %was, %c0 : i64
    llvm.cond_br %taken, ^serial(%c0 : i64), ^publish
  ^publish:
    %fp = llvm.mlir.addressof @nl_fn : !llvm.ptr
    llvm.store %fn, %fp atomic monotonic {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
    %cp = llvm.mlir.addressof @nl_ctx : !llvm.ptr
    llvm.store %ctx, %cp atomic monotonic {alignment = 8 : i64} : !llvm.ptr, !llvm.ptr
    %np = llvm.mlir.addressof @nl_n : !llvm.ptr
    llvm.store %n, %np atomic monotonic {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.store %c0, %done atomic monotonic {alignment = 8 : i64} : i64, !llvm.ptr
    %seats = llvm.mlir.addressof @nl_seats : !llvm.ptr
    %helpers = llvm.sub %threads, %c1 : i64
    llvm.store %helpers, %seats atomic monotonic {alignment = 8 : i64} : i64, !llvm.ptr
    %t = llvm.load %ticket atomic monotonic {alignment = 8 : i64} : !llvm.ptr -> i64
    %g0 = llvm.lshr %t, %c32 : i64
    %g = llvm.add %g0, %c1 : i64
    %t1 = llvm.shl %g, %c32 : i64
    llvm.store %t1, %ticket atomic seq_cst {alignment = 8 : i64} : i64, !llvm.ptr
    %sp = llvm.mlir.addressof @nl_sleepers : !llvm.ptr
    %s = llvm.load %sp atomic seq_cst {alignment = 8 : i64} : !llvm.ptr -> i64
    %asleep = llvm.icmp "sgt" %s, %c0 : i64
    llvm.cond_br %asleep, ^wake, ^work
  ^wake:
    %wake = llvm.mlir.addressof @nl_wake : !llvm.ptr
    %0 = llvm.atomicrmw add %wake, %one32 seq_cst : !llvm.ptr, i32
    %sys_futex = llvm.mlir.constant(SYS_FUTEX : i64) : i64
    %wake_private = llvm.mlir.constant(129 : i64) : i64
    %all = llvm.mlir.constant(2147483647 : i64) : i64
    %null = llvm.mlir.zero : !llvm.ptr
    %1 = llvm.call @syscall(%sys_futex, %wake, %wake_private, %all, %null)
        vararg(!llvm.func<i64 (i64, ...)>)
        : (i64, !llvm.ptr, i64, i64, !llvm.ptr) -> i64
    llvm.br ^work
  ^work:
    llvm.call @nl_claim(%g) : (i64) -> ()
    llvm.br ^wait(%c0 : i64)
  ^wait(%k: i64):
    %d = llvm.load %done atomic acquire {alignment = 8 : i64} : !llvm.ptr -> i64
    %finished = llvm.icmp "sge" %d, %n : i64
    llvm.cond_br %finished, ^leave, ^pause
  ^pause:
    PAUSE
    %k1 = llvm.add %k, %c1 : i64
    %low = llvm.and %k1, %c63 : i64
    %tick = llvm.icmp "eq" %low, %c0 : i64
    llvm.cond_br %tick, ^yield, ^wait(%k1 : i64)
  ^yield:
    %2 = llvm.call @sched_yield() : () -> i32
    llvm.br ^wait(%k1 : i64)
  ^leave:
    llvm.store %c0, %busy atomic release {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.return
  ^serial(%i: i64):
    %left = llvm.icmp "slt" %i, %n : i64
    llvm.cond_br %left, ^one, ^end
  ^one:
    llvm.call %fn(%ctx, %i) : !llvm.ptr, (!llvm.ptr, i64) -> ()
    %i1 = llvm.add %i, %c1 : i64
    llvm.br ^serial(%i1 : i64)
  ^end:
    llvm.return
  }
"""

# Address getters, called through their packed wrappers (ExecutionEngine.raw_lookup).
_GETTERS = ("nl_parallel_for", "nl_worker", "nl_workers", "nl_spin_ns")


def _getter(symbol):
    return (f"  llvm.func @{symbol}_addr() -> !llvm.ptr {{\n"
            f"    %a = llvm.mlir.addressof @{symbol} : !llvm.ptr\n"
            f"    llvm.return %a : !llvm.ptr\n  }}\n")


def _pause(machine):
    """The spin-wait hint: ``pause`` on x86-64, ``yield`` on AArch64."""
    asm = "pause" if machine in ("x86_64", "amd64") else "yield"
    return f'llvm.inline_asm has_side_effects "{asm}", "" : () -> ()'


# Linux's futex system call number on the machines numlir's wheels exist for
_SYS_FUTEX = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98}


def runtime_source():
    """The pool's LLVM-dialect module text."""
    machine = os.uname().machine.lower()
    if machine not in _SYS_FUTEX:
        raise RuntimeError(f"numlir's thread pool does not know the futex call of {machine}")
    body = _GLOBALS + _NOW + _CLAIM + _WORKER + _PARALLEL_FOR + "".join(map(_getter, _GETTERS))
    body = body.replace("PAUSE", _pause(machine)).replace("SYS_FUTEX", str(_SYS_FUTEX[machine]))
    return "module {\n" + body + "}\n"


class _Pool:
    """The compiled runtime (kept for the life of the process) and its worker threads."""

    def __init__(self):
        from mlir import ir
        from mlir.execution_engine import ExecutionEngine

        from numlir.targets.cpu import _function_address
        with ir.Context(), ir.Location.unknown():
            module = ir.Module.parse(runtime_source())
            self.engine = ExecutionEngine(module, opt_level=2)
        # never destroyed: worker threads run its code until the process ends
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(self.engine))
        self.addr = {s: _function_address(self.engine, f"{s}_addr") for s in _GETTERS}
        ctypes.c_int64.from_address(self.addr["nl_spin_ns"]).value = config.SPIN_US * 1000
        self.threads = 0

    def start_workers(self, count):
        """Start ``count`` more detached worker threads (pthreads running ``nl_worker``)."""
        libc = ctypes.CDLL(None, use_errno=True)
        create, detach = libc.pthread_create, libc.pthread_detach
        create.argtypes = [ctypes.POINTER(ctypes.c_ulong), ctypes.c_void_p, ctypes.c_void_p,
                           ctypes.c_void_p]
        detach.argtypes = [ctypes.c_ulong]
        started = 0
        for _ in range(count):
            tid = ctypes.c_ulong()
            if create(ctypes.byref(tid), None, self.addr["nl_worker"], None) != 0:
                break
            detach(tid.value)
            started += 1
        self.threads += started
        ctypes.c_int64.from_address(self.addr["nl_workers"]).value = self.threads

    def after_fork(self):
        """A forked child has none of the parent's threads: run serially until restarted."""
        count, self.threads = self.threads, 0
        ctypes.c_int64.from_address(self.addr["nl_workers"]).value = 0
        self.start_workers(count)


_pool = []
_lock = threading.Lock()


def pool_size():
    """Threads a region can use: the caller plus one worker per further CPU (fewer if
    ``NUMLIR_NUM_THREADS`` asks for fewer; more chunks than threads are claimed in turn)."""
    from numlir.runtime.threads import available_cpus
    cpus = available_cpus()
    return min(cpus, config.NUM_THREADS) if config.NUM_THREADS else cpus


def parallel_for_address():
    """Address of ``nl_parallel_for``; compiles the runtime and starts the workers once."""
    if not _pool:
        with _lock:
            if not _pool:
                pool = _Pool()
                pool.start_workers(pool_size() - 1)
                if hasattr(os, "register_at_fork"):
                    os.register_at_fork(after_in_child=pool.after_fork)
                _pool.append(pool)
    return _pool[0].addr["nl_parallel_for"]


def worker_threads():
    """Worker threads started so far (the caller of a region is one more thread)."""
    return _pool[0].threads if _pool else 0
