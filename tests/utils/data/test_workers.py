"""DataLoader with worker processes: order, seeding, sharding, errors, timeout and cleanup."""
import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch.utils.data as tud

import ember
from ember.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info
from tests.utils.data._helpers import ArrayDataset, to_plain


def alive(pid):
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids, limit=10.0):
    end = time.time() + limit
    while time.time() < end and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


class Info(Dataset):
    """Returns (index, worker id, worker seed, a draw from ember's default generator)."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        w = get_worker_info()
        return i, w.id, w.seed, float(ember.rand(1).item()), os.getpid()


class Slow(Dataset):
    def __init__(self, delay, n=6):
        self.delay, self.n = delay, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(self.delay)
        return i


class Failing(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 7:
            raise ValueError("bad sample")
        return i


class Shards(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        w = get_worker_info()
        return iter(range(self.n) if w is None else range(w.id, self.n, w.num_workers))


class TShards(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        w = tud.get_worker_info()
        return iter(range(self.n) if w is None else range(w.id, self.n, w.num_workers))


def test_batches_in_order_like_single_process():
    ds = ArrayDataset()
    order = list(np.random.default_rng(0).permutation(len(ds)))
    single = [to_plain(b) for b in DataLoader(ds, batch_size=4, sampler=order)]
    multi = [to_plain(b) for b in DataLoader(ds, batch_size=4, sampler=order, num_workers=2)]
    assert multi == single
    torch_multi = [to_plain(b) for b in tud.DataLoader(ds, batch_size=4, sampler=order,
                                                       num_workers=2)]
    assert multi == torch_multi


def test_shuffle_with_workers_matches_main_process_for_same_seed():
    ds = list(range(40))
    ember.manual_seed(5)
    a = [b.tolist() for b in DataLoader(ds, batch_size=6, shuffle=True)]
    ember.manual_seed(5)
    assert [b.tolist() for b in DataLoader(ds, batch_size=6, shuffle=True, num_workers=2)] == a


def test_worker_seeds_and_random_draws():
    def run():
        ember.manual_seed(11)
        return [tuple(x.item() if hasattr(x, "item") else x for x in b)[:4]
                for b in DataLoader(Info(), batch_size=None, num_workers=2)]

    first, second = run(), run()
    assert first == second  # reproducible for a seed
    ids = [r[1] for r in first]
    assert ids == [0, 1] * 4  # round robin
    seeds = {r[1]: r[2] for r in first}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id
    draws = {r[1]: r[3] for r in first if r[0] < 2}
    assert draws[0] != draws[1]  # random transforms differ between workers
    ember.manual_seed(12)
    third = [r[3] for r in DataLoader(Info(), batch_size=None, num_workers=2)]
    assert third != [r[3] for r in first]
    assert get_worker_info() is None


def test_worker_init_fn_sees_worker_info():
    def init(worker_id):
        info = get_worker_info()
        assert info.id == worker_id and info.num_workers == 2
        info.dataset.delay = 0.0

    out = [b for b in DataLoader(Slow(10.0), batch_size=None, num_workers=2,
                                        worker_init_fn=init, timeout=5)]
    assert out == list(range(6))


@pytest.mark.parametrize("workers", [2, 3])
def test_iterable_sharding_matches_torch(workers):
    ours = [b.tolist() for b in DataLoader(Shards(11), batch_size=2, num_workers=workers)]
    theirs = [b.tolist() for b in tud.DataLoader(TShards(11), batch_size=2, num_workers=workers)]
    assert ours == theirs


def test_in_order_false_gives_every_batch():
    out = [b.tolist() for b in DataLoader(list(range(20)), batch_size=3, num_workers=2,
                                          in_order=False)]
    assert sorted(sum(out, [])) == list(range(20))


def test_worker_exception_names_sample_and_traceback():
    loader = DataLoader(Failing(), batch_size=4, num_workers=2)
    with pytest.raises(ValueError) as err:
        list(loader)
    msg = str(err.value)
    assert "worker process 1" in msg and "sample index 7" in msg
    assert "Traceback" in msg and "__getitem__" in msg and "bad sample" in msg


def test_worker_init_fn_exception_is_reraised():
    def init(worker_id):
        raise KeyError("no init")

    with pytest.raises(KeyError, match="no init"):
        list(DataLoader(list(range(4)), num_workers=1, worker_init_fn=init))


def test_timeout_raises():
    loader = DataLoader(Slow(60.0), batch_size=None, num_workers=1, timeout=0.3)
    it = iter(loader)
    t0 = time.time()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        next(it)
    assert time.time() - t0 < 30  # a sanity bound: the sample itself would take 60 s
    pids = [w.pid for w in it._workers]
    del it
    gc.collect()
    assert wait_gone(pids) == []


def test_break_and_delete_leave_no_worker():
    loader = DataLoader(list(range(100)), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    assert all(alive(p) for p in pids)
    for i, _ in enumerate(it):
        if i == 3:
            break
    del it
    gc.collect()
    assert wait_gone(pids) == []
    # Exhausting an epoch also shuts the workers down.
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    assert len(list(it)) == 50
    assert wait_gone(pids) == []
    del it, loader


class TSlow(tud.Dataset):
    def __len__(self):
        return 40

    def __getitem__(self, i):
        time.sleep(0.5)
        return i


@pytest.mark.parametrize("lib", ["ember", "torch"])
def test_killed_worker_is_reported(lib):
    loader = (DataLoader(Slow(0.5, n=40), batch_size=None, num_workers=2) if lib == "ember"
              else tud.DataLoader(TSlow(), batch_size=None, num_workers=2))
    it = iter(loader)
    pid = it._workers[0].pid
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match=r"^DataLoader worker \(pid\(s\) %d\) exited "
                                           r"unexpectedly$" % pid) as info:
        list(it)
    assert str(info.value.__cause__) == ("DataLoader worker (pid %d) is killed by signal: "
                                         "Killed. " % pid)
    if lib == "ember":
        assert wait_gone([w.pid for w in it._workers]) == []


class Big(Dataset):
    """Samples far larger than a pipe's buffer: a worker sending one blocks part-way through
    until the main process reads."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return b"x" * (4 << 20)


def test_worker_killed_while_sending_a_batch_is_reported():
    it = iter(DataLoader(Big(), batch_size=None, num_workers=2))
    pid = it._workers[0].pid
    # Data on worker 0's pipe: it has begun sending its first batch, and the rest of the batch
    # waits for the full pipe to drain, so the kill lands in the middle of the message.
    assert it._result_conns[0].poll(120)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match=r"^DataLoader worker \(pid\(s\) %d\) exited "
                                           r"unexpectedly$" % pid) as info:
        next(it)
    assert "is killed by signal: Killed" in str(info.value.__cause__)
    assert wait_gone([w.pid for w in it._workers]) == []


class Counted(Dataset):
    """1 MB samples (far more than a pipe holds) that count how many have been loaded."""

    def __init__(self, counter):
        self.counter = counter

    def __len__(self):
        return 8

    def __getitem__(self, i):
        with self.counter.get_lock():
            self.counter.value += 1
        return b"x" * (1 << 20)


def test_workers_load_ahead_while_the_main_process_does_not_read():
    counter = multiprocessing.Value("i", 0)
    it = iter(DataLoader(Counted(counter), batch_size=None, num_workers=2, prefetch_factor=3))
    # Nothing is read yet, and still each worker loads the 3 batches it was given: a batch
    # waiting on the pipe does not hold up the next one.
    end = time.time() + 60
    while counter.value < 6 and time.time() < end:
        time.sleep(0.05)
    assert counter.value == 6
    assert len(list(it)) == 8


class Unpicklable(Dataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return (lambda: i) if i == 1 else i


def test_batch_that_cannot_be_sent_is_an_error_not_a_hang():
    it = iter(DataLoader(Unpicklable(), batch_size=None, num_workers=1))
    assert next(it) == 0
    with pytest.raises(Exception, match="in DataLoader worker process 0 while sending a batch"):
        next(it)


def test_persistent_workers_reused_across_epochs():
    loader = DataLoader(list(range(10)), batch_size=3, num_workers=2, persistent_workers=True)
    first = iter(loader)
    pids = [w.pid for w in first._workers]
    assert [b.tolist() for b in first] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    for i, _ in enumerate(loader):  # leave an epoch early: stale batches must not leak
        if i == 0:
            break
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert [w.pid for w in loader._iterator._workers] == pids and all(alive(p) for p in pids)
    it = loader._iterator
    del loader
    it._shutdown_workers()
    assert wait_gone(pids) == []


def test_persistent_iterable_restarts_stream():
    loader = DataLoader(Shards(5), batch_size=2, num_workers=2, persistent_workers=True)
    assert [b.tolist() for b in loader] == [[0, 2], [1, 3], [4]]
    assert [b.tolist() for b in loader] == [[0, 2], [1, 3], [4]]
    loader._iterator._shutdown_workers()


SCRIPT = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, %r)
    from ember.utils.data import DataLoader, Dataset

    class Slow(Dataset):
        def __len__(self):
            return 1000
        def __getitem__(self, i):
            time.sleep(0.05)
            return i

    def init(worker_id):
        os.write(1, b"worker %%d\\n" %% os.getpid())  # one write: workers share the pipe

    for batch in DataLoader(Slow(), batch_size=2, num_workers=2, worker_init_fn=init):
        print("batch", flush=True)
""")


@pytest.mark.parametrize("whole_group", [False, True])
def test_ctrl_c_leaves_no_worker(whole_group):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT % root], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    pids = []
    for line in proc.stdout:
        if line.startswith("worker"):
            pids.append(int(line.split()[1]))
        if line.startswith("batch") and len(pids) == 2:
            break
    assert len(pids) == 2 and all(alive(p) for p in pids)
    if whole_group:  # what Ctrl-C in a terminal does: every process of the group is signalled
        os.killpg(proc.pid, signal.SIGINT)
    else:  # only the main process: it alone must take the workers down
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert "KeyboardInterrupt" in err and "Process" not in err  # workers exit quietly
    assert wait_gone(pids) == []


def test_spawn_context_and_worker_info_read_only():
    ds = ember.utils.data.TensorDataset(ember.arange(10))
    loader = DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn")
    assert [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    info = ember.utils.data._utils.worker.WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)
    with pytest.raises(RuntimeError, match="Cannot assign attributes"):
        info.id = 1
    assert "seed=3" in repr(info)
    with pytest.raises(ValueError):
        DataLoader(ds, num_workers=1, multiprocessing_context="no-such-method")
