"""DistributedDataParallel: data-parallel training over ``ember.distributed``, as torch's.

Gradients are averaged while backward runs. The parameters are split into buckets (reverse
registration order, which is roughly the order backward produces their gradients; the first
bucket small so that communication starts early). A post-accumulate-grad hook on each parameter
counts it ready; when a bucket is complete its gradients are copied into one flat buffer and a
non-blocking all-reduce starts, in bucket order on every rank, while backward goes on. The hook
that completes the last bucket waits for all of them and writes the averaged gradients back, so
``optimizer.step()`` sees them.

MPICH moves a non-blocking collective's data only while some MPI call runs in the process, and
backward spends most of its time in long NumPy kernels between two gradient hooks. So, where
the machine has a CPU the ranks leave free, a helper thread (:class:`_Progress`) polls the
outstanding all-reduces every fraction of a millisecond; the kernels release the GIL, so it runs
beside them and the all-reduce advances during backward instead of in the final wait. Otherwise
each gradient hook polls.
"""
import atexit
import collections
import sys
import threading
import time
import zlib
from contextlib import contextmanager

from ember._backend import np
from ember.autograd.grad_mode import is_grad_enabled
from ember.nn.modules.module import Module

__all__ = ["DistributedDataParallel"]

_DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024
_POLL_INTERVAL_S = 2e-4
_SLOWEST_POLL_INTERVAL_S = 2e-3
_PATIENT_SWITCH_INTERVAL_S = 0.1


class _Progress:
    """A thread that calls ``Testall`` on the requests it is given until they complete or the
    main thread takes them back (:meth:`release`, before it waits on them itself): MPI forbids
    two threads completing the same request, and the lock makes the hand-over clean. Needs
    ``MPI_THREAD_MULTIPLE`` (mpi4py asks for it; MPICH gives it); otherwise it stays off.

    The thread should poll while the main thread sits in a kernel that released the GIL, not
    take the GIL from Python code: after ``sys.getswitchinterval()`` (5 ms) a thread waiting for
    the GIL forces the holder to hand it over and wait for it back, which costs milliseconds
    when the CPUs are busy. So while requests are out the interval is raised (the waiting
    thread's patience), and restored at :meth:`release`.
    """

    def __init__(self, mpi):
        self._mpi = mpi
        self._lock = threading.Lock()  # held by the thread while it polls
        self._wake = threading.Event()
        self._incoming = collections.deque()  # appended without the lock: launches never wait
        self._requests = []
        self._closed = False
        self._switch_interval = None  # the interval to restore, while raised
        self._thread = threading.Thread(target=self._run, name="ember-ddp-progress",
                                        daemon=True)
        self._thread.start()
        atexit.register(self.close)  # before mpi4py's MPI_Finalize, registered earlier

    def watch(self, request):
        if self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(_PATIENT_SWITCH_INTERVAL_S)
        self._incoming.append(request)
        self._wake.set()

    def release(self):
        with self._lock:
            self._incoming.clear()
            self._requests = []
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

    def close(self):
        with self._lock:
            self._closed = True
            self._incoming.clear()
            self._requests = []
        self._wake.set()

    def _run(self):
        interval = _POLL_INTERVAL_S
        while True:
            self._wake.wait()
            with self._lock:
                if self._closed:
                    return
                if self._incoming:  # a new bucket: poll often; back off while nothing new comes
                    interval = _POLL_INTERVAL_S
                else:
                    interval = min(interval * 1.25, _SLOWEST_POLL_INTERVAL_S)
                while self._incoming:
                    self._requests.append(self._incoming.popleft())
                try:
                    if self._requests and self._mpi.Request.Testall(self._requests):
                        self._requests = []
                except self._mpi.Exception:
                    self._requests = []  # the main thread's own wait reports the error
                if not self._requests:
                    self._wake.clear()
                    if self._incoming:  # appended since the drain above
                        self._wake.set()
            time.sleep(interval)


_progress = None


def _progress_thread(mpi):
    """The process's one progress thread (None where MPI is not thread-safe)."""
    global _progress
    if _progress is None and mpi.Query_thread() == mpi.THREAD_MULTIPLE:
        _progress = _Progress(mpi)
    return _progress


def _spare_cpu():
    """Whether the ranks on this machine leave a CPU free for the progress thread.

    Where their compute threads fill every CPU (2 ranks of one thread on 2 cores), the thread's
    polls take CPU time and GIL hand-overs from backward itself, and bench/bench_ddp.py measured
    it slower than polling at the gradient hooks; with a CPU to spare it hides the all-reduce.
    """
    import os

    from ember import get_num_threads
    from ember._parallel import cpu_count

    env = os.environ
    ranks_here = int(env.get("LOCAL_WORLD_SIZE") or env.get("MPI_LOCALNRANKS")
                     or env.get("OMPI_COMM_WORLD_LOCAL_SIZE") or env.get("PMI_SIZE") or 1)
    return cpu_count() > ranks_here * get_num_threads()


class _Bucket:
    """Parameters whose gradients travel in one all-reduce."""

    def __init__(self, params, dtype):
        self.params = params
        self.sizes = [p.numel() for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).tolist()
        self.send = np.zeros(self.offsets[-1], dtype=dtype)
        self.recv = np.empty_like(self.send)
        self.pending = len(params)
        self.work = None

    def reset(self):
        if self.work is not None:  # launched by an earlier forward whose backward never ran
            self.work.wait()
        self.pending = len(self.params)
        self.work = None


def _tensors_in(value):
    from ember._tensor import Tensor

    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _tensors_in(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors_in(v)


def _leaves_reached(outputs):
    """ids of the leaf tensors the autograd graph of ``outputs`` reaches."""
    from ember._tensor import Tensor

    leaves, seen, stack = set(), set(), []
    for t in _tensors_in(outputs):
        if t._grad_fn is None:
            leaves.add(id(t))
        else:
            stack.append(t._grad_fn)
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for edge in fn._edges:
            if edge is None:
                continue
            if isinstance(edge[0], Tensor):
                leaves.add(id(edge[0]))
            else:
                stack.append(edge[0])
    return leaves


class DistributedDataParallel(Module):
    """Data parallelism across processes: wrap the model once per rank.

    At construction the parameters and buffers of rank 0 are broadcast, so every replica starts
    equal. Each rank runs forward and backward on its own part of the batch; backward leaves in
    ``.grad`` the average of all ranks' gradients, so identical optimizer steps keep the replicas
    equal. Checkpoints of the wrapper carry torch's ``module.`` prefix; save ``ddp.module`` for
    plain keys.

    Args:
        module (Module): the model.
        broadcast_buffers (bool): copy rank 0's buffers (BatchNorm running statistics) to every
            rank at each forward. Default True.
        process_group: the group to average over (default: the whole job).
        bucket_cap_mb (float): bucket size in MiB (default 25).
        find_unused_parameters (bool): walk the autograd graph after forward so that parameters
            the output does not depend on do not stall the reduction.
        static_graph, gradient_as_bucket_view, check_reduction, device_ids, output_device,
            dim: accepted for torch compatibility.

    Example::

        >>> # under: ember run --nproc 2 train.py
        >>> # dist.init_process_group(); model = DistributedDataParallel(model)
        >>> # loss_fn(model(x), y).backward(); optimizer.step()
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        from ember.distributed import distributed_c10d as c10d

        self.module = module
        self.process_group = c10d._resolve(process_group)
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.dim = dim
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        self._params = params
        self._verify_same_model()
        self._sync_module_states()
        self._buckets, self._bucket_of = self._build_buckets(params)
        self._hooks = [p.register_post_accumulate_grad_hook(self._grad_ready) for p in params]
        self._syncing = False        # this backward averages gradients
        self._expect_finish = False  # a synced forward ran; its backward has not finished
        self._next_bucket = 0
        self._used = None
        self._join = None
        self._last_reduction = None  # (backward done, gradients averaged): bench_ddp reads it
        self._mpi = c10d._mpi()
        self._progress = (_progress_thread(self._mpi)
                          if self.process_group.size() > 1 and _spare_cpu() else None)

    # --- construction --------------------------------------------------------------------

    def _verify_same_model(self):
        from ember.distributed import distributed_c10d as c10d

        group = self.process_group
        layout = ";".join("%s%s" % (p.dtype, list(p.shape)) for p in self._params)
        mine = np.array([len(self._params), zlib.crc32(layout.encode())], dtype=np.int64)
        everyone = np.empty((group.size(), 2), dtype=np.int64)
        c10d._wait_all([group.comm.Iallgather(mine, everyone)], group, "DDP model check")
        for r in range(1, group.size()):
            if not np.array_equal(everyone[r], everyone[0]):
                raise RuntimeError(
                    "DistributedDataParallel expects the same model on every rank: rank %d has "
                    "%d parameters requiring grad, rank %d has %d%s"
                    % (group.ranks[0], everyone[0][0], group.ranks[r], everyone[r][0],
                       "" if everyone[0][0] != everyone[r][0] else " of different shapes/dtypes"))

    def _sync_module_states(self):
        """Broadcast parameters and buffers from the group's first rank."""
        self._broadcast([t for t in self.module.parameters()])
        self._broadcast([b for b in self.module.buffers()])

    def _broadcast(self, tensors, root=0):
        from ember.distributed import distributed_c10d as c10d

        if self.process_group.size() == 1 or not tensors:
            return
        works = [c10d._broadcast_array(self.process_group, t, root, "DDP broadcast")
                 for t in tensors]
        for w in works:
            w.wait()

    def _build_buckets(self, params):
        buckets, bucket_of, current, size = [], {}, {}, {}
        cap = min(_DEFAULT_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
        for p in reversed(params):
            key = p._data.dtype
            current.setdefault(key, []).append(p)
            size[key] = size.get(key, 0) + p._data.nbytes
            if size[key] >= cap:
                buckets.append(_Bucket(current.pop(key), key))
                size[key] = 0
                cap = self.bucket_bytes_cap
        for key, rest in current.items():
            buckets.append(_Bucket(rest, key))
        for i, b in enumerate(buckets):
            for j, p in enumerate(b.params):
                bucket_of[id(p)] = (i, j)
        return buckets, bucket_of

    # --- forward -------------------------------------------------------------------------

    def forward(self, *inputs, **kwargs):
        if self._expect_finish:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` "
                "function outputs participate in calculating loss.")
        if self._join is not None:
            self._join.active_step()
        if self.broadcast_buffers and self.require_forward_param_sync:
            self._broadcast(list(self.module.buffers()))
        output = self.module(*inputs, **kwargs)
        self._syncing = is_grad_enabled() and self.require_backward_grad_sync \
            and self.process_group.size() > 1
        if self._syncing:
            self._prepare_for_backward(output)
        return output

    def _prepare_for_backward(self, output):
        if self._progress is not None:
            self._progress.release()
        self._next_bucket = 0
        for b in self._buckets:
            b.reset()
        self._used = None
        if self.find_unused_parameters:
            reached = _leaves_reached(output)
            self._used = np.array([id(p) in reached for p in self._params], dtype=np.int32)
            for p, used in zip(self._params, self._used):
                if not used:
                    self._mark_ready(p)

    @contextmanager
    def no_sync(self):
        """Backward inside this block only accumulates local gradients; the first synced
        backward after it averages the accumulated sum."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    # --- backward: buckets -----------------------------------------------------------------

    def _grad_ready(self, param):
        if self._syncing:
            self._expect_finish = True
            self._mark_ready(param)

    def _mark_ready(self, param):
        bucket = self._buckets[self._bucket_of[id(param)][0]]
        bucket.pending -= 1
        if bucket.pending < 0:
            raise RuntimeError("Expected to mark a variable ready only once. A parameter got "
                               "two gradients in one backward (reused module, or backward run "
                               "twice on one forward's graph); set static_graph=True is not "
                               "enough for that here")
        self._launch_ready_buckets()
        if self._next_bucket == len(self._buckets):
            self._finish_reduction()

    def _launch_ready_buckets(self):
        """Start the all-reduce of complete buckets, strictly in bucket order on every rank."""
        divisor = self._join.divisor() if self._join is not None else self.process_group.size()
        while self._next_bucket < len(self._buckets):
            b = self._buckets[self._next_bucket]
            if b.pending:
                break
            average = b.send.dtype.kind == "f"
            for p, start, stop in zip(b.params, b.offsets, b.offsets[1:]):
                if p._grad is None:
                    b.send[start:stop] = 0
                elif average:  # copy and divide in one pass
                    np.divide(p._grad._data.reshape(-1), divisor, out=b.send[start:stop])
                else:
                    b.send[start:stop] = p._grad._data.reshape(-1)
            b.work = self._all_reduce_flat(b.send, b.recv)
            self._next_bucket += 1
            if self._progress is not None:
                self._progress.watch(b.work._requests[0])
        if self._progress is None and self._next_bucket:
            # no thread: at least each gradient hook moves the launched buckets on
            self._mpi.Request.Testall([b.work._requests[0]
                                       for b in self._buckets[:self._next_bucket]])

    def _all_reduce_flat(self, send, recv):
        from ember.distributed import distributed_c10d as c10d

        group = self.process_group
        mpi_op, work, _ = c10d._reduction(c10d.ReduceOp.SUM, send.dtype)
        request = group.comm.Iallreduce(c10d._typed(send, work), c10d._typed(recv, work), mpi_op)
        return c10d.Work([request], group, "DDP gradient all-reduce")

    def _finish_reduction(self):
        """Wait for every bucket and write the averaged gradients back."""
        began = time.perf_counter()
        if self._progress is not None:
            self._progress.release()
        used = None
        if self._used is not None:
            used = np.empty_like(self._used)
            self._all_reduce_flat(self._used, used).wait()
        for b in self._buckets:
            b.work.wait()
        self._last_reduction = (began, time.perf_counter())
        from ember import zeros

        index = {id(p): i for i, p in enumerate(self._params)}
        for b in self._buckets:
            for p, start, stop in zip(b.params, b.offsets, b.offsets[1:]):
                if used is None or used[index[id(p)]]:
                    if p._grad is None:
                        p._grad = zeros(p.shape, dtype=p.dtype)
                    p._grad._data[...] = b.recv[start:stop].reshape(p._grad._data.shape)
        self._syncing = False
        self._expect_finish = False

    # --- uneven inputs ------------------------------------------------------------------------

    def join(self, divide_by_initial_world_size=True, enable=True,
             throw_on_early_termination=False):
        """A context for training loops whose ranks have different numbers of batches.

        A rank that runs out of data leaves the loop and, on leaving this block, keeps answering
        the others' collectives with zero gradients until every rank is done; then all ranks
        take the parameters of the one that trained longest. With
        ``throw_on_early_termination=True`` every rank raises a RuntimeError instead, at the
        first step some rank no longer takes.
        """
        if not enable:
            return _NoJoin()
        return _Join(self, divide_by_initial_world_size, throw_on_early_termination)

    def _shadow_step(self):
        """What a joined rank does for each step the others still train."""
        if self.broadcast_buffers and self.require_forward_param_sync:
            self._broadcast(list(self.module.buffers()))
        for b in self._buckets:
            b.send[...] = 0
            b.work = self._all_reduce_flat(b.send, b.recv)
        if self.find_unused_parameters:
            self._all_reduce_flat(np.zeros(len(self._params), np.int32),
                                  np.empty(len(self._params), np.int32)).wait()
        for b in self._buckets:
            b.work.wait()

    def _count_active(self, active):
        flag = np.array([active], dtype=np.int64)
        total = np.empty(1, dtype=np.int64)
        self._all_reduce_flat(flag, total).wait()
        return int(total[0])


class _NoJoin:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Join:
    def __init__(self, ddp, divide_by_initial_world_size, throw):
        self.ddp = ddp
        self.initial = divide_by_initial_world_size
        self.throw = throw
        self.active = ddp.process_group.size()
        self.steps = 0

    def __enter__(self):
        self.ddp._join = self
        return self

    def active_step(self):
        self.active = self.ddp._count_active(1)
        if self.throw and self.active < self.ddp.process_group.size():
            raise RuntimeError("Detected at least one rank that exhausted inputs. Throwing "
                               "across all ranks.")
        self.steps += 1

    def divisor(self):
        return self.ddp.process_group.size() if self.initial else self.active

    def __exit__(self, exc_type, exc, tb):
        ddp = self.ddp
        try:
            if exc_type is None:
                while True:
                    self.active = ddp._count_active(0)
                    if self.active == 0:
                        break
                    if self.throw:
                        raise RuntimeError("Rank %d exhausted all inputs."
                                           % ddp.process_group.rank())
                    ddp._shadow_step()
                self._adopt_longest()
        finally:
            ddp._join = None
        return False

    def _adopt_longest(self):
        """Every rank takes the parameters and buffers of the rank that trained longest."""
        group = self.ddp.process_group
        mine = np.array([self.steps * group.size() + group.rank()], dtype=np.int64)
        best = np.empty(1, dtype=np.int64)
        from ember.distributed import distributed_c10d as c10d

        mpi_op = c10d._mpi().MAX
        c10d._wait_all([group.comm.Iallreduce(mine, best, mpi_op)], group, "join")
        root = int(best[0] % group.size())
        self.ddp._broadcast(list(self.ddp.module.parameters()), root)
        self.ddp._broadcast(list(self.ddp.module.buffers()), root)
