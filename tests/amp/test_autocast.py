"""CPU autocast against torch's: which ops run in bfloat16/float16, which in float32, which in
the widest input type; a small model's outputs and gradients; the region's spellings and state
functions."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.amp import autocast_mode


def _pair(shape, seed):
    arr = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return ember.tensor(arr), torch.tensor(arr)


def _dtype_name(t):
    return str(t.dtype).rpartition(".")[2]


def _same(e, t, rtol=1e-2, atol=1e-2):
    assert _dtype_name(e) == _dtype_name(t), (e.dtype, t.dtype)
    np.testing.assert_allclose(e.detach().to(ember.float64).numpy(),
                               t.detach().to(torch.float64).numpy(), rtol=rtol, atol=atol)


# (call, shapes of its float32 inputs): each listed op and a few that autocast leaves alone
_CALLS = [
    (lambda m, a, b: m.mm(a, b), [(4, 3), (3, 5)]),
    (lambda m, a, b: a @ b, [(2, 4, 3), (3, 5)]),
    (lambda m, a, b: m.matmul(a, b), [(4, 3), (3, 5)]),
    (lambda m, a, b: a.mm(b), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.bmm(a, b), [(2, 4, 3), (2, 3, 5)]),
    (lambda m, c, a, b: m.addmm(c, a, b), [(5,), (4, 3), (3, 5)]),
    (lambda m, c, a, b: m.baddbmm(c, a, b), [(2, 4, 5), (2, 4, 3), (2, 3, 5)]),
    (lambda m, c, a, b: m.addbmm(c, a, b), [(4, 5), (2, 4, 3), (2, 3, 5)]),
    (lambda m, x, w, b: m.nn.functional.linear(x, w, b), [(4, 3), (5, 3), (5,)]),
    (lambda m, x, w: m.nn.functional.conv1d(x, w), [(2, 3, 8), (4, 3, 3)]),
    (lambda m, x, w: m.nn.functional.conv2d(x, w, padding=1), [(2, 3, 5, 5), (4, 3, 3, 3)]),
    (lambda m, x, w: m.nn.functional.conv_transpose2d(x, w), [(2, 3, 4, 4), (3, 2, 3, 3)]),
    (lambda m, x, w: m.nn.functional.prelu(x, w), [(2, 3, 4), (3,)]),
    (lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v),
     [(2, 4, 8), (2, 5, 8), (2, 5, 8)]),
    (lambda m, a, b: m.linalg.vecdot(a, b), [(4, 3), (4, 3)]),
    # float32 ops: lower-precision inputs come back to float32
    (lambda m, a, b: m.nn.functional.mse_loss(m.mm(a, b), m.mm(a, b) * 0.5), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.nn.functional.cross_entropy(m.mm(a, b), m.tensor([0, 1, 4, 2])),
     [(4, 3), (3, 5)]),
    (lambda m, a, b: m.prod(m.mm(a, b), 1), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.cdist(m.mm(a, b), m.mm(a, b)), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.nn.functional.binary_cross_entropy_with_logits(
        m.mm(a, b), m.mm(a, b).sigmoid()), [(4, 3), (3, 5)]),
    # promote: the widest floating input type
    (lambda m, a, b: m.cat([m.mm(a, b), m.mm(a, b)]), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.cat([m.mm(a, b), b[:, :5].T @ b[:, :5]]), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.stack([m.mm(a, b).float(), m.mm(a, b)]), [(4, 3), (3, 5)]),
    # F.pad: reflection/replication pads are float32 ops, constant/circular padding is not
    (lambda m, a, b: m.nn.functional.pad(m.mm(a, b)[None], (1, 2), mode="reflect"),
     [(4, 3), (3, 5)]),
    (lambda m, a, b: m.nn.functional.pad(m.mm(a, b)[None, None], (1, 1, 1, 1), "replicate"),
     [(4, 3), (3, 5)]),
    (lambda m, a, b: m.nn.functional.pad(m.mm(a, b)[None], (1, 2), value=3.0),
     [(4, 3), (3, 5)]),
    (lambda m, a, b: m.nn.functional.pad(m.mm(a, b)[None], (1, 2), mode="circular"),
     [(4, 3), (3, 5)]),
    # not listed: computed in the inputs' dtype
    (lambda m, a, b: m.softmax(m.mm(a, b), 1), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.mm(a, b) + a.sum(), [(4, 3), (3, 5)]),
    (lambda m, a, b: m.mm(a, b).sum(), [(4, 3), (3, 5)]),
    # float64 is never cast
    (lambda m, a, b: m.mm(a.double(), b.double()), [(4, 3), (3, 5)]),
]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("index", range(len(_CALLS)))
def test_op_dtypes_and_values_as_torch(index, dtype):
    call, shapes = _CALLS[index]
    pairs = [_pair(s, seed) for seed, s in enumerate(shapes)]
    with ember.autocast("cpu", dtype=getattr(ember, dtype)):
        e = call(ember, *[p[0] for p in pairs])
    with torch.autocast("cpu", dtype=getattr(torch, dtype)):
        t = call(torch, *[p[1] for p in pairs])
    _same(e, t, rtol=2e-2, atol=2e-2)
    # outside the region the same call is float32 (or float64) again
    assert _dtype_name(call(ember, *[p[0] for p in pairs])) in ("float32", "float64")


def test_explicit_out_and_dtype_are_not_cast():
    a, b = _pair((4, 3), 0)[0], _pair((3, 5), 1)[0]
    with ember.autocast("cpu"):
        out = ember.empty(4, 5)
        assert ember.mm(a, b, out=out).dtype is ember.float32
        assert ember.prod(ember.mm(a, b), dtype=ember.float64).dtype is ember.float64


def _net(m):
    m.manual_seed(0)

    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = m.nn.Conv2d(2, 4, 3)
            self.fc = m.nn.Linear(4 * 4 * 4, 5)

        def forward(self, x):
            return self.fc(m.relu(self.conv(x)).flatten(1))

    return Net()


def test_model_outputs_and_float32_gradients_as_torch():
    tnet, enet = _net(torch), _net(ember)
    enet.load_state_dict({k: ember.tensor(v.detach().numpy())
                          for k, v in tnet.state_dict().items()})
    ex, tx = _pair((3, 2, 6, 6), 0)
    results = []
    for m, net, x in ((ember, enet, ex), (torch, tnet, tx)):
        with m.autocast(device_type="cpu", dtype=m.bfloat16):
            out = net(x)
            loss = m.nn.functional.cross_entropy(out, m.tensor([0, 3, 1]))
        loss.backward()
        results.append([out, loss] + [p.grad for p in net.parameters()])
    for e, t in zip(*results):
        _same(e, t, rtol=1e-2, atol=1e-3)
    assert results[0][0].dtype is ember.bfloat16 and results[0][1].dtype is ember.float32
    assert all(p.grad.dtype is ember.float32 for p in enet.parameters())


def test_spellings_nesting_and_state():
    a, b = _pair((4, 3), 0)[0], _pair((3, 5), 1)[0]
    assert not ember.is_autocast_enabled("cpu")

    @ember.amp.autocast("cpu")
    def decorated():
        return ember.mm(a, b)

    assert decorated().dtype is ember.bfloat16
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ember.cpu.amp.autocast():
            assert ember.mm(a, b).dtype is ember.bfloat16
    with warnings.catch_warnings(record=True) as t_caught:
        warnings.simplefilter("always")
        torch.cpu.amp.autocast()
    assert [str(w.message) for w in caught] == [str(w.message) for w in t_caught]
    with ember.autocast("cpu", dtype=ember.float16):
        assert ember.get_autocast_dtype("cpu") is ember.float16
        with ember.autocast("cpu", enabled=False):
            assert not ember.is_autocast_enabled("cpu")
            assert ember.mm(a, b).dtype is ember.float32
        with ember.autocast("cpu"):  # an inner region without a dtype keeps the outer one's
            assert ember.mm(a, b).dtype is ember.float16
        with ember.autocast("cpu", dtype=ember.bfloat16):
            assert ember.mm(a, b).dtype is ember.bfloat16
        assert ember.mm(a, b).dtype is ember.float16 and ember.is_autocast_enabled("cpu")
    assert not ember.is_autocast_enabled("cpu") and ember.mm(a, b).dtype is ember.float32
    # the state functions torch has; a region without a dtype takes the one set
    ember.set_autocast_enabled("cpu", True)
    ember.set_autocast_dtype("cpu", ember.float16)
    try:
        assert ember.is_autocast_enabled("cpu") and ember.mm(a, b).dtype is ember.float16
        with ember.autocast("cpu", enabled=False):
            assert ember.get_autocast_dtype("cpu") is ember.float16
        ember.set_autocast_enabled("cpu", False)
        with ember.autocast("cpu"):
            assert ember.mm(a, b).dtype is ember.float16
    finally:
        ember.set_autocast_enabled("cpu", False)
        ember.set_autocast_dtype("cpu", ember.bfloat16)
    assert ember.mm(a, b).dtype is ember.float32
    assert ember.is_autocast_cache_enabled()
    with ember.autocast("cpu", cache_enabled=False):
        assert not ember.is_autocast_cache_enabled()
    assert ember.is_autocast_cache_enabled()


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_unsupported_cpu_dtype_warns_and_disables_as_torch(name):
    def run(m):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with m.autocast("cpu", dtype=getattr(m, name)):
                enabled = m.is_autocast_enabled("cpu")
        return enabled, [str(w.message) for w in caught]

    assert run(ember) == run(torch)


def test_cached_parameter_cast_is_made_once_per_region():
    layer = ember.nn.Linear(3, 2)
    x = ember.ones(4, 3)
    with ember.autocast("cpu"):
        first, second = layer(x), layer(x * 2)
        assert len(autocast_mode._CACHE) == 2  # weight and bias, each cast once
    assert not autocast_mode._CACHE
    (first.float().sum() + second.float().sum()).backward()
    tl = torch.nn.Linear(3, 2)
    tl.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in layer.state_dict().items()})
    with torch.autocast("cpu"):
        tf, ts = tl(torch.ones(4, 3)), tl(torch.ones(4, 3) * 2)
    (tf.float().sum() + ts.float().sum()).backward()
    _same(layer.weight.grad, tl.weight.grad)
    _same(layer.bias.grad, tl.bias.grad)
