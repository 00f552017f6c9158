"""Intra-op parallelism: the thread count, and a small pool that splits big kernels by batch.

``set_num_threads`` governs NumPy's BLAS and this pool together, as ``torch.set_num_threads``
governs torch's; the default is the number of cores this process may run on, as in torch.

NumPy releases the GIL inside ufunc loops, copies and BLAS calls, so plain Python threads run
array work in parallel. A kernel that splits its batch into chunks (``parallel_for``) gains
twice: each chunk's intermediates stay in the core's cache, and the chunks run on all cores.
There is one pool, as in torch: with more than one thread, NumPy's BLAS runs single-threaded
and ``matmul`` below splits large products across the pool instead. OpenBLAS's own threads
busy-wait for ~0.1 s after each call, which stole the cores from the pool (and from other
processes on a shared machine); the pool's threads sleep while idle.

At import, glibc's malloc is told to keep freed blocks up to 32 MiB for reuse
(``_keep_freed_memory``): otherwise each step's arrays page-fault in afresh.
"""
import os
import threading
import time

from ember._backend import np

_lock = threading.Lock()
_num_threads = None
_bound = None  # (caller's thread id, its CPU set) while the pool is bound to CPUs
_workers = []
_blas = None


def cpu_count():
    """CPUs this process may run on (the calling thread's set, or the one it had before the
    pool pinned it, see ``_bind``)."""
    bound = _bound
    if bound is not None:
        return len(bound[1])
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _default_threads():
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return cpu_count()


def _openblas():
    """(set_num_threads, get_num_threads) of the OpenBLAS NumPy loaded, through ctypes (None if
    NumPy uses another BLAS)."""
    global _blas
    if _blas is None:
        import ctypes
        import glob

        _blas = False
        libdir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
        for path in glob.glob(os.path.join(libdir, "*openblas*")):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix in ("scipy_openblas", "openblas"):
                setter = getattr(lib, prefix + "_set_num_threads64_", None) or getattr(
                    lib, prefix + "_set_num_threads", None)
                getter = getattr(lib, prefix + "_get_num_threads64_", None) or getattr(
                    lib, prefix + "_get_num_threads", None)
                if setter is not None and getter is not None:
                    _blas = (setter, getter)
                    break
    return _blas or None


def set_num_threads(n):
    """Set the number of threads ember uses for intra-op parallelism (NumPy's BLAS and ember's
    own kernels), like ``torch.set_num_threads``."""
    global _num_threads
    if int(n) < 1:
        raise RuntimeError("set_num_threads expects a positive integer, got %r" % (n,))
    _num_threads = int(n)
    blas = _openblas()
    if blas is not None:
        blas[0](1)


def get_num_threads():
    """Number of threads ember uses for intra-op parallelism, like ``torch.get_num_threads``."""
    if _num_threads is None:
        set_num_threads(_default_threads())
    return _num_threads


# Handing a task over. Waking a sleeping thread costs ~30 us on these machines (a round trip
# through two locks or events: 57-67 us), more than many split kernels take, and two threads
# polling a flag in Python fight over the GIL (20-35 us a hand-over). So, as torch's OpenMP
# threads do, a worker that ran a task polls for the next one for _SPIN_SECONDS before it
# sleeps, and the caller polls for a task's end; both poll inside a C spin lock
# (``pthread_spin_lock`` through ctypes, which lets go of the GIL, so the poller never competes
# for it): 2-6 us a hand-over. A daemon "cooler" thread puts idle workers back to sleep.
# Without POSIX spin locks (macOS, Windows), or with fewer CPUs than threads (pollers would take
# turns on a CPU), plain locks do the same, asleep.
# While workers poll, the caller and each worker are pinned to CPUs of their own (``_bind``):
# threads woken from a sleep (on the GIL, or a worker waking up) were often put on the CPU of
# the thread that woke them, so a worker polled on the caller's CPU and the two took turns in
# 3-4 ms time slices (LeNet-5's first training steps after a 0.5 s pause took 25-45 ms instead
# of 8). The caller gets its CPU set back when the pool cools, and a forked child at once; a
# process started with ``subprocess`` within those few ms inherits the single CPU.
_SPIN_SECONDS = 0.002


def _spin_locks():
    """``(wait, close, open, init)`` over a ``pthread_spinlock_t``: ``wait`` polls until the
    lock is free and takes it (without the GIL); ``close`` takes a free lock; ``open`` frees it.
    None without POSIX spin locks."""
    try:
        import ctypes

        free, held = ctypes.CDLL(None), ctypes.PyDLL(None)  # PyDLL calls keep the GIL
        return (free.pthread_spin_lock, held.pthread_spin_lock, held.pthread_spin_unlock,
                held.pthread_spin_init)
    except (OSError, AttributeError, TypeError):  # TypeError: no CDLL(None) on Windows
        return None


_SPIN = _spin_locks()


class _Gate:
    """A binary latch between two threads: ``open`` lets one ``wait`` through (which closes it
    again); a C spin lock, or a plain lock where there is none."""

    __slots__ = ("wait", "close", "open", "_cell")

    def __init__(self, closed, spin):
        if not spin:
            lock = threading.Lock()
            self.wait, self.close, self.open = lock.acquire, lock.acquire, _releaser(lock)
        else:
            import ctypes

            self._cell = ctypes.c_int()  # a pthread_spinlock_t
            ref = ctypes.byref(self._cell)
            wait, close, unlock, init = _SPIN
            init(ref, 0)
            self.wait, self.close, self.open = (lambda: wait(ref)), (lambda: close(ref)), (
                lambda: unlock(ref))
        if closed:
            self.close()


def _releaser(lock):
    def release():
        try:
            lock.release()
        except RuntimeError:  # already open: the waiter will pass anyway
            pass
    return release


class _Worker(threading.Thread):
    """A daemon thread running tasks handed over one at a time. A task waits in ``slot`` until
    the worker takes it, or the caller does (``join_task``) when the worker has not got to it
    by then (it was asleep, or the OS put it on the caller's CPU): a late worker never makes a
    kernel slower than running it in one thread. ``hot``: the worker polls ``go`` for the next
    task (else it sleeps on ``wake``); the caller waits on ``done`` for the worker's end."""

    def __init__(self, spin):
        super().__init__(daemon=True, name="ember-intra-op")
        self.spin = spin
        self.slot = []  # list.pop is atomic: exactly one thread gets the task
        self.error = None
        self.finished = True
        self.hot = False
        self.idle_since = 0.0  # None while running a task
        self.go, self.done = _Gate(True, spin), _Gate(False, spin)
        self.wake = threading.Lock()
        self.wake.acquire()

    def start_task(self, fn):
        self.error = None
        self.finished = False
        self.done.close()
        self.slot.append(fn)
        if self.hot:
            self.go.open()
        else:
            self.hot = self.spin
            _releaser(self.wake)()
            if self.hot:
                _bind(_workers)
                _heat.set()

    def join_task(self):
        """Wait for the task's end, or run it here if the worker has not taken it."""
        try:
            fn = self.slot.pop()
        except IndexError:  # the worker has it
            if not self.finished:
                self.done.wait()
                self.done.open()
            return
        self._call(fn)
        self.done.open()

    def cool(self, now):
        """Put the worker to sleep if it has polled idle for _SPIN_SECONDS; whether it polls."""
        idle = self.idle_since
        if self.hot and not self.slot and idle is not None and now - idle > _SPIN_SECONDS:
            self.hot = False
            self.go.open()  # it finds no task and sleeps
        return self.hot

    def _call(self, fn):
        try:
            fn()
        except BaseException as e:  # re-raised in the calling thread
            self.error = e

    def run(self):
        _busy.flag = True  # a kernel running here does not split again
        while True:
            if self.hot:
                self.go.wait()
            else:
                self.wake.acquire()
            try:
                fn = self.slot.pop()
            except IndexError:  # woken to go to sleep, taken by the caller, or a stale wake-up
                continue
            self.idle_since = None
            self._call(fn)
            self.idle_since = time.perf_counter()
            self.done.open()
            self.finished = True


def _cpu_query():
    try:
        import ctypes

        return ctypes.PyDLL(None).sched_getcpu
    except (OSError, AttributeError, TypeError):
        return None


_getcpu = _cpu_query()


def _bind(workers):
    """Pin the calling thread to the CPU it is on and each worker to another one, until the
    pool cools (``_unbind``)."""
    global _bound
    if _bound is not None or _getcpu is None:
        return
    try:
        allowed = os.sched_getaffinity(0)
        here = _getcpu()
        others = sorted(c for c in allowed if c != here)
        if not others or here not in allowed:
            return
        os.sched_setaffinity(0, {here})
        _bound = (threading.get_native_id(), allowed)
        for i, w in enumerate(workers):
            os.sched_setaffinity(w.native_id, {others[i % len(others)]})
    except (OSError, AttributeError):
        pass


def _unbind(threads):
    """Give the bound threads (thread ids; 0 is the calling one) the caller's CPU set back."""
    global _bound
    bound, _bound = _bound, None
    if bound is not None:
        for tid in threads(bound[0]):
            try:
                os.sched_setaffinity(tid, bound[1])
            except OSError:
                pass


_heat = threading.Event()  # set while a worker may be polling
_cooler = None


def _cool():
    while True:
        _heat.wait()
        time.sleep(_SPIN_SECONDS)
        now = time.perf_counter()
        workers = list(_workers)
        if not any([w.cool(now) for w in workers]):
            _unbind(lambda caller: [caller] + [w.native_id for w in workers])
            _heat.clear()
            if any(w.hot for w in workers):  # turned hot meanwhile
                _heat.set()


def _pool(n):
    global _cooler
    with _lock:
        while len(_workers) < n:
            # poll only with a CPU for the caller and each worker (else they would take turns)
            w = _Worker(_SPIN is not None and cpu_count() > len(_workers) + 1)
            w.start()
            _workers.append(w)
        if _cooler is None and any(w.spin for w in _workers):
            _cooler = threading.Thread(target=_cool, daemon=True, name="ember-intra-op-cooler")
            _cooler.start()
    return _workers[:n]


_busy = threading.local()
_run_lock = threading.Lock()


def _after_fork():
    """A forked child (a DataLoader worker) has none of the parent's threads."""
    global _run_lock, _cooler, _heat
    _unbind(lambda caller: [0])  # a child started while the pool was bound runs anywhere
    _workers.clear()
    _run_lock = threading.Lock()
    _cooler, _heat = None, threading.Event()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def chunks(n, grain):
    """Split ``range(n)`` into at most ``get_num_threads()`` contiguous ``(lo, hi)`` chunks of at
    least ``grain`` items each (a single chunk when threads would not pay or are in use)."""
    t = get_num_threads()
    if t > 1 and not getattr(_busy, "flag", False):
        t = min(t, n // max(grain, 1))
    else:
        t = 1
    if t <= 1:
        return [(0, n)]
    step, extra = divmod(n, t)
    out, lo = [], 0
    for i in range(t):
        hi = lo + step + (1 if i < extra else 0)
        out.append((lo, hi))
        lo = hi
    return out


def run(fn, parts):
    """Call ``fn(lo, hi)`` for each ``(lo, hi)`` in ``parts`` (from ``chunks``), in parallel, and
    return the results in order. The first part runs in the calling thread."""
    if len(parts) == 1 or not _run_lock.acquire(blocking=False):
        return [fn(lo, hi) for lo, hi in parts]  # another thread holds the pool
    try:
        return _run(fn, parts)
    finally:
        _run_lock.release()


def _run(fn, parts):
    workers = _pool(len(parts) - 1)
    results = [None] * len(parts)

    def task(i):
        def call():
            results[i] = fn(*parts[i])
        return call

    _busy.flag = True
    try:
        for i, w in enumerate(workers, start=1):
            w.start_task(task(i))
        results[0] = fn(*parts[0])
    finally:
        for w in workers:
            w.join_task()
        _busy.flag = False
    for w in workers:
        if w.error is not None:
            raise w.error
    return results


class _Pending:
    """A task started by ``spawn``: ``wait()`` returns its result (re-raising its error)."""

    __slots__ = ("worker", "value")

    def __init__(self):
        self.worker = self.value = None

    def wait(self):
        w = self.worker
        if w is not None:
            self.worker = None
            w.join_task()
            _run_lock.release()
            if w.error is not None:
                raise w.error
        return self.value


def spawn(fn):
    """Start ``fn()`` on a pool thread while the caller goes on; return a handle whose
    ``wait()`` gives the result (call it, also on errors: the pool is held until then). With one
    thread, or when the pool is in use, ``fn`` runs at once in the calling thread."""
    pending = _Pending()
    if (get_num_threads() < 2 or getattr(_busy, "flag", False)
            or not _run_lock.acquire(blocking=False)):
        pending.value = fn()
        return pending
    w = _pool(1)[0]

    def call():
        pending.value = fn()

    pending.worker = w
    w.start_task(call)
    return pending


# Multiply-adds below which a product runs in one thread. Handing half to the pool costs ~30 us
# on a quiet machine (more under load), and OpenBLAS does ~60 multiply-adds per ns here, so a
# product pays the hand-over only from about 8M multiply-adds (~140 us; 1.4x at best): LeNet-5's
# Linear layers (<= 3M) and the MLP's 64x256x128 stay in one thread, its 784-wide layer splits.
_MATMUL_WORK = 1 << 23


def matmul(a, b):
    """``np.matmul(a, b)``, split across the pool when the product is large: by rows of ``a``
    (or columns of ``b`` when ``a`` has few rows) for a 2-d ``b``, by the leading batch dim for
    batches of equal shape."""
    if a.ndim < 2 or b.ndim < 2 or type(a) is not np.ndarray or type(b) is not np.ndarray:
        return np.matmul(a, b)
    if b.ndim > 2:
        return _batched_matmul(a, b)
    rows = a.size // max(a.shape[-1], 1)
    k, n = b.shape
    if rows * k * n < _MATMUL_WORK:
        return np.matmul(a, b)
    if rows >= n:
        a2 = a.reshape(rows, k)
        parts = chunks(rows, 16)
        if len(parts) == 1:
            return np.matmul(a, b)
        out = _empty((rows, n), a, b)
        run(lambda lo, hi: _matmul_into(a2[lo:hi], b, out[lo:hi]), parts)
        return out.reshape(a.shape[:-1] + (n,))
    parts = chunks(n, 16)
    if len(parts) == 1:
        return np.matmul(a, b)
    a2 = a.reshape(rows, k)
    out = _empty((rows, n), a, b)
    run(lambda lo, hi: _matmul_into(a2, b[:, lo:hi], out[:, lo:hi]), parts)
    return out.reshape(a.shape[:-1] + (n,))


# Columns per GEMM call of a product with a much wider right operand (a convolution's column
# matrix). OpenBLAS's AVX-512 (SkylakeX) kernels ran LeNet-5's conv1 products (6x25 by
# 25x50176) 1.8x faster in the forward and 3-5x faster in the weight gradient in pieces of 4096
# columns than in one call; its AVX2 (Haswell) kernels ran them at the same speed either way
# (measured in #13).
_GEMM_COLUMNS = 4096


def _pieces(n):
    """``range(n)`` cut into ``(start, stop)`` pieces of ``_GEMM_COLUMNS`` (whole when not much
    wider)."""
    step = _GEMM_COLUMNS
    if n <= 2 * step:
        return [(0, n)]
    return [(s, min(s + step, n)) for s in range(0, n, step)]


def wide_matmul(a, b):
    """``a @ b`` for 2-d arrays and a wide ``b``, piece by piece (see ``_GEMM_COLUMNS``); the
    pieces run across the pool when the product is large and the pool is free."""
    pieces = _pieces(b.shape[1])
    if len(pieces) == 1 or type(a) is not np.ndarray or type(b) is not np.ndarray:
        return matmul(a, b)
    out = _empty((a.shape[0], b.shape[1]), a, b)

    def part(lo, hi):
        for s, e in pieces[lo:hi]:
            np.matmul(a, b[:, s:e], out=out[:, s:e])

    big = a.size * b.shape[1] >= _MATMUL_WORK
    run(part, chunks(len(pieces), 1) if big else [(0, len(pieces))])
    return out


def matmul_nt(a, b):
    """``a @ b.T`` for ``a`` ``(m, L)`` and ``b`` ``(k, L)`` with a long ``L``: the pieces'
    products summed, each with the larger of ``m``, ``k`` as its rows (2x faster for the
    weight gradient of LeNet-5's conv2 on OpenBLAS's AVX-512 kernels, the same on AVX2)."""
    if type(a) is not np.ndarray or type(b) is not np.ndarray:
        return np.matmul(a, b.T)
    swap = b.shape[0] > a.shape[0]
    rows, cols = (b, a) if swap else (a, b)
    acc = None
    for s, e in _pieces(a.shape[1]):
        p = np.matmul(rows[:, s:e], cols[:, s:e].T)
        if acc is None:
            acc = p
        else:
            acc += p
    return np.ascontiguousarray(acc.T) if swap else acc


def _batched_matmul(a, b):
    if a.shape[:-2] != b.shape[:-2] or a.size * b.shape[-1] < _MATMUL_WORK:
        return np.matmul(a, b)
    parts = chunks(a.shape[0], 1)
    if len(parts) == 1:
        return np.matmul(a, b)
    out = _empty(a.shape[:-1] + b.shape[-1:], a, b)
    run(lambda lo, hi: np.matmul(a[lo:hi], b[lo:hi], out=out[lo:hi]), parts)
    return out


def _empty(shape, a, b):
    return np.empty(shape, dtype=np.result_type(a, b))


def _matmul_into(a, b, out):
    if out.flags.c_contiguous:
        a.dot(b, out=out)
    else:
        out[...] = a @ b


# glibc's malloc hands big freed blocks back to the kernel (munmap, or trimming the heap's top),
# so every training step's fresh activations and column matrices page-faulted in again, zeroed
# by the kernel: ~3,000 faults and 8 ms of system time per LeNet-5 step (19 ms CPU in all; 10.6
# with the blocks kept), 2,900 and 9 ms per LSTM step (measured in #13). Torch's steps fault
# almost never. Blocks up to this size come from the heap and stay with the process once freed.
_KEEP_BYTES = 32 << 20  # glibc's largest mmap threshold
_TRIM_BYTES = 64 << 20  # free memory kept at the heap's top
_MALLOC_ENV = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
               "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES")


def _keep_freed_memory():
    """Tell glibc's malloc to keep freed blocks for reuse (a caching allocator's effect), unless
    the user tuned malloc through its environment variables; True when it was set here."""
    if any(os.environ.get(name) for name in _MALLOC_ENV):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, _KEEP_BYTES) and mallopt(m_trim_threshold, _TRIM_BYTES))


set_num_threads(_default_threads())
_keep_freed_memory()
