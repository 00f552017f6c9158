"""DDP on every rank against a single-process run on the concatenated global batch."""
import sys
from datetime import timedelta

import numpy as np

import ember
import ember.distributed as dist
from _report import report
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.nn.parallel import distributed as ddp_module

dist.init_process_group("gloo", timeout=timedelta(seconds=30))
SWITCH_INTERVAL = sys.getswitchinterval()
rank, world = dist.get_rank(), dist.get_world_size()
PER_RANK = 4


def net(seed, norm=None):
    ember.manual_seed(seed)
    layers = [nn.Conv2d(1, 4, 3), nn.ReLU()]
    if norm is not None:
        layers = [nn.Conv2d(1, 4, 3), norm(4), nn.ReLU()]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def global_batch(step, size=PER_RANK):
    gen = np.random.default_rng(100 + step)
    x = gen.standard_normal((world * size, 1, 6, 6)).astype(np.float32)
    y = gen.integers(0, 3, world * size)
    return ember.tensor(x), ember.tensor(y)


def local(batch, size=PER_RANK):
    x, y = batch
    return x[rank * size:(rank + 1) * size], y[rank * size:(rank + 1) * size]


def assert_equal_everywhere(model, what):
    for name, p in model.named_parameters():
        copies = [ember.zeros_like(p) for _ in range(world)]
        dist.all_gather(copies, p.detach())
        for c in copies:
            assert np.array_equal(c.numpy(), copies[0].numpy()), (what, name)


def assert_close(model, reference, what, rtol=1e-5, atol=1e-6):
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg="%s: %s" % (what, name))


loss_fn = nn.CrossEntropyLoss()

# 1. k steps equal a single process on the global batch; replicas start from rank 0's weights
# the all-reduces progress from a thread where a CPU is spare, else from the gradient hooks
spare_cpu = ddp_module._spare_cpu
for cap, thread in ((None, True), (0.0005, True), (None, False)):
    # one bucket; a bucket per parameter or so; one bucket polled from the gradient hooks
    ddp_module._spare_cpu = lambda: thread
    ddp = DDP(net(seed=rank), bucket_cap_mb=cap)
    ddp_module._spare_cpu = spare_cpu
    assert (ddp._progress is not None) == thread
    reference = net(seed=0)
    assert (len(ddp._buckets) > 1) == (cap is not None), len(ddp._buckets)
    opt = ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = ember.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    for step in range(3):
        batch = global_batch(step)
        x, y = local(batch)
        opt.zero_grad()
        loss_fn(ddp(x), y).backward()
        opt.step()
        ref_opt.zero_grad()
        loss_fn(reference(batch[0]), batch[1]).backward()
        ref_opt.step()
    assert_equal_everywhere(ddp.module, "after 3 steps")
    # the progress thread raised the GIL switch interval during backward only
    assert sys.getswitchinterval() == SWITCH_INTERVAL, sys.getswitchinterval()
    assert_close(ddp.module, reference, "DDP vs one process, cap=%s" % cap)

# 2. no_sync accumulation equals one step on both micro-batches
ddp = DDP(net(seed=rank))
reference = net(seed=0)
first, second = global_batch(10), global_batch(11)
with ddp.no_sync():
    loss_fn(ddp(local(first)[0]), local(first)[1]).backward()
grads_local = [p.grad.clone() for p in ddp.parameters()]
loss_fn(ddp(local(second)[0]), local(second)[1]).backward()
(loss_fn(reference(first[0]), first[1]) + loss_fn(reference(second[0]), second[1])).backward()
for p, q in zip(ddp.parameters(), reference.parameters()):
    np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6)
assert not all(np.allclose(g.numpy(), p.grad.numpy()) for g, p in zip(grads_local,
                                                                       ddp.parameters()))

# 3. state_dict carries torch's "module." prefix and loads into the plain model
keys = list(ddp.state_dict())
assert keys == ["module." + k for k in ddp.module.state_dict()], keys
plain = net(seed=5)
plain.load_state_dict(ddp.module.state_dict())

# 4. broadcast_buffers: each forward starts from rank 0's running statistics
seen = []
for broadcast in (True, False):
    ddp = DDP(net(seed=0, norm=nn.BatchNorm2d), broadcast_buffers=broadcast)
    bn = ddp.module[1]
    hook = bn.register_forward_pre_hook(lambda m, args: seen.append(m.running_mean.clone()))
    for step in range(2):
        ddp(ember.randn(2, 1, 6, 6) + rank)
    hook.remove()
    copies = [ember.zeros(4) for _ in range(world)]
    dist.all_gather(copies, seen[-1])
    same = all(np.array_equal(c.numpy(), copies[0].numpy()) for c in copies)
    assert same == broadcast, (broadcast, copies)

# 5. find_unused_parameters: a branch the loss does not use
class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(3, 3)
        self.unused = nn.Linear(3, 3)

    def forward(self, x):
        return self.body(x)


ember.manual_seed(0)
ddp = DDP(TwoHeads(), find_unused_parameters=True)
for step in range(2):
    ddp.zero_grad()
    ddp(ember.ones(2, 3) * (rank + 1)).sum().backward()
    assert ddp.module.unused.weight.grad is None
    want = np.full((3, 3), np.mean([2 * (r + 1) for r in range(world)]), np.float32)
    np.testing.assert_allclose(ddp.module.body.weight.grad.numpy(), want, rtol=1e-6)
ddp = DDP(TwoHeads())
ddp(ember.ones(2, 3)).sum().backward()
try:
    ddp(ember.ones(2, 3))
except RuntimeError as e:
    assert "find_unused_parameters=True" in str(e), str(e)
else:
    raise AssertionError("an unused parameter should stop the next forward")

# 6. SyncBatchNorm in DDP equals BatchNorm on the global batch (outputs, grads, running stats)
model = nn.SyncBatchNorm.convert_sync_batchnorm(net(seed=0, norm=nn.BatchNorm2d))
assert isinstance(model[1], nn.SyncBatchNorm)
ddp = DDP(model)
reference = net(seed=0, norm=nn.BatchNorm2d)
opt = ember.optim.SGD(ddp.parameters(), lr=0.1)
ref_opt = ember.optim.SGD(reference.parameters(), lr=0.1)
for step in range(2):
    batch = global_batch(20 + step)
    x, y = local(batch)
    x.requires_grad_(True)
    gx = batch[0].clone().requires_grad_(True)
    out, ref_out = ddp(x), reference(gx)
    np.testing.assert_allclose(out.detach().numpy(), ref_out.detach()[rank * PER_RANK:(rank + 1)
                               * PER_RANK].numpy(), rtol=1e-4, atol=1e-5)
    opt.zero_grad()
    ref_opt.zero_grad()
    # world * local mean = the global mean's gradient for this rank's inputs
    (loss_fn(out, y) / world).backward()
    loss_fn(ref_out, batch[1]).backward()
    np.testing.assert_allclose(x.grad.numpy(), gx.grad[rank * PER_RANK:(rank + 1)
                               * PER_RANK].numpy() / 1.0, rtol=1e-4, atol=1e-6)
    for p in ddp.parameters():  # the loss was divided by world: undo it for the comparison
        p.grad.mul_(world)
    opt.step()
    ref_opt.step()
assert_close(ddp.module, reference, "SyncBatchNorm", rtol=1e-4, atol=1e-5)
for name in ("running_mean", "running_var"):
    np.testing.assert_allclose(getattr(ddp.module[1], name).numpy(),
                               getattr(reference[1], name).numpy(), rtol=1e-5, atol=1e-6)

# 7. join: rank r has 2 + r batches; the result equals replaying the same steps in one process
ddp = DDP(net(seed=0))
reference = net(seed=0)
opt = ember.optim.SGD(ddp.parameters(), lr=0.1)
ref_opt = ember.optim.SGD(reference.parameters(), lr=0.1)
with ddp.join():
    for step in range(2 + rank):
        x, y = local(global_batch(30 + step))
        opt.zero_grad()
        loss_fn(ddp(x), y).backward()
        opt.step()
for step in range(2 + world - 1):
    ref_opt.zero_grad()
    x, y = global_batch(30 + step)
    active = [r for r in range(world) if step < 2 + r]
    loss = sum(loss_fn(reference(x[r * PER_RANK:(r + 1) * PER_RANK]),
                       y[r * PER_RANK:(r + 1) * PER_RANK]) for r in active) / world
    loss.backward()
    ref_opt.step()
assert_equal_everywhere(ddp.module, "after join")
assert_close(ddp.module, reference, "join")

# join(throw_on_early_termination=True): every rank raises at the first step rank 0 lacks
ddp = DDP(net(seed=0))
steps = 0
try:
    with ddp.join(throw_on_early_termination=True):
        for step in range(2 + rank):
            x, y = local(global_batch(30 + step))
            loss_fn(ddp(x), y).backward()
            steps += 1
except RuntimeError as e:
    want = ("Rank 0 exhausted all inputs." if rank == 0 else
            "Detected at least one rank that exhausted inputs. Throwing across all ranks.")
    assert str(e) == want and steps == 2, (str(e), steps)
else:
    raise AssertionError("uneven inputs did not raise")

dist.destroy_process_group()
report(rank, "OK")
