"""ember.multiprocessing: shared tensors seen and updated across processes, spawn's errors."""
import numpy as np
import pytest

import ember
import ember.multiprocessing as mp


def _hogwild_worker(model, steps):
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        model(ember.ones(1, 2)).sum().backward()
        opt.step()


def _add_one(queue, done):
    tensor = queue.get()
    tensor.add_(1)
    done.put(tensor.is_shared())


def _fails(i, message):
    raise ValueError(message)


def _exits(i):
    raise SystemExit(3)


def test_share_memory_and_hogwild_with_fork():
    model = ember.nn.Linear(2, 1, bias=False)
    ember.nn.init.zeros_(model.weight)
    assert not model.weight.is_shared()
    assert model.share_memory() is model and model.weight.is_shared()
    ctx = mp.get_context("fork")
    workers = [ctx.Process(target=_hogwild_worker, args=(model, 3)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert all(w.exitcode == 0 for w in workers)
    # each of the 6 steps subtracted lr * 1 from every weight, in the parent's memory
    np.testing.assert_allclose(model.weight.detach().numpy(), [[-0.6, -0.6]], rtol=1e-6)


def test_tensor_sent_through_a_queue_is_shared_with_spawn():
    ctx = mp.get_context("spawn")
    queue, done = ctx.Queue(), ctx.Queue()
    tensor = ember.zeros(3)
    process = ctx.Process(target=_add_one, args=(queue, done))
    process.start()
    queue.put(tensor)
    assert done.get(timeout=60) is True
    process.join()
    assert tensor.is_shared() and tensor.tolist() == [1.0, 1.0, 1.0]


def test_spawn_reports_failures():
    with pytest.raises(mp.ProcessRaisedException, match="ValueError: boom"):
        mp.spawn(_fails, args=("boom",), nprocs=1, start_method="fork")
    with pytest.raises(mp.ProcessExitedException, match="exit code 3"):
        mp.spawn(_exits, nprocs=1, start_method="fork")
    context = mp.start_processes(_exits, nprocs=1, join=False, start_method="fork")
    assert len(context.pids()) == 1
    with pytest.raises(mp.ProcessExitedException):
        context.join()
    assert mp.get_sharing_strategy() in mp.get_all_sharing_strategies()
