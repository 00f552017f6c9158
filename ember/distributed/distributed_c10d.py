"""Process groups and collectives over MPI: torch.distributed's ``distributed_c10d`` on mpi4py.

Every byte moves through MPI. Each collective is posted as an MPI non-blocking call and completed
by polling, so that a wait can end at the process group's ``timeout`` and notice a peer that died
of an exception (its ``sys.excepthook`` tells the others) instead of hanging. Before moving data,
the public collectives exchange a small description of each rank's tensor (operation, dtype,
shape, reduce op, root) so that a mismatch is raised on every rank with a message naming both.

mpi4py is imported on first use, never by ``import ember``.
"""
import io
import sys
import time
from datetime import timedelta

from ember._backend import np
from ember.distributed._buffers import (  # noqa: F401  (DDP uses them)
    RedOpType, _array, _bytes, _contiguous, _describe, _meta_str, _mpi, _reduce_buffers,
    _reduction, _typed, _write)

__all__ = [
    "Backend", "DistBackendError", "DistError", "GroupMember", "ProcessGroup", "ReduceOp", "Work",
    "all_gather", "all_gather_into_tensor", "all_gather_object", "all_reduce", "all_to_all",
    "all_to_all_single", "barrier", "broadcast", "broadcast_object_list", "destroy_process_group",
    "gather", "gather_object", "get_backend", "get_global_rank", "get_process_group_ranks",
    "get_rank", "get_world_size", "init_process_group", "irecv", "is_initialized",
    "is_mpi_available", "isend", "new_group", "recv", "reduce", "reduce_scatter",
    "reduce_scatter_tensor", "scatter", "send",
]

default_pg_timeout = timedelta(minutes=30)
_FAULT_TAG = 77
_FAULT_BYTES = 2048
_POLL_S = 5e-5
_FAST_POLLING_S = 1.0
_SLOW_POLL_S = 1e-3


class DistError(RuntimeError):
    """The base of ember.distributed's errors (torch's ``DistError``)."""


class DistBackendError(DistError):
    """A collective could not complete: a peer failed or the timeout passed."""


class Backend(str):
    """A backend name; every name maps to MPI here."""

    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"
    UNDEFINED = "undefined"

    def __new__(cls, name):
        name = name.lower()
        if name not in ("mpi", "gloo", "nccl", "cpu:gloo", "cuda:nccl", "undefined"):
            raise ValueError("Invalid backend: '%s'" % name)
        return str.__new__(cls, name)


class ReduceOp:
    """The reduction of ``all_reduce``, ``reduce`` and ``reduce_scatter`` (``ReduceOp.SUM``...)."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


def is_mpi_available():
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


class ProcessGroup:
    """A set of ranks with their own MPI communicator (``new_group``); ``ranks`` are global."""

    def __init__(self, comm, ranks, timeout):
        self.comm = comm
        self.ranks = list(ranks)
        self.timeout = timeout

    def rank(self):
        return self.comm.Get_rank()

    def size(self):
        return self.comm.Get_size()

    def name(self):
        return "mpi"

    def __repr__(self):
        return "<ProcessGroup mpi ranks=%s>" % self.ranks


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = object()


class _State:
    world = None        # the default ProcessGroup
    fault_comm = None   # a duplicate of COMM_WORLD carrying failure notices only
    backend = None
    previous_excepthook = None
    peer_failure = None  # a DistBackendError already raised: don't re-announce it


def is_initialized():
    return _State.world is not None


def _default():
    if _State.world is None:
        raise ValueError("Default process group has not been initialized, please make sure to "
                         "call init_process_group.")
    return _State.world


def _resolve(group):
    if group is None or group is GroupMember.WORLD:
        return _default()
    if group is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("this rank is not part of the group")
    return group


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group: the processes of the MPI job this one belongs to.

    Every backend name (``"mpi"``, ``"gloo"``, ``"nccl"``, None) maps to MPI; rank and world size
    come from MPI, and a ``rank``/``world_size`` given here that disagrees is an error.
    ``timeout`` (a ``timedelta``; default 30 minutes as torch) bounds every wait.
    """
    if _State.world is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None:
        Backend(backend)
    if timeout is None:
        timeout = default_pg_timeout
    if not isinstance(timeout, timedelta):
        raise TypeError("Expected timeout argument to be of type datetime.timedelta")
    MPI = _mpi()
    world = MPI.COMM_WORLD
    if world_size not in (-1, None) and world_size != world.Get_size():
        raise ValueError("init_process_group: world_size=%d but the MPI job has %d processes "
                         "(start it with mpiexec -n %d or ember run --nproc %d)"
                         % (world_size, world.Get_size(), world_size, world_size))
    if rank not in (-1, None) and rank != world.Get_rank():
        raise ValueError("init_process_group: rank=%d but MPI gives this process rank %d"
                         % (rank, world.Get_rank()))
    comm = world.Dup()
    _State.fault_comm = world.Dup()
    _State.world = ProcessGroup(comm, range(comm.Get_size()), timeout)
    _State.backend = "mpi"
    _State.previous_excepthook = sys.excepthook
    sys.excepthook = _announce_failure


def destroy_process_group(group=None):
    """Leave the default group (or free ``group``)."""
    if group is not None and group is not GroupMember.WORLD:
        if group is not GroupMember.NON_GROUP_MEMBER:
            group.comm.Free()
        return
    if _State.world is None:
        return
    _State.world.comm.Free()
    _State.world = None
    _State.fault_comm = None  # left unfreed: a late failure notice may still be in flight
    if sys.excepthook is _announce_failure:
        sys.excepthook = _State.previous_excepthook


def _announce_failure(exc_type, exc, tb):
    """``sys.excepthook`` while a group is up: tell the other ranks why this one is dying."""
    if not isinstance(exc, DistBackendError):
        _announce_to_peers("%s: %s" % (exc_type.__name__, exc))
    (_State.previous_excepthook or sys.__excepthook__)(exc_type, exc, tb)


def _announce_to_peers(text):
    """Send ``text`` to every other rank's failure channel (read by their waits)."""
    fault = _State.fault_comm
    if fault is None:
        return
    me = fault.Get_rank()
    data = text.encode("utf-8", "replace")[:_FAULT_BYTES]
    requests = [fault.Isend([data, _mpi().BYTE], dest=r, tag=_FAULT_TAG)
                for r in range(fault.Get_size()) if r != me]
    deadline = time.monotonic() + 2.0  # small messages go out eagerly; don't linger
    while requests and time.monotonic() < deadline:
        requests = [r for r in requests if not r.Test()]


def _check_peers():
    fault = _State.fault_comm
    if fault is None:
        return
    MPI = _mpi()
    status = MPI.Status()
    if fault.Iprobe(source=MPI.ANY_SOURCE, tag=_FAULT_TAG, status=status):
        buf = bytearray(status.Get_count(MPI.BYTE))
        fault.Recv([buf, MPI.BYTE], source=status.Get_source(), tag=_FAULT_TAG)
        err = DistBackendError("ember.distributed: rank %d failed (%s); this rank stops too"
                               % (status.Get_source(), buf.decode("utf-8", "replace")))
        _State.peer_failure = err
        raise err


def _wait_all(requests, group, what, statuses=None):
    """Complete MPI requests, polling so that a peer's failure or the timeout ends the wait."""
    MPI = _mpi()
    if MPI.Request.Testall(requests, statuses):
        return
    timeout = group.timeout.total_seconds()
    start = time.monotonic()
    while not MPI.Request.Testall(requests, statuses):
        _check_peers()
        elapsed = time.monotonic() - start
        if elapsed > timeout:
            raise DistBackendError(
                "ember.distributed: %s on rank %d timed out after %.1f s (timeout=%s): another "
                "rank did not join it (it may have died, hung, or called a different collective)"
                % (what, _State.world.comm.Get_rank() if _State.world else -1, elapsed,
                   group.timeout))
        # A large collective moves in rounds, each needing a poll on every rank: a rank that
        # polled rarely because it waited for a slow peer would stretch every round. So poll
        # often for a second, then rarely (a long wait is a peer far behind, or a hang).
        time.sleep(_POLL_S if elapsed < _FAST_POLLING_S else _SLOW_POLL_S)


class Work:
    """The handle an ``async_op=True`` collective returns: ``wait()``, ``is_completed()``."""

    def __init__(self, requests, group, what, finish=None, result=None):
        self._requests = list(requests)
        self._group = group
        self._what = what
        self._finish = finish
        self._result = result
        self._done = False
        self._statuses = None

    def is_completed(self):
        try:
            if not self._done and _mpi().Request.Testall(self._requests, self._statuses):
                self._complete()
        except _mpi().Exception as e:
            self._failed(e)
        return self._done

    def is_success(self):
        return self.is_completed()

    def wait(self, timeout=None):
        if not self._done:
            try:
                _wait_all(self._requests, self._group, self._what, self._statuses)
            except _mpi().Exception as e:
                self._failed(e)
            self._complete()
        return True

    def _failed(self, error):
        raise DistBackendError("ember.distributed: %s failed in MPI: %s"
                               % (self._what, error.Get_error_string())) from None

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish()
            self._finish = None

    def result(self):
        self.wait()
        return self._result


class _DoneWork(Work):
    def __init__(self, result=None):
        super().__init__((), None, "", result=result)
        self._done = True


def _finish(work, async_op):
    if async_op:
        return work
    work.wait()
    return None


def _agree(group, what, arr, extra=0, extra_name=""):
    """Raise on every rank, naming both sides, unless all ranks describe the same call."""
    meta = _describe(what, arr, extra)
    everyone = np.empty((group.size(), meta.size), dtype=np.int64)
    _wait_all([group.comm.Iallgather(meta, everyone)], group, what)
    for r in range(1, group.size()):
        if not np.array_equal(everyone[r], everyone[0]):
            raise RuntimeError(
                "ember.distributed.%s: ranks disagree: rank %d called %s but rank %d called %s"
                % (what, group.ranks[0], _meta_str(everyone[0], extra_name), group.ranks[r],
                   _meta_str(everyone[r], extra_name)))


def _rank_in(group, global_rank, name):
    if global_rank not in group.ranks:
        raise ValueError("%s %d is not part of the group %s" % (name, global_rank, group.ranks))
    return group.ranks.index(global_rank)


def _group_root(group, root, group_root, name):
    if group_root is not None:
        if root is not None:
            raise ValueError("give %s or group_%s, not both" % (name, name))
        return group_root
    return _rank_in(group, 0 if root is None else root, name)


# --- the default group's facts ---------------------------------------------------------------

def get_rank(group=None):
    """This process's rank in ``group`` (-1 if it is not a member)."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _resolve(group).rank()


def get_world_size(group=None):
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _resolve(group).size()


def get_backend(group=None):
    _resolve(group)
    return _State.backend


def get_process_group_ranks(group):
    return list(_resolve(group).ranks)


def get_global_rank(group, group_rank):
    return _resolve(group).ranks[group_rank]


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False):
    """A group of the given global ranks; every rank of the default group must call it."""
    world = _default()
    ranks = sorted(set(range(world.size()) if ranks is None else ranks))
    for r in ranks:
        if not 0 <= r < world.size():
            raise ValueError("new_group: rank %d is out of range for world size %d"
                             % (r, world.size()))
    member = world.rank() in ranks
    MPI = _mpi()
    comm = world.comm.Split(0 if member else MPI.UNDEFINED, ranks.index(world.rank())
                            if member else 0)
    if not member:
        return GroupMember.NON_GROUP_MEMBER
    return ProcessGroup(comm, ranks, world.timeout if timeout is None else timeout)


def barrier(group=None, async_op=False, device_ids=None):
    group = _resolve(group)
    return _finish(Work([group.comm.Ibarrier()], group, "barrier"), async_op)


# --- collectives ------------------------------------------------------------------------------

def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across ranks with ``op``; every rank gets the result in place."""
    group = _resolve(group)
    arr = _array(tensor)
    _reduction(op, arr.dtype)
    _agree(group, "all_reduce", arr, int(op), "op")
    return _finish(_all_reduce_array(group, tensor, op), async_op)


def _all_reduce_array(group, tensor, op, what="all_reduce"):
    arr = tensor._data
    send, recv, mpi_op, work, average = _reduce_buffers(arr, op)
    size = group.size()

    def done():
        _write(tensor, recv / size if average else recv)

    return Work([group.comm.Iallreduce(_typed(send, work), _typed(recv, work), mpi_op)], group,
                what, done)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` across ranks into ``tensor`` on rank ``dst``."""
    group = _resolve(group)
    root = _group_root(group, dst, group_dst, "dst")
    arr = _array(tensor)
    _reduction(op, arr.dtype)
    _agree(group, "reduce", arr, int(op) * 1000 + root, "")
    send, recv, mpi_op, work, average = _reduce_buffers(arr, op)
    me = group.rank()

    def done():
        if me == root:
            _write(tensor, recv / group.size() if average else recv)

    request = group.comm.Ireduce(_typed(send, work), _typed(recv, work), mpi_op, root=root)
    return _finish(Work([request], group, "reduce", done), async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` from rank ``src`` into ``tensor`` on every rank."""
    group = _resolve(group)
    root = _group_root(group, src, group_src, "src")
    arr = _array(tensor)
    _agree(group, "broadcast", arr, root, "src")
    return _finish(_broadcast_array(group, tensor, root), async_op)


def _broadcast_array(group, tensor, root, what="broadcast"):
    buf = _contiguous(tensor._data)
    mine = group.rank() == root
    return Work([group.comm.Ibcast([_bytes(buf), _mpi().BYTE], root=root)], group, what,
                None if mine else (lambda: _write(tensor, buf)))


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[i]`` with rank i's ``tensor``."""
    group = _resolve(group)
    arr = _array(tensor)
    if len(tensor_list) != group.size():
        raise ValueError("all_gather: tensor_list has %d tensors for a group of %d ranks"
                         % (len(tensor_list), group.size()))
    _check_outputs(tensor_list, arr, "all_gather")
    _agree(group, "all_gather", arr)
    out = np.empty((group.size(),) + arr.shape, dtype=arr.dtype)

    def done():
        for t, part in zip(tensor_list, out):
            _write(t, part)

    return _finish(_gather_bytes(group, arr, out, "all_gather", done), async_op)


def _check_outputs(tensors, like, what):
    for t in tensors:
        out = _array(t)
        if out.shape != like.shape or out.dtype != like.dtype:
            raise ValueError("%s: output tensor %s%s does not match the input %s%s"
                             % (what, out.dtype.name, list(out.shape), like.dtype.name,
                                list(like.shape)))


def _gather_bytes(group, arr, out, what, done):
    MPI = _mpi()
    request = group.comm.Iallgather([_bytes(_contiguous(arr)), MPI.BYTE], [_bytes(out), MPI.BYTE])
    return Work([request], group, what, done)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Concatenate every rank's ``input_tensor`` along dim 0 (or stack) into ``output_tensor``."""
    group = _resolve(group)
    arr, out = _array(input_tensor), _array(output_tensor)
    if out.size != arr.size * group.size() or out.dtype != arr.dtype:
        raise ValueError("all_gather_into_tensor: output %s%s must hold %d x input %s%s"
                         % (out.dtype.name, list(out.shape), group.size(), arr.dtype.name,
                            list(arr.shape)))
    _agree(group, "all_gather_into_tensor", arr)
    buf = np.empty(out.size, dtype=out.dtype)
    work = _gather_bytes(group, arr, buf, "all_gather_into_tensor",
                         lambda: _write(output_tensor, buf))
    return _finish(work, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` across ranks into ``output`` on rank i."""
    group = _resolve(group)
    out = _array(output, "output")
    if len(input_list) != group.size():
        raise ValueError("reduce_scatter: input_list has %d tensors for a group of %d ranks"
                         % (len(input_list), group.size()))
    _check_outputs(input_list, out, "reduce_scatter")
    flat = np.stack([_array(t) for t in input_list]) if out.size else np.empty(0, out.dtype)
    return _finish(_reduce_scatter(group, output, flat, op, "reduce_scatter"), async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (``world_size`` chunks along dim 0) across ranks; rank i gets chunk i."""
    group = _resolve(group)
    out, arr = _array(output, "output"), _array(input, "input")
    if arr.size != out.size * group.size() or out.dtype != arr.dtype:
        raise ValueError("reduce_scatter_tensor: input %s%s must hold %d x output %s%s"
                         % (arr.dtype.name, list(arr.shape), group.size(), out.dtype.name,
                            list(out.shape)))
    return _finish(_reduce_scatter(group, output, arr, op, "reduce_scatter_tensor"), async_op)


def _reduce_scatter(group, output, flat, op, what):
    _reduction(op, flat.dtype)
    _agree(group, what, _array(output), int(op), "op")
    send, recv, mpi_op, work, average = _reduce_buffers(flat.reshape(-1), op)
    recv = np.empty(send.size // group.size(), dtype=send.dtype)

    def done():
        _write(output, recv / group.size() if average else recv)

    request = group.comm.Ireduce_scatter_block(_typed(send, work), _typed(recv, work), mpi_op)
    return Work([request], group, what, done)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst``."""
    group = _resolve(group)
    root = _group_root(group, dst, group_dst, "dst")
    arr = _array(tensor)
    me = group.rank()
    if me == root:
        if gather_list is None or len(gather_list) != group.size():
            raise ValueError("gather: the destination needs a gather_list of %d tensors"
                             % group.size())
        _check_outputs(gather_list, arr, "gather")
    elif gather_list:
        raise ValueError("gather: gather_list must be given only on the destination rank")
    _agree(group, "gather", arr, root, "dst")
    MPI = _mpi()
    out = np.empty((group.size(),) + arr.shape, dtype=arr.dtype) if me == root else None

    def done():
        if me == root:
            for t, part in zip(gather_list, out):
                _write(t, part)

    request = group.comm.Igather([_bytes(_contiguous(arr)), MPI.BYTE],
                                 [_bytes(out), MPI.BYTE] if me == root else None, root=root)
    return _finish(Work([request], group, "gather", done), async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank ``src`` sends ``scatter_list[i]`` to rank i, into ``tensor``."""
    group = _resolve(group)
    root = _group_root(group, src, group_src, "src")
    arr = _array(tensor)
    me = group.rank()
    if me == root:
        if scatter_list is None or len(scatter_list) != group.size():
            raise ValueError("scatter: the source needs a scatter_list of %d tensors"
                             % group.size())
        _check_outputs(scatter_list, arr, "scatter")
    elif scatter_list:
        raise ValueError("scatter: scatter_list must be given only on the source rank")
    _agree(group, "scatter", arr, root, "src")
    MPI = _mpi()
    send = np.stack([_array(t) for t in scatter_list]) if me == root else None
    recv = np.empty_like(arr, order="C")
    request = group.comm.Iscatter([_bytes(send), MPI.BYTE] if me == root else None,
                                  [_bytes(recv), MPI.BYTE], root=root)
    return _finish(Work([request], group, "scatter", lambda: _write(tensor, recv)), async_op)


def _all_to_all_bytes(group, sends, recv_sizes, what, done):
    """Exchange byte blocks: ``sends[j]`` goes to rank j; rank i's block must be
    ``recv_sizes[i]`` bytes here, checked against what rank i says it sends."""
    MPI = _mpi()
    n = group.size()
    send_counts = np.array([s.nbytes for s in sends], dtype=np.int64)
    told = np.empty(n, dtype=np.int64)
    _wait_all([group.comm.Ialltoall(send_counts, told)], group, what)
    expected = np.asarray(recv_sizes, dtype=np.int64)
    bad = np.nonzero(told != expected)[0]
    # each rank checks what it receives; all learn the outcome so that nobody is left waiting
    flag = np.array([bad.size], dtype=np.int64)
    total = np.empty(1, dtype=np.int64)
    _wait_all([group.comm.Iallreduce(flag, total, MPI.SUM)], group, what)
    if bad.size:
        r = int(bad[0])
        raise RuntimeError("ember.distributed.%s: rank %d sends %d bytes to rank %d, which "
                           "expects %d" % (what, group.ranks[r], told[r], group.ranks[group.rank()],
                                           expected[r]))
    if total[0]:
        raise RuntimeError("ember.distributed.%s: another rank got blocks of the wrong size "
                           "(see that rank's error)" % what)
    send = np.concatenate([_bytes(s) for s in sends]) if sends else np.empty(0, np.uint8)
    recv = np.empty(int(expected.sum()), dtype=np.uint8)
    send_displ = np.concatenate([[0], np.cumsum(send_counts)[:-1]])
    recv_displ = np.concatenate([[0], np.cumsum(expected)[:-1]])
    request = group.comm.Ialltoallv([send, (send_counts, send_displ), MPI.BYTE],
                                    [recv, (expected, recv_displ), MPI.BYTE])
    return Work([request], group, what, lambda: done(recv, recv_displ, expected))


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[j]`` to rank j; receive rank i's into ``output_tensor_list[i]``."""
    group = _resolve(group)
    n = group.size()
    if len(input_tensor_list) != n or len(output_tensor_list) != n:
        raise ValueError("all_to_all: need %d input and %d output tensors" % (n, n))
    ins = [_contiguous(_array(t)) for t in input_tensor_list]
    outs = [_array(t) for t in output_tensor_list]
    _agree(group, "all_to_all", ins[0][:0].reshape(0))

    def done(recv, displ, sizes):
        for t, at, size in zip(output_tensor_list, displ, sizes):
            _write(t, recv[at:at + size].view(t._data.dtype))

    work = _all_to_all_bytes(group, ins, [o.nbytes for o in outs], "all_to_all", done)
    return _finish(work, async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    """Split ``input`` along dim 0 (evenly, or by ``input_split_sizes``), send part j to rank j,
    and concatenate what arrives into ``output``."""
    group = _resolve(group)
    n = group.size()
    arr, out = _contiguous(_array(input, "input")), _array(output, "output")
    if arr.dtype != out.dtype:
        raise ValueError("all_to_all_single: input %s and output %s dtypes differ"
                         % (arr.dtype.name, out.dtype.name))
    _agree(group, "all_to_all_single", arr[:0].reshape(0))
    row = int(np.prod(arr.shape[1:])) * arr.itemsize
    in_splits = _splits(input_split_sizes, arr.shape[0] if arr.ndim else 0, n, "input")
    out_splits = _splits(output_split_sizes, out.shape[0] if out.ndim else 0, n, "output")
    bounds = np.concatenate([[0], np.cumsum(in_splits)])
    sends = [_bytes(arr[bounds[j]:bounds[j + 1]]) for j in range(n)]

    def done(recv, displ, sizes):
        _write(output, recv.view(out.dtype))

    work = _all_to_all_bytes(group, sends, [s * row for s in out_splits], "all_to_all_single",
                             done)
    return _finish(work, async_op)


def _splits(sizes, rows, n, name):
    if sizes is None or len(sizes) == 0:
        if rows % n:
            raise ValueError("all_to_all_single: %s dim 0 (%d) is not divisible by %d ranks"
                             % (name, rows, n))
        return [rows // n] * n
    if len(sizes) != n or sum(sizes) != rows:
        raise ValueError("all_to_all_single: %s_split_sizes %s must have %d entries summing to %d"
                         % (name, list(sizes), n, rows))
    return list(sizes)


# --- point to point ---------------------------------------------------------------------------

def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` without waiting; returns a Work."""
    group = _resolve(group)
    peer = _group_root(group, dst, group_dst, "dst")
    buf = _contiguous(_array(tensor)).copy()
    request = group.comm.Isend([_bytes(buf), _mpi().BYTE], dest=peer, tag=tag)
    return Work([request], group, "send to rank %d" % group.ranks[peer])


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    isend(tensor, dst, group, tag, group_dst).wait()


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from ``src`` (any rank if None) without waiting; returns a Work
    whose ``wait()`` raises if the message's size differs from the tensor's."""
    group = _resolve(group)
    MPI = _mpi()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else \
        _group_root(group, src, group_src, "src")
    arr = _array(tensor)
    buf = np.empty(arr.nbytes, dtype=np.uint8)
    request = group.comm.Irecv([buf, MPI.BYTE], source=peer, tag=tag)
    work = Work([request], group, "recv")
    work._statuses = [MPI.Status()]

    def failed(error):
        code = error.Get_error_class()
        if code == MPI.ERR_IN_STATUS:
            code = MPI.Get_error_class(work._statuses[0].Get_error())
        if code != MPI.ERR_TRUNCATE:
            Work._failed(work, error)
        raise RuntimeError("ember.distributed.recv: the message is larger than the receiving "
                           "tensor %s%s (%d bytes)" % (arr.dtype.name, list(arr.shape),
                                                      arr.nbytes))

    def done():
        status = work._statuses[0]
        n = status.Get_count(MPI.BYTE)
        sender = group.ranks[status.Get_source()]
        work._result = sender
        if n != arr.nbytes:
            raise RuntimeError("ember.distributed.recv: rank %d sent %d bytes but the receiving "
                               "tensor %s%s holds %d" % (sender, n, arr.dtype.name,
                                                         list(arr.shape), arr.nbytes))
        _write(tensor, buf[:n].view(arr.dtype))

    work._finish = done
    work._failed = failed
    return work


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor``; returns the sender's rank."""
    return irecv(tensor, src, group, tag, group_src).result()


# --- objects ----------------------------------------------------------------------------------

def _pickle(obj):
    from ember.serialization import save

    buf = io.BytesIO()
    save(obj, buf)
    return np.frombuffer(buf.getvalue(), dtype=np.uint8)


def _unpickle(data):
    # Data from another process is read with the weights_only loader: it builds data, never runs
    # code a peer chose.
    from ember.serialization import load

    return load(io.BytesIO(data.tobytes()), weights_only=True)


def _gather_objects(group, obj, root=None):
    """Every rank's object (or only on ``root``, when given)."""
    MPI = _mpi()
    data = _pickle(obj)
    size = np.array([data.size], dtype=np.int64)
    sizes = np.empty(group.size(), dtype=np.int64)
    _wait_all([group.comm.Iallgather(size, sizes)], group, "object gather")
    out = np.empty(int(sizes.sum()), dtype=np.uint8)
    displ = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    if root is None:
        request = group.comm.Iallgatherv([data, MPI.BYTE], [out, (sizes, displ), MPI.BYTE])
    else:
        request = group.comm.Igatherv([data, MPI.BYTE], [out, (sizes, displ), MPI.BYTE]
                                      if group.rank() == root else None, root=root)
    _wait_all([request], group, "object gather")
    if root is not None and group.rank() != root:
        return None
    return [_unpickle(out[d:d + s]) for d, s in zip(displ, sizes)]


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[i]`` with rank i's ``obj`` (sent pickled, read by the safe loader)."""
    group = _resolve(group)
    if len(object_list) != group.size():
        raise ValueError("all_gather_object: object_list has %d slots for %d ranks"
                         % (len(object_list), group.size()))
    object_list[:] = _gather_objects(group, obj)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Collect every rank's ``obj`` into ``object_gather_list`` on rank ``dst``."""
    group = _resolve(group)
    root = _group_root(group, dst, group_dst, "dst")
    objects = _gather_objects(group, obj, root)
    if objects is not None:
        if object_gather_list is None or len(object_gather_list) != group.size():
            raise ValueError("gather_object: the destination needs an object_gather_list of %d "
                             "slots" % group.size())
        object_gather_list[:] = objects


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s items on every rank with those of rank ``src``."""
    group = _resolve(group)
    root = _group_root(group, src, group_src, "src")
    MPI = _mpi()
    data = _pickle(list(object_list)) if group.rank() == root else np.empty(0, np.uint8)
    size = np.array([data.size], dtype=np.int64)
    _wait_all([group.comm.Ibcast(size, root=root)], group, "broadcast_object_list")
    if group.rank() != root:
        data = np.empty(int(size[0]), dtype=np.uint8)
    _wait_all([group.comm.Ibcast([data, MPI.BYTE], root=root)], group, "broadcast_object_list")
    if group.rank() != root:
        objects = _unpickle(data)
        if len(objects) != len(object_list):
            raise ValueError("broadcast_object_list: rank %d sent %d objects, this rank's list "
                             "has %d" % (group.ranks[root], len(objects), len(object_list)))
        object_list[:] = objects
