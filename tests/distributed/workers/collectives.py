"""Every collective against NumPy on known per-rank data; run under mpiexec -n 2 and -n 3."""
import os
import pickle
from datetime import timedelta

import numpy as np

import ember
import ember.distributed as dist
from _report import report
from ember.distributed import ReduceOp

# a rank or world size that disagrees with the MPI job, or an unknown backend, is refused
assert dist.is_available() and not dist.is_initialized()
for wrong, message in (({"world_size": 99}, "world_size=99 but the MPI job has"),
                       ({"rank": 99}, "rank=99 but MPI gives this process rank"),
                       ({"backend": "pigeons"}, "Invalid backend: 'pigeons'")):
    try:
        dist.init_process_group(**wrong)
    except ValueError as e:
        assert message in str(e), str(e)
    else:
        raise AssertionError("init_process_group(%s) accepted" % wrong)
assert not dist.is_initialized()
dist.init_process_group("gloo", timeout=timedelta(seconds=30))
rank, world = dist.get_rank(), dist.get_world_size()
try:
    dist.init_process_group()
except ValueError as e:
    assert "twice" in str(e), str(e)
else:
    raise AssertionError("a second init_process_group accepted")
DTYPES = [ember.float16, ember.float32, ember.float64, ember.int8, ember.int16, ember.int32,
          ember.int64, ember.uint8, ember.bool]


def data(r, dtype, shape=(2, 3)):
    """Rank r's tensor: distinct small values per rank (bools differ per rank too)."""
    n = int(np.prod(shape))
    values = (np.arange(n).reshape(shape) * (r + 2) + r) % 7 + 1
    if dtype == ember.bool:
        values = (values + r) % 2
    return ember.tensor(values.astype(dtype.np))


def everyone(dtype, shape=(2, 3)):
    return np.stack([data(r, dtype, shape).numpy() for r in range(world)])


def expected_reduce(stack, op, dtype):
    if dtype == ember.bool:
        table = {ReduceOp.SUM: np.any, ReduceOp.MAX: np.any, ReduceOp.BOR: np.any,
                 ReduceOp.PRODUCT: np.all, ReduceOp.MIN: np.all, ReduceOp.BAND: np.all,
                 ReduceOp.BXOR: lambda s, axis: np.bitwise_xor.reduce(s, axis=axis)}
        return table[op](stack, axis=0)
    wide = stack.astype(np.float32) if dtype == ember.float16 else stack
    table = {ReduceOp.SUM: lambda s: s.sum(0, dtype=s.dtype),
             ReduceOp.AVG: lambda s: s.sum(0) / world,
             ReduceOp.PRODUCT: lambda s: s.prod(0, dtype=s.dtype), ReduceOp.MIN: lambda s: s.min(0),
             ReduceOp.MAX: lambda s: s.max(0),
             ReduceOp.BAND: lambda s: np.bitwise_and.reduce(s, 0),
             ReduceOp.BOR: lambda s: np.bitwise_or.reduce(s, 0),
             ReduceOp.BXOR: lambda s: np.bitwise_xor.reduce(s, 0)}
    return table[op](wide).astype(dtype.np)


def ops_for(dtype):
    ops = [ReduceOp.SUM, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX]
    if dtype.is_floating_point:
        return ops + [ReduceOp.AVG]
    return ops + [ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR]


def same(tensor, expected, what):
    got = tensor.numpy()
    assert got.dtype == expected.dtype, (what, got.dtype, expected.dtype)
    assert np.array_equal(got, expected), (what, rank, got, expected)


# all_reduce, reduce, reduce_scatter_tensor: every dtype, every op, sync and async
for dtype in DTYPES:
    stack = everyone(dtype)
    for op in ops_for(dtype):
        want = expected_reduce(stack, op, dtype)
        t = data(rank, dtype)
        dist.all_reduce(t, op=op)
        same(t, want, ("all_reduce", dtype, op))
        t = data(rank, dtype)
        work = dist.all_reduce(t, op=op, async_op=True)
        work.wait()
        assert work.is_completed()
        same(t, want, ("all_reduce async", dtype, op))
        t = data(rank, dtype)
        dist.reduce(t, dst=world - 1, op=op)
        same(t, want if rank == world - 1 else data(rank, dtype).numpy(), ("reduce", dtype, op))
        rows = everyone(dtype, (world, 2))
        out = ember.zeros(2, dtype=dtype)
        dist.reduce_scatter_tensor(out, data(rank, dtype, (world, 2)), op=op)
        same(out, expected_reduce(rows, op, dtype)[rank], ("reduce_scatter_tensor", dtype, op))
    if not dtype.is_floating_point:
        try:
            dist.all_reduce(data(rank, dtype), op=ReduceOp.AVG)
        except RuntimeError as e:
            assert "AVG" in str(e)
        else:
            raise AssertionError("AVG on %s should fail" % dtype)
try:
    dist.all_reduce(data(rank, ember.float32), op=ReduceOp.BAND)
except RuntimeError as e:
    assert "BAND" in str(e)
else:
    raise AssertionError("BAND on floats should fail")

# data movement: every dtype
for dtype in DTYPES:
    stack = everyone(dtype)
    t = data(rank, dtype)
    dist.broadcast(t, src=1)
    same(t, stack[1], ("broadcast", dtype))
    t = data(rank, dtype)
    dist.broadcast(t, src=0, async_op=True).wait()
    same(t, stack[0], ("broadcast async", dtype))
    outs = [ember.zeros(2, 3, dtype=dtype) for _ in range(world)]
    dist.all_gather(outs, data(rank, dtype))
    for r in range(world):
        same(outs[r], stack[r], ("all_gather", dtype))
    out = ember.zeros(world * 2, 3, dtype=dtype)
    dist.all_gather_into_tensor(out, data(rank, dtype), async_op=True).wait()
    same(out, stack.reshape(world * 2, 3), ("all_gather_into_tensor", dtype))
    outs = [ember.zeros(2, 3, dtype=dtype) for _ in range(world)] if rank == 0 else None
    dist.gather(data(rank, dtype), outs, dst=0)
    if rank == 0:
        for r in range(world):
            same(outs[r], stack[r], ("gather", dtype))
    t = ember.zeros(2, 3, dtype=dtype)
    dist.scatter(t, [data(r, dtype) for r in range(world)] if rank == 1 else None, src=1)
    same(t, stack[rank], ("scatter", dtype))


def finish(work, what):
    """An async_op=True call returns a Work whose wait() completes it."""
    assert isinstance(work, dist.Work), (what, work)
    assert work.wait() is True and work.is_completed(), what


# the async forms of the rest: every collective returns a Work (one dtype; the sync loops above
# cover the dtypes)
dtype = ember.int32
stack = everyone(dtype)
t = data(rank, dtype)
finish(dist.reduce(t, dst=0, op=ReduceOp.MAX, async_op=True), "reduce")
same(t, expected_reduce(stack, ReduceOp.MAX, dtype) if rank == 0 else stack[rank], "reduce async")
out = ember.zeros(2, dtype=dtype)
finish(dist.reduce_scatter_tensor(out, data(rank, dtype, (world, 2)), async_op=True),
       "reduce_scatter_tensor")
same(out, expected_reduce(everyone(dtype, (world, 2)), ReduceOp.SUM, dtype)[rank],
     "reduce_scatter_tensor async")
out = ember.zeros(2, 3, dtype=dtype)
finish(dist.reduce_scatter(out, [data(rank, dtype)] * world, async_op=True), "reduce_scatter")
same(out, expected_reduce(stack, ReduceOp.SUM, dtype), "reduce_scatter async")
outs = [ember.zeros(2, 3, dtype=dtype) for _ in range(world)]
finish(dist.all_gather(outs, data(rank, dtype), async_op=True), "all_gather")
for r in range(world):
    same(outs[r], stack[r], "all_gather async")
outs = [ember.zeros(2, 3, dtype=dtype) for _ in range(world)] if rank == 1 else None
finish(dist.gather(data(rank, dtype), outs, dst=1, async_op=True), "gather")
if rank == 1:
    for r in range(world):
        same(outs[r], stack[r], "gather async")
t = ember.zeros(2, 3, dtype=dtype)
finish(dist.scatter(t, [data(r, dtype) for r in range(world)] if rank == 0 else None, src=0,
                    async_op=True), "scatter")
same(t, stack[rank], "scatter async")
outs = [ember.zeros(2, 3, dtype=dtype) for _ in range(world)]
finish(dist.all_to_all(outs, [data(rank, dtype)] * world, async_op=True), "all_to_all")
for r in range(world):
    same(outs[r], stack[r], "all_to_all async")
out = ember.zeros(world, dtype=dtype)
finish(dist.all_to_all_single(out, ember.full((world,), rank, dtype=dtype), async_op=True),
       "all_to_all_single")
same(out, np.arange(world, dtype=np.int32), "all_to_all_single async")
finish(dist.barrier(async_op=True), "barrier")

# reduce_scatter with lists, and a strided (non-contiguous) tensor
out = ember.zeros(3)
dist.reduce_scatter(out, [ember.full((3,), float(rank * 10 + j)) for j in range(world)])
same(out, np.full(3, sum(r * 10 + rank for r in range(world)), np.float32), "reduce_scatter")
base = ember.arange(12.).reshape(3, 4) * (rank + 1)
view = base.t()
dist.all_reduce(view)
same(base, np.arange(12., dtype=np.float32).reshape(3, 4) * sum(range(1, world + 1)),
     "all_reduce on a transposed view")

# all_to_all with uneven blocks, and all_to_all_single with split sizes
ins = [ember.full((rank + 1, j + 1), float(100 * rank + j)) for j in range(world)]
outs = [ember.zeros(r + 1, rank + 1) for r in range(world)]
dist.all_to_all(outs, ins)
for r in range(world):
    same(outs[r], np.full((r + 1, rank + 1), 100. * r + rank, np.float32), "all_to_all")
inp = ember.arange(world * 2, dtype=ember.int64) + 100 * rank
out = ember.zeros(world * 2, dtype=ember.int64)
dist.all_to_all_single(out, inp)
same(out, np.concatenate([np.arange(2 * rank, 2 * rank + 2) + 100 * r for r in range(world)]),
     "all_to_all_single")
in_splits = [r + 1 for r in range(world)]  # rank j gets j+1 rows from everyone
inp = ember.arange(sum(in_splits)) + 100. * rank
out = ember.zeros(world * (rank + 1))
dist.all_to_all_single(out, inp, [rank + 1] * world, in_splits)
start = sum(in_splits[:rank])
same(out, np.concatenate([np.arange(start, start + rank + 1) + 100. * r for r in range(world)])
     .astype(np.float32), "all_to_all_single uneven")

# point to point: a ring, blocking and non-blocking
right, left = (rank + 1) % world, (rank - 1) % world
send = dist.isend(ember.full((4,), float(rank)), right)
t = ember.zeros(4)
work = dist.irecv(t, left)
work.wait()
send.wait()
same(t, np.full(4, float(left), np.float32), "isend/irecv")
if rank == 0:
    dist.send(ember.arange(5, dtype=ember.int16), dst=world - 1, tag=3)
elif rank == world - 1:
    t = ember.zeros(5, dtype=ember.int16)
    assert dist.recv(t, tag=3) == 0
    same(t, np.arange(5, dtype=np.int16), "send/recv any source")

# objects: through the weights-only loader
gathered = [None] * world
dist.all_gather_object(gathered, {"rank": rank, "name": "r%d" % rank, "t": ember.ones(rank + 1)})
assert [g["rank"] for g in gathered] == list(range(world))
assert [g["t"].shape[0] for g in gathered] == list(range(1, world + 1))
objects = [rank, "x"] if rank == 0 else [None, None]
dist.broadcast_object_list(objects, src=0)
assert objects == [0, "x"], objects
collected = [None] * world if rank == 1 else None
dist.gather_object((rank, [1.5]), collected, dst=1)
if rank == 1:
    assert collected == [(r, [1.5]) for r in range(world)], collected


class Evil:
    def __reduce__(self):
        return (os.system, ("touch %s" % MARKER,))


# an object the weights-only loader refuses (its unpickling would run code) fails on the
# receiving ranks, and its code never runs there
MARKER = os.path.join(os.environ["EMBER_TEST_OUT"], "evil-ran")
objects = [Evil()] if rank == 0 else [None]
try:
    dist.broadcast_object_list(objects, src=0)
except pickle.UnpicklingError as e:
    assert rank != 0 and "posix.system" in str(e), (rank, str(e))
else:
    assert rank == 0, "rank %d loaded a pickled os.system call" % rank
dist.barrier()
assert not os.path.exists(MARKER)

# groups: ranks {0, last}; the others are not members
group = dist.new_group([0, world - 1])
if rank in (0, world - 1):
    t = ember.tensor([float(rank)])
    dist.all_reduce(t, group=group)
    same(t, np.array([float(world - 1)], np.float32), "group all_reduce")
    assert dist.get_world_size(group) == 2
    assert dist.get_process_group_ranks(group) == [0, world - 1]
else:
    assert group is dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(group) == -1

# mismatched shapes and dtypes: an error on every rank naming both
mismatches = [(ember.zeros(rank + 1), "float32[1]", "float32[2]"),
              (ember.zeros(2, dtype=ember.float64 if rank else ember.float32), "float32[2]",
               "float64[2]")]
for bad, rank0, rank1 in mismatches:
    try:
        dist.all_reduce(bad)
    except RuntimeError as e:
        assert ("rank 0 called all_reduce(%s) op=SUM but rank 1 called all_reduce(%s) op=SUM"
                % (rank0, rank1)) in str(e), str(e)
    else:
        raise AssertionError("mismatch not detected")
try:
    dist.broadcast(ember.zeros(3), src=rank % 2)
except RuntimeError as e:
    assert "src=0" in str(e) and "src=1" in str(e), str(e)
else:
    raise AssertionError("different roots not detected")
# a wrong receive size is reported on the receiving rank
if rank == 0:
    dist.send(ember.zeros(3), dst=1)
elif rank == 1:
    try:
        dist.recv(ember.zeros(2), src=0)
    except RuntimeError as e:
        assert "larger than the receiving tensor" in str(e), str(e)
    else:
        raise AssertionError("size mismatch not detected")

dist.barrier()
assert dist.get_backend() == "mpi" and dist.is_initialized()
dist.destroy_process_group()
assert not dist.is_initialized()
report(rank, "OK")
