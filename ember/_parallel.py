"""Intra-op parallelism: the thread count, and a small pool that splits big kernels by batch.

``set_num_threads`` governs NumPy's BLAS and this pool together, as ``torch.set_num_threads``
governs torch's; the default is the number of cores this process may run on, as in torch.

NumPy releases the GIL inside ufunc loops, copies and BLAS calls, so plain Python threads run
array work in parallel. A kernel that splits its batch into chunks (``parallel_for``) gains
twice: each chunk's intermediates stay in the core's cache, and the chunks run on all cores.
While chunks run, BLAS is held at one thread so that its own threads do not compete with the
pool's for the same cores; it is restored afterwards for the GEMMs that run alone.
"""
import os
import threading

_lock = threading.Lock()
_num_threads = None
_workers = []
_blas = None
_blas_threads = 1


def _default_threads():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _openblas():
    """(set_num_threads, get_num_threads) of the OpenBLAS NumPy loaded, through ctypes (None if
    NumPy uses another BLAS)."""
    global _blas
    if _blas is None:
        import ctypes
        import glob

        import numpy

        _blas = False
        libdir = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs")
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


def _set_blas_threads(n):
    global _blas_threads
    blas = _openblas()
    if blas is not None and n != _blas_threads:
        blas[0](n)
    _blas_threads = n


def set_num_threads(n):
    """Set the number of threads ember uses for intra-op parallelism (NumPy's BLAS and ember's
    own kernels), like ``torch.set_num_threads``."""
    global _num_threads
    if int(n) < 1:
        raise RuntimeError("set_num_threads expects a positive integer, got %r" % (n,))
    _num_threads = int(n)
    blas = _openblas()
    if blas is not None:
        blas[0](_num_threads)
    global _blas_threads
    _blas_threads = _num_threads


def get_num_threads():
    """Number of threads ember uses for intra-op parallelism, like ``torch.get_num_threads``."""
    if _num_threads is None:
        set_num_threads(_default_threads())
    return _num_threads


class _Worker(threading.Thread):
    """A daemon thread running one task at a time, handed over through a pair of events."""

    def __init__(self):
        super().__init__(daemon=True, name="ember-intra-op")
        self.task = None
        self.error = None
        self.ready = threading.Event()
        self.done = threading.Event()

    def run(self):
        _busy.flag = True  # a kernel running here does not split again
        while True:
            self.ready.wait()
            self.ready.clear()
            try:
                self.task()
            except BaseException as e:  # re-raised in the calling thread
                self.error = e
            self.task = None
            self.done.set()


def _pool(n):
    with _lock:
        while len(_workers) < n:
            w = _Worker()
            w.start()
            _workers.append(w)
    return _workers[:n]


_busy = threading.local()
_run_lock = threading.Lock()


def _after_fork():
    """A forked child (a DataLoader worker) has none of the parent's threads."""
    global _run_lock
    _workers.clear()
    _run_lock = threading.Lock()


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

    saved = _blas_threads
    _set_blas_threads(1)
    _busy.flag = True
    try:
        for i, w in enumerate(workers, start=1):
            w.error = None
            w.done.clear()
            w.task = task(i)
            w.ready.set()
        results[0] = fn(*parts[0])
    finally:
        for w in workers:
            w.done.wait()
        _busy.flag = False
        _set_blas_threads(saved)
    for w in workers:
        if w.error is not None:
            raise w.error
    return results
