"""vmap's batching rules against torch.func on the same inputs: per-sample gradients of an MLP
and a CNN, model ensembling, jacobians and hessians over vmap, nesting, chunking, in-place ops.
Where the tutorial idioms should run without a per-sample loop, the loop counters say so."""
import numpy as np
import pytest
import torch

import ember
from ember.func import _array_rules, _functions, _rules
from tests.func.compare import close

RNG = np.random.default_rng(5)


def _loops():
    return dict(_rules.LOOPED) | dict(_functions.LOOPED) | dict(_array_rules.LOOPED)


@pytest.fixture(autouse=True)
def _clear_loops():
    for counter in (_rules.LOOPED, _functions.LOOPED, _array_rules.LOOPED):
        counter.clear()


def _copy_weights(em, tm):
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in em.state_dict().items()})


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 8),
                             lib.nn.Tanh(), lib.nn.Linear(8, 3))


def _cnn(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(1, 3, 3, padding=1), lib.nn.ReLU(),
                             lib.nn.MaxPool2d(2), lib.nn.Conv2d(3, 4, 3), lib.nn.ReLU(),
                             lib.nn.Flatten(), lib.nn.Linear(4, 3))


def _per_sample_grads(lib, model, x, y):
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def loss(p, b, xi, yi):
        out = lib.func.functional_call(model, (p, b), (xi.unsqueeze(0),))
        return lib.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    return lib.func.vmap(lib.func.grad(loss), in_dims=(None, None, 0, 0))(
        params, buffers, lib.tensor(x), lib.tensor(y))


@pytest.mark.parametrize("build,shape", [(_mlp, (6, 4)), (_cnn, (5, 1, 6, 6))])
def test_per_sample_gradients_match_torch_without_a_loop(build, shape):
    em, tm = build(ember), build(torch)
    _copy_weights(em, tm)
    x = RNG.standard_normal(shape).astype(np.float32)
    y = RNG.integers(0, 3, shape[0])
    ge, gt = _per_sample_grads(ember, em, x, y), _per_sample_grads(torch, tm, x, y)
    close(ge, gt, 1e-5)
    assert not _loops()


def test_ensembling_matches_torch_without_a_loop():
    ems = [_mlp(ember) for _ in range(3)]
    for i, m in enumerate(ems):
        for p in m.parameters():
            p.data.mul_(1 + i)
    tms = [_mlp(torch) for _ in range(3)]
    for e, t in zip(ems, tms):
        _copy_weights(e, t)
    x = RNG.standard_normal((5, 4)).astype(np.float32)

    def ensemble(lib, models, data, in_dims):
        params, buffers = lib.func.stack_module_state(models)
        base = models[0]

        def call(p, b, d):
            return lib.func.functional_call(base, (p, b), (d,))
        return lib.vmap(call, in_dims=(0, 0, in_dims))(params, buffers, data)

    same = ensemble(ember, ems, ember.tensor(x), None)
    close(same, ensemble(torch, tms, torch.tensor(x), None), 1e-5)
    minibatches = RNG.standard_normal((3, 5, 4)).astype(np.float32)
    close(ensemble(ember, ems, ember.tensor(minibatches), 0),
          ensemble(torch, tms, torch.tensor(minibatches), 0), 1e-5)
    assert not _loops()


def _f(x):
    return (x.sin() * x.sum()).exp().cumsum(0)


@pytest.mark.parametrize("transform,shape", [
    (lambda M: M.vmap(M.func.jacrev(_f)), (3, 4)),
    (lambda M: M.vmap(M.func.jacfwd(_f)), (3, 4)),
    (lambda M: M.vmap(M.func.hessian(lambda x: _f(x).sum())), (3, 4)),
    (lambda M: M.func.jacrev(M.vmap(_f)), (3, 4)),
    (lambda M: M.vmap(M.vmap(M.func.grad(lambda x: (x.exp() * x).sum()))), (2, 3, 4)),
])
def test_jacobians_over_vmap_match_torch(transform, shape):
    x = RNG.standard_normal(shape)
    close(transform(ember)(ember.tensor(x)), transform(torch)(torch.tensor(x)), 1e-9)
    assert not _loops()


def test_nested_out_dims_and_chunks_match_torch():
    a = RNG.standard_normal((3, 4, 5))
    b = RNG.standard_normal((5, 4))

    def inner(lib):
        return lib.vmap(lambda u, v: (u * v).sum(-1).exp(), in_dims=(0, 1), out_dims=0)

    def outer(lib):
        return lib.vmap(inner(lib), in_dims=(0, None), out_dims=1)

    close(outer(ember)(ember.tensor(a), ember.tensor(b)),
          outer(torch)(torch.tensor(a), torch.tensor(b)))
    chunked = [lib.vmap(lambda u: u.softmax(-1) @ u.t(), chunk_size=2)
               for lib in (ember, torch)]
    close(chunked[0](ember.tensor(a)), chunked[1](torch.tensor(a)))
    assert not _loops()


def test_in_place_ops_follow_torch():
    x = RNG.standard_normal((3, 4))
    close(ember.vmap(lambda t: t.mul_(2).add_(1))(ember.tensor(x)),
          torch.vmap(lambda t: t.mul_(2).add_(1))(torch.tensor(x)))
    for lib in (ember, torch):
        y = lib.zeros(4, dtype=lib.float64)
        with pytest.raises(RuntimeError):
            lib.vmap(lambda t: y.add_(t))(lib.tensor(x))


def _attention_block(lib):
    lib.manual_seed(0)

    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = lib.nn.Embedding(10, 8)
            self.norm = lib.nn.LayerNorm(8)
            self.att = lib.nn.MultiheadAttention(8, 2, batch_first=True)
            self.out = lib.nn.Linear(8, 3)

        def forward(self, tokens):
            h = self.norm(self.emb(tokens))
            a, _ = self.att(h, h, h)
            return self.out((h + a).mean(1))
    return Block()


def test_per_sample_gradients_of_an_attention_block_without_a_loop():
    em, tm = _attention_block(ember), _attention_block(torch)
    _copy_weights(em, tm)
    tokens = RNG.integers(0, 10, (5, 4))
    y = RNG.integers(0, 3, 5)
    close(_per_sample_grads(ember, em, tokens, y), _per_sample_grads(torch, tm, tokens, y), 1e-5)
    assert not _loops()


def test_item_setitem_and_data_dependent_reads_follow_torch():
    x = RNG.standard_normal((3, 4))

    def write(t):
        t = t.clone()
        t[0] = 1
        t[1:3] = t[2:4] * 2
        return t
    close(ember.vmap(write)(ember.tensor(x)), torch.vmap(write)(torch.tensor(x)))
    for lib in (ember, torch):
        for fn in (lambda t: t * t.sum().item(), lambda t: t * float(t.sum())):
            with pytest.raises(RuntimeError, match=r"vmap: It looks like you're calling \.item"):
                lib.vmap(fn)(lib.tensor(x))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_recurrent_layers_match_torch_per_sample(kind):
    """torch.vmap has no rule for the fused recurrent ops; ember runs them once per sample
    (the recorded fallback), so the oracle is torch's per-sample loop."""
    ember.manual_seed(0)
    em = getattr(ember.nn, kind)(3, 4, batch_first=True)
    tm = getattr(torch.nn, kind)(3, 4, batch_first=True)
    _copy_weights(em, tm)
    x = RNG.standard_normal((3, 5, 3)).astype(np.float32)
    got = ember.vmap(lambda a: em(a.unsqueeze(0))[0][0])(ember.tensor(x))
    expected = torch.stack([tm(torch.tensor(s).unsqueeze(0))[0][0] for s in x])
    close(got, expected, 1e-5)
    assert set(_loops()) <= set(_rules.FALLBACK)


def test_interpolation_and_padding_maps_without_a_loop():
    x = RNG.standard_normal((2, 1, 3, 4, 5))

    def f(lib):
        F = lib.nn.functional
        return lambda a: F.pad(F.interpolate(a, scale_factor=2, mode="bilinear"), (1, 2, 1, 1),
                               mode="reflect")
    close(ember.vmap(f(ember))(ember.tensor(x)), torch.vmap(f(torch))(torch.tensor(x)))
    assert not _loops()
