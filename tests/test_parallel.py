"""The intra-op pool: thread count, chunking, and kernels split across threads agreeing with
torch (the rest of the suite runs single-threaded)."""
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

import ember
from ember import _parallel
from ember.utils.data import DataLoader, Dataset


@pytest.fixture
def two_threads():
    ember.set_num_threads(2)
    yield
    ember.set_num_threads(1)


def test_set_num_threads_round_trips_and_rejects_zero():
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 3
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    with pytest.raises(RuntimeError, match="positive integer"):
        ember.set_num_threads(0)


def test_chunks_cover_the_range_and_respect_the_grain(two_threads):
    assert _parallel.chunks(10, 3) == [(0, 5), (5, 10)]
    assert _parallel.chunks(5, 3) == [(0, 5)]  # two chunks would be below the grain
    assert _parallel.chunks(0, 1) == [(0, 0)]
    ember.set_num_threads(1)
    assert _parallel.chunks(100, 1) == [(0, 100)]


def test_run_keeps_order_and_reraises_a_worker_error(two_threads):
    assert _parallel.run(lambda lo, hi: (lo, hi), [(0, 2), (2, 4)]) == [(0, 2), (2, 4)]

    def fail_second(lo, hi):
        if lo:
            raise ValueError("chunk %d" % lo)
        return lo

    with pytest.raises(ValueError, match="chunk 2"):
        _parallel.run(fail_second, [(0, 2), (2, 4)])
    # a kernel called inside a chunk does not split again
    assert _parallel.run(lambda lo, hi: _parallel.chunks(64, 1), [(0, 1), (1, 2)]) == \
        [[(0, 64)], [(0, 64)]]


@pytest.mark.parametrize("shape_a,shape_b", [((300, 200), (200, 100)), ((8, 300), (300, 1000)),
                                             ((4, 60, 200), (200, 300))])
def test_matmul_split_matches_numpy(two_threads, monkeypatch, shape_a, shape_b):
    monkeypatch.setattr(_parallel, "_MATMUL_WORK", 1)  # split however small
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape_a).astype(np.float32)
    b = rng.standard_normal(shape_b).astype(np.float32)
    np.testing.assert_allclose(_parallel.matmul(a, b), a @ b, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("m,k,n", [(6, 25, 50176), (16, 150, 6400), (3, 5, 8193 * 2)])
def test_wide_products_in_pieces_match_numpy(threads, monkeypatch, m, k, n):
    monkeypatch.setattr(_parallel, "_MATMUL_WORK", 1)  # pieces across the pool however small
    ember.set_num_threads(threads)
    try:
        rng = np.random.default_rng(0)
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        g = rng.standard_normal((m, n)).astype(np.float32)
        np.testing.assert_allclose(_parallel.wide_matmul(a, b), a @ b, rtol=1e-4, atol=1e-4)
        for x, y in ((g, b), (b, g)):  # the longer side as rows, either way round
            got = _parallel.matmul_nt(x, y)
            assert got.flags.c_contiguous
            np.testing.assert_allclose(got, (x.astype(np.float64) @ y.T.astype(np.float64)),
                                       rtol=1e-4, atol=2e-2)
    finally:
        ember.set_num_threads(1)


@pytest.mark.parametrize("n,c,o,k,padding,stride,groups,size", [
    (64, 6, 16, 5, 0, 1, 1, 14), (48, 4, 8, 3, 1, 2, 2, 14),
    (16, 4, 16, 3, 1, 1, 1, 20),  # wide output rows (batch outside them)
    (64, 1, 32, 3, 1, 1, 1, 28)])  # the seed CNN's conv: one product per image
def test_conv2d_split_by_batch_matches_torch(two_threads, n, c, o, k, padding, stride, groups,
                                             size):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32)
              for s in ((n, c, size, size), (o, c // groups, k, k), (o,))]
    e = [ember.tensor(a, requires_grad=True) for a in arrays]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    kw = dict(stride=stride, padding=padding, groups=groups)
    ey = ember.nn.functional.conv2d(*e, **kw)
    ty = torch.nn.functional.conv2d(*t, **kw)
    assert len(_parallel.chunks(n, 1)) == 2
    gy = rng.standard_normal(ty.shape).astype(np.float32)
    ey.backward(ember.tensor(gy))
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=2e-3)


class _Threads(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return ember.get_num_threads()


def test_dataloader_workers_run_single_threaded(two_threads):
    got = [int(v) for batch in DataLoader(_Threads(), batch_size=1, num_workers=1)
           for v in batch]
    assert got == [1, 1]
    assert ember.get_num_threads() == 2


@pytest.mark.parametrize("width", [28, 29])  # windows cover the input / leave a column
def test_max_pool2d_split_by_batch_matches_torch_with_ties(two_threads, width):
    from ember.ops.nn import pooling

    rng = np.random.default_rng(1)
    x = np.maximum(rng.standard_normal((16, 8, 28, width)), 0).astype(np.float32)  # ties at 0
    assert len(pooling._split(x)) == 2  # forward and backward each run in two chunks
    ex = ember.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    gy = rng.standard_normal((16, 8, 14, 14)).astype(np.float32)
    ey = ember.nn.functional.max_pool2d(ex, 2)
    ty = torch.nn.functional.max_pool2d(tx, 2)
    np.testing.assert_array_equal(ey.detach().numpy(), ty.detach().numpy())
    ey.backward(ember.tensor(gy))
    ty.backward(torch.tensor(gy))
    np.testing.assert_array_equal(ex.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("packed", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_with_split_gemms_matches_torch(two_threads, bidirectional, packed):
    # backward sums the weight gradients block by block of steps on a pool thread, and the
    # forward hands the backward's factors to it block by block; a padded input runs the
    # feature-major kernel, a packed one the row kernel
    rng = np.random.default_rng(2)
    lengths = sorted([7, 7, 6, 5, 5, 3, 2, 1] * 8, reverse=True)
    x = rng.standard_normal((7, len(lengths), 10)).astype(np.float32)
    states = [rng.standard_normal((1 + bidirectional, len(lengths), 48)).astype(np.float32)
              for _ in range(2)]
    torch_lstm = torch.nn.LSTM(10, 48, bidirectional=bidirectional)
    out = {}
    for lib, lstm in ((torch, torch_lstm),
                      (ember, ember.nn.LSTM(10, 48, bidirectional=bidirectional))):
        if lib is ember:
            lstm.load_state_dict({k: ember.tensor(v.detach().numpy())
                                  for k, v in torch_lstm.state_dict().items()})
        xt = lib.tensor(x, requires_grad=True)
        h0, c0 = (lib.tensor(a, requires_grad=True) for a in states)
        if packed:
            y, (h, c) = lstm(lib.nn.utils.rnn.pack_padded_sequence(xt, lengths))
            y, _ = lib.nn.utils.rnn.pad_packed_sequence(y)
        else:
            y, (h, c) = lstm(xt, (h0, c0))
        (y.sum() + (h * c).sum()).backward()
        out[lib.__name__] = [t.detach().numpy() for t in (y, h, c, xt.grad)] + \
            [p.grad.numpy() for p in lstm.parameters()] + \
            ([] if packed else [h0.grad.numpy(), c0.grad.numpy()])
    for e, t in zip(out["ember"], out["torch"]):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-4)


def test_spawn_runs_beside_the_caller_and_reraises(two_threads):
    pending = _parallel.spawn(lambda: sum(range(10)))
    # while the task is pending the pool is held: a split in the caller runs serially
    assert _parallel.run(lambda lo, hi: lo, [(0, 1), (1, 2)]) == [0, 1]
    assert pending.wait() == 45
    failing = _parallel.spawn(lambda: 1 // 0)
    with pytest.raises(ZeroDivisionError):
        failing.wait()
    # the pool is free again
    assert _parallel.run(lambda lo, hi: _parallel._busy.flag, [(0, 1), (1, 2)]) == [True, True]


def _wait_until_cool():
    deadline = time.monotonic() + 10
    while ((any(w.hot for w in _parallel._workers) or _parallel._bound is not None)
           and time.monotonic() < deadline):
        time.sleep(0.01)


def test_idle_workers_poll_then_sleep_and_wake_again(two_threads):
    _wait_until_cool()  # after earlier tests' splits
    cpus = os.sched_getaffinity(0)
    assert _parallel.run(lambda lo, hi: lo, [(0, 1), (1, 2)]) == [0, 1]
    worker = _parallel._workers[0]
    if _parallel._SPIN is not None:
        assert worker.hot  # it polls for the next task a while
        if len(cpus) > 1:  # the caller and the worker on CPUs of their own meanwhile
            assert len(os.sched_getaffinity(0)) == 1
            assert _parallel.cpu_count() == len(cpus)  # still counts the caller's own set
            assert os.sched_getaffinity(worker.native_id) != os.sched_getaffinity(0)
    _wait_until_cool()
    assert not worker.hot  # the cooler put it to sleep
    assert os.sched_getaffinity(0) == cpus  # and gave the caller its CPUs back
    assert _parallel.run(lambda lo, hi: hi, [(0, 1), (1, 2)]) == [1, 2]  # woken from sleep
    results = [_parallel.run(lambda lo, hi: lo * hi, [(0, 3), (3, 5)]) for _ in range(200)]
    assert results == [[0, 15]] * 200


def test_a_child_forked_while_the_pool_is_bound_runs_on_every_cpu(two_threads):
    _wait_until_cool()
    cpus = os.sched_getaffinity(0)
    _parallel.run(lambda lo, hi: lo, [(0, 1), (1, 2)])
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports its CPU set
        os.write(write, repr(sorted(os.sched_getaffinity(0))).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 4096).decode() == repr(sorted(cpus))
    _wait_until_cool()


@pytest.mark.parametrize("no_spin", ["no spin locks", "one CPU"])
def test_pool_without_polling_sleeps_between_tasks(two_threads, monkeypatch, no_spin):
    # machines without POSIX spin locks (macOS, Windows), or with fewer CPUs than threads,
    # hand tasks over through plain locks
    if no_spin == "one CPU":
        monkeypatch.setattr(_parallel, "cpu_count", lambda: 1)
    else:
        monkeypatch.setattr(_parallel, "_SPIN", None)
    monkeypatch.setattr(_parallel, "_workers", [])
    assert [_parallel.run(lambda lo, hi: (lo, hi), [(0, 2), (2, 4)]) for _ in range(50)] == \
        [[(0, 2), (2, 4)]] * 50
    assert not _parallel._workers[0].hot
    assert _parallel.spawn(lambda: 6 * 7).wait() == 42
    with pytest.raises(ZeroDivisionError):
        _parallel.run(lambda lo, hi: 1 // lo, [(0, 1), (1, 2)])


@pytest.mark.parametrize("threads", [1, 2])
def test_conv2d_in_cache_tiles_matches_torch(monkeypatch, threads):
    # a tile budget of a few images cuts each thread's chunk of the batch into several tiles
    from ember.ops.nn import conv
    monkeypatch.setattr(conv, "_TILE_BYTES", 3 * (3 * 9 + 8) * 16 * 16 * 4)
    ember.set_num_threads(threads)
    try:
        rng = np.random.default_rng(3)
        arrays = [rng.standard_normal(s).astype(np.float32)
                  for s in ((37, 3, 16, 16), (8, 3, 3, 3), (8,))]
        e = [ember.tensor(a, requires_grad=True) for a in arrays]
        t = [torch.tensor(a, requires_grad=True) for a in arrays]
        ey = ember.nn.functional.conv2d(*e, padding=1)
        ty = torch.nn.functional.conv2d(*t, padding=1)
        gy = rng.standard_normal(ty.shape).astype(np.float32)
        ey.backward(ember.tensor(gy))
        ty.backward(torch.tensor(gy))
        np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-4,
                                   atol=1e-4)
        for a, b in zip(e, t):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=2e-3)
    finally:
        ember.set_num_threads(1)


_FAULTS = """
import resource
import ember
import numpy as np

def step():
    arrays = [np.ones(5 << 18, np.float32) for _ in range(6)]  # 6 blocks of 5 MiB
    return sum(float(a[-1]) for a in arrays)

for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
@pytest.mark.parametrize("tuned", [False, True])
def test_freed_blocks_are_reused_without_page_faults(tuned):
    # Each step's 30 MiB page-faults in again when malloc gives it back to the kernel (30,000
    # faults in 10 steps with NumPy alone); a user's own malloc environment variable leaves
    # malloc as the user set it.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("GLIBC_TUNABLES", None)
    if tuned:
        env["MALLOC_TRIM_THRESHOLD_"] = str(1 << 20)
    out = subprocess.run([sys.executable, "-c", _FAULTS], env=env, capture_output=True,
                         text=True, check=True)
    faults = int(out.stdout.split()[-1])
    assert (faults > 10 * 1000) if tuned else (faults < 100), faults
