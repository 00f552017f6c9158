"""MultiheadAttention, the Transformer layers and stacks, and scaled_dot_product_attention
against torch: same weights through state_dict, same inputs and masks; outputs, attention
weights, input and parameter gradients; repr, state_dict keys, initialisation and errors."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn._helpers import copy_weights, ember_repr, to_ember


def _rand(*shape, seed=0, dtype=torch.float32):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _build(expr, namespace=None):
    torch.manual_seed(0)
    ns_t = {"nn": torch.nn, "F": torch.nn.functional}
    ns_e = {"nn": ember.nn, "F": ember.nn.functional}
    t_mod = eval(expr, ns_t)
    e_mod = eval(expr, ns_e)
    copy_weights(t_mod, e_mod)
    return t_mod, e_mod


def _close(e, t, what, atol=1e-5, rtol=1e-4):
    ea = e.detach().numpy()
    ta = t.detach().numpy()
    assert ea.shape == ta.shape, "%s: shape %s != %s" % (what, ea.shape, ta.shape)
    np.testing.assert_allclose(ea, ta, atol=atol, rtol=rtol, err_msg=what)


def _pair(x, grad=True):
    """The same tensor in torch and ember; floats require grad when ``grad``."""
    if x is None:
        return None, None
    t = x.detach().clone()
    if grad and t.is_floating_point():
        t.requires_grad_(True)
    return t, to_ember(t)


def _compare(t_mod, e_mod, t_args, e_args, t_kwargs=None, e_kwargs=None, atol=1e-5):
    t_kwargs, e_kwargs = t_kwargs or {}, e_kwargs or {}
    t_out = t_mod(*t_args, **t_kwargs)
    e_out = e_mod(*e_args, **e_kwargs)
    t_flat = list(t_out) if isinstance(t_out, tuple) else [t_out]
    e_flat = list(e_out) if isinstance(e_out, tuple) else [e_out]
    assert len(t_flat) == len(e_flat)
    terms_t, terms_e = [], []
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        if t is None:
            assert e is None, "output %d: torch gives None" % i
            continue
        _close(e, t, "output %d" % i, atol)
        w = _rand(*t.shape, seed=30 + i)
        terms_t.append((t * w).sum())
        terms_e.append((e * to_ember(w)).sum())
    sum(terms_t).backward()
    sum(terms_e).backward()
    leaves = [(e, t) for e, t in zip(list(e_args) + list(e_kwargs.values()),
                                     list(t_args) + list(t_kwargs.values()))
              if isinstance(t, torch.Tensor) and t.requires_grad]
    for i, (e, t) in enumerate(leaves):
        _close(e.grad, t.grad, "grad of input %d" % i, atol * 10)
    e_params = dict(e_mod.named_parameters())
    for name, p in t_mod.named_parameters():
        if p.grad is None:
            g = e_params[name].grad
            assert g is None or not g.numpy().any(), name
            continue
        _close(e_params[name].grad, p.grad, "grad of " + name, atol * 10)
    return t_out, e_out


# --- scaled_dot_product_attention -----------------------------------------------------------------

def test_sdpa_masks_as_torch():
    q, k, v = _rand(2, 3, 4, 8), _rand(2, 3, 6, 8, seed=1), _rand(2, 3, 6, 5, seed=2)
    bool_mask = torch.rand(4, 6, generator=torch.Generator().manual_seed(3)) > 0.4
    bool_mask[:, 0] = True
    float_mask = _rand(2, 1, 4, 6, seed=4)
    for kwargs in ({}, {"attn_mask": bool_mask}, {"attn_mask": float_mask},
                   {"is_causal": True}, {"scale": 0.05}):
        tq, eq = _pair(q)
        tk, ek = _pair(k)
        tv, ev = _pair(v)
        t_kw = dict(kwargs)
        e_kw = {n: to_ember(x) if isinstance(x, torch.Tensor) else x for n, x in kwargs.items()}
        t = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, **t_kw)
        e = ember.nn.functional.scaled_dot_product_attention(eq, ek, ev, **e_kw)
        _close(e, t, str(kwargs))
        w = _rand(*t.shape, seed=5)
        (t * w).sum().backward()
        (e * to_ember(w)).sum().backward()
        for a, b, n in ((eq, tq, "q"), (ek, tk, "k"), (ev, tv, "v")):
            _close(a.grad, b.grad, "grad %s %s" % (n, kwargs), 1e-4)


def test_sdpa_dropout_keeps_expectation_and_p_one_zeroes():
    q = ember.zeros(1, 1, 4, 4)
    v = ember.ones(1, 1, 4, 4)
    out = ember.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=1.0)
    assert not out.numpy().any()
    ember.manual_seed(0)
    q = ember.zeros(1, 1, 200, 4)
    v = ember.ones(1, 1, 200, 4)
    out = ember.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=0.3).numpy()
    assert abs(out.mean() - 1.0) < 0.05 and out.std() > 0.01


# --- MultiheadAttention ---------------------------------------------------------------------------

MHA = [
    ("nn.MultiheadAttention(8, 2, dropout=0.0)", {}),
    ("nn.MultiheadAttention(8, 4, batch_first=True)", {}),
    ("nn.MultiheadAttention(8, 2, kdim=3, vdim=5)", {"cross": True}),
    ("nn.MultiheadAttention(8, 2, bias=False)", {"cross": True}),
    ("nn.MultiheadAttention(8, 2, add_bias_kv=True)", {"kpm": True, "mask": "bool"}),
    ("nn.MultiheadAttention(8, 2, add_zero_attn=True)", {"mask": "float3d"}),
    ("nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True)", {"kpm": True}),
    ("nn.MultiheadAttention(8, 2)", {"kpm": True, "need_weights": False}),
    ("nn.MultiheadAttention(8, 2, batch_first=True)", {"mask": "bool", "average": False}),
    ("nn.MultiheadAttention(8, 2)", {"mask": "causal", "need_weights": False,
                                     "is_causal": True}),
    ("nn.MultiheadAttention(8, 2, kdim=3, vdim=3)", {"cross": "kv", "kpm": "float"}),
    ("nn.MultiheadAttention(8, 2)", {"unbatched": True, "mask": "bool"}),
    ("nn.MultiheadAttention(8, 2, batch_first=True)", {"unbatched": True, "kpm": True,
                                                       "need_weights": False}),
]


def _mha_inputs(t_mod, opts, L=4, S=5, N=3):
    E = t_mod.embed_dim
    unbatched = opts.get("unbatched")

    def shape(length, feat):
        if unbatched:
            return (length, feat)
        return (N, length, feat) if t_mod.batch_first else (length, N, feat)

    cross = opts.get("cross")
    q = _rand(*shape(L, E))
    if cross:
        k = _rand(*shape(S, t_mod.kdim), seed=1)
        v = k if cross == "kv" else _rand(*shape(S, t_mod.vdim), seed=2)
    else:
        S = L
        k = v = q
    kwargs = {}
    if opts.get("kpm"):
        kpm = torch.zeros((S,) if unbatched else (N, S), dtype=torch.bool)
        kpm[..., -2:] = True
        if not unbatched:
            kpm[0, -1] = False
        if opts["kpm"] == "float":
            kpm = torch.zeros(kpm.shape).masked_fill(kpm, float("-inf"))
        kwargs["key_padding_mask"] = kpm
    mask = opts.get("mask")
    if mask == "bool":
        m = torch.rand(L, S, generator=torch.Generator().manual_seed(7)) > 0.6
        m[:, 0] = False
        kwargs["attn_mask"] = m
    elif mask == "float3d":
        kwargs["attn_mask"] = _rand(N * t_mod.num_heads, L, S, seed=8)
    elif mask == "causal":
        kwargs["attn_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(L)
    if "need_weights" in opts:
        kwargs["need_weights"] = opts["need_weights"]
    if "average" in opts:
        kwargs["average_attn_weights"] = opts["average"]
    if "is_causal" in opts:
        kwargs["is_causal"] = opts["is_causal"]
    return q, k, v, kwargs


@pytest.mark.parametrize("expr,opts", MHA, ids=["%s-%s" % (e, o) for e, o in MHA])
def test_multihead_attention_matches_torch(expr, opts):
    t_mod, e_mod = _build(expr)
    q, k, v, kwargs = _mha_inputs(t_mod, opts)
    tq, eq = _pair(q)
    if k is q:
        tk, ek, tv, ev = tq, eq, tq, eq
    else:
        tk, ek = _pair(k)
        tv, ev = (tk, ek) if v is k else _pair(v)
    e_kwargs = {n: to_ember(x) if isinstance(x, torch.Tensor) else x
                for n, x in kwargs.items()}
    t_out, e_out = _compare(t_mod, e_mod, (tq, tk, tv), (eq, ek, ev), kwargs, e_kwargs)
    assert (e_out[1] is None) == (t_out[1] is None)


def test_multihead_attention_parameters_and_init():
    for expr in ("nn.MultiheadAttention(8, 2)", "nn.MultiheadAttention(8, 2, kdim=3, vdim=5, "
                 "add_bias_kv=True, bias=False)"):
        t_mod = eval(expr, {"nn": torch.nn})
        e_mod = eval(expr, {"nn": ember.nn})
        assert list(e_mod.state_dict()) == list(t_mod.state_dict())
        assert [n for n, _ in e_mod.named_parameters()] == \
            [n for n, _ in t_mod.named_parameters()]
        assert repr(e_mod) == ember_repr(t_mod)
        for attr in ("embed_dim", "kdim", "vdim", "_qkv_same_embed_dim", "num_heads",
                     "head_dim", "batch_first", "dropout", "add_zero_attn"):
            assert getattr(e_mod, attr) == getattr(t_mod, attr), attr
    mha = ember.nn.MultiheadAttention(16, 4)
    assert not mha.in_proj_bias.detach().numpy().any()
    assert not mha.out_proj.bias.detach().numpy().any()
    bound = math.sqrt(6.0 / (16 + 48))  # xavier_uniform_ on the (48, 16) in_proj_weight
    w = mha.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert mha.bias_k is None and mha.q_proj_weight is None


def test_multihead_attention_dropout_in_training_only():
    t_mod, e_mod = _build("nn.MultiheadAttention(8, 2, dropout=0.5)")
    x = to_ember(_rand(6, 2, 8))
    a, wa = e_mod(x, x, x)
    b, _ = e_mod(x, x, x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    e_mod.eval()
    t_mod.eval()
    tx = _rand(6, 2, 8)
    with torch.no_grad():
        t_out, t_w = t_mod(tx, tx, tx)
    e_out, e_w = e_mod(x, x, x)
    _close(e_out, t_out, "eval output")
    _close(e_w, t_w, "eval weights")


# --- layers and stacks ----------------------------------------------------------------------------

ENC = [
    "nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)",
    "nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation='gelu', norm_first=True)",
    "nn.TransformerEncoderLayer(8, 4, 12, 0.0, nn.GELU(), 1e-3, batch_first=True)",
    "nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=F.silu, bias=False)",
]


@pytest.mark.parametrize("expr", ENC)
@pytest.mark.parametrize("masks", [False, True])
def test_encoder_layer_matches_torch(expr, masks):
    t_mod, e_mod = _build(expr)
    assert repr(e_mod) == ember_repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    bf = t_mod.self_attn.batch_first
    x = _rand(*((3, 5, 8) if bf else (5, 3, 8)))
    tx, ex = _pair(x)
    t_kw, e_kw = {}, {}
    if masks:
        kpm = torch.zeros(3, 5, dtype=torch.bool)
        kpm[1, 3:] = True
        mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
        t_kw = {"src_mask": mask, "src_key_padding_mask": kpm}
        e_kw = {n: to_ember(v) for n, v in t_kw.items()}
    _compare(t_mod, e_mod, (tx,), (ex,), t_kw, e_kw)


DEC = [
    "nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)",
    "nn.TransformerDecoderLayer(8, 2, 16, 0.0, 'gelu', norm_first=True, batch_first=True)",
    "nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, bias=False, layer_norm_eps=1e-3)",
]


@pytest.mark.parametrize("expr", DEC)
@pytest.mark.parametrize("masks", [False, True])
def test_decoder_layer_matches_torch(expr, masks):
    t_mod, e_mod = _build(expr)
    assert repr(e_mod) == ember_repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    bf = t_mod.self_attn.batch_first
    tgt = _rand(*((3, 4, 8) if bf else (4, 3, 8)))
    mem = _rand(*((3, 6, 8) if bf else (6, 3, 8)), seed=1)
    tt, et = _pair(tgt)
    tm, em = _pair(mem)
    t_kw = {}
    if masks:
        mkpm = torch.zeros(3, 6, dtype=torch.bool)
        mkpm[2, 4:] = True
        t_kw = {"tgt_mask": torch.nn.Transformer.generate_square_subsequent_mask(4),
                "memory_key_padding_mask": mkpm, "tgt_is_causal": True,
                "memory_mask": torch.zeros(4, 6)}
    e_kw = {n: to_ember(v) if isinstance(v, torch.Tensor) else v for n, v in t_kw.items()}
    _compare(t_mod, e_mod, (tt, tm), (et, em), t_kw, e_kw)


def test_encoder_and_decoder_stacks_match_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's nested-tensor notice
        t_mod, e_mod = _build("nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.0), "
                              "2, nn.LayerNorm(8))")
    assert repr(e_mod) == ember_repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    # the clones are independent copies
    assert e_mod.layers[0].linear1.weight is not e_mod.layers[1].linear1.weight
    tx, ex = _pair(_rand(5, 2, 8))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    _compare(t_mod, e_mod, (tx, mask), (ex, to_ember(mask)))

    t_mod, e_mod = _build("nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, 0.0), 2)")
    assert repr(e_mod) == ember_repr(t_mod)
    tt, et = _pair(_rand(4, 2, 8))
    tm, em = _pair(_rand(6, 2, 8, seed=1))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    _compare(t_mod, e_mod, (tt, tm), (et, em), {"tgt_mask": mask}, {"tgt_mask": to_ember(mask)})


@pytest.mark.parametrize("expr", [
    "nn.Transformer(8, 2, 2, 1, 16, 0.0)",
    "nn.Transformer(8, 2, 1, 2, 16, 0.0, 'gelu', batch_first=True, norm_first=True)",
])
def test_transformer_matches_torch(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_mod, e_mod = _build(expr)
    assert repr(e_mod) == ember_repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    bf = t_mod.batch_first
    src = _rand(*((2, 6, 8) if bf else (6, 2, 8)))
    tgt = _rand(*((2, 4, 8) if bf else (4, 2, 8)), seed=1)
    ts, es = _pair(src)
    tt, et = _pair(tgt)
    skpm = torch.zeros(2, 6, dtype=torch.bool)
    skpm[0, 5] = True
    t_kw = {"tgt_mask": t_mod.generate_square_subsequent_mask(4), "src_key_padding_mask": skpm,
            "memory_key_padding_mask": skpm}
    e_kw = {n: to_ember(v) for n, v in t_kw.items()}
    _compare(t_mod, e_mod, (ts, tt), (es, et), t_kw, e_kw)


def test_transformer_unbatched():
    t_mod, e_mod = _build("nn.Transformer(8, 2, 1, 1, 16, 0.0)")
    ts, es = _pair(_rand(6, 8))
    tt, et = _pair(_rand(4, 8, seed=1))
    _compare(t_mod, e_mod, (ts, tt), (es, et))


def test_transformer_init_and_mask():
    torch.manual_seed(0)
    e_mod = ember.nn.Transformer(8, 2, 1, 1, 16)
    for name, p in e_mod.named_parameters():
        a = p.detach().numpy()
        if a.ndim > 1:  # xavier_uniform_ on every matrix
            bound = math.sqrt(6.0 / sum(a.shape[:2]))
            assert np.abs(a).max() <= bound, name
    for sz in (1, 4):
        e = ember.nn.Transformer.generate_square_subsequent_mask(sz)
        t = torch.nn.Transformer.generate_square_subsequent_mask(sz)
        assert e.dtype == ember.float32
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    e64 = ember.nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    assert e64.dtype == ember.float64


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared with torch's below
        return e
    return None


ERRORS = [
    lambda nn: nn.MultiheadAttention(10, 3),
    lambda nn: nn.MultiheadAttention(0, 1),
    lambda nn: nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    lambda nn: nn.Transformer(8, 2, 1, 1, 16)(_t(nn, 5, 2, 8), _t(nn, 4, 3, 8)),
    lambda nn: nn.Transformer(8, 2, 1, 1, 16)(_t(nn, 5, 2, 8), _t(nn, 4, 2, 6)),
    lambda nn: nn.MultiheadAttention(8, 2)(_t(nn, 4, 2, 8), _t(nn, 4, 2, 8), _t(nn, 4, 2, 8),
                                           is_causal=True),
    lambda nn: nn.MultiheadAttention(8, 2)(_t(nn, 4, 2, 8), _t(nn, 4, 8), _t(nn, 4, 8)),
    lambda nn: nn.MultiheadAttention(8, 2)(_t(nn, 4, 2, 8), _t(nn, 4, 2, 8), _t(nn, 4, 2, 8),
                                           attn_mask=_t(nn, 3, 4)),
    lambda nn: nn.MultiheadAttention(8, 2)(_t(nn, 2, 4, 2, 8), _t(nn, 4, 2, 8),
                                           _t(nn, 4, 2, 8)),
]


def _t(nn, *shape):
    lib = torch if nn is torch.nn else ember
    return lib.zeros(*shape)


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    t_err = _raised(lambda: ERRORS[i](torch.nn))
    e_err = _raised(lambda: ERRORS[i](ember.nn))
    assert t_err is not None
    assert type(e_err) is type(t_err), (e_err, t_err)


def test_encoder_learns_to_copy_a_token():
    """A tiny encoder + head trained for a few steps: the loss falls (gradients are usable)."""
    ember.manual_seed(0)
    layer = ember.nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    enc = ember.nn.TransformerEncoder(layer, 1)
    emb, head = ember.nn.Embedding(6, 16), ember.nn.Linear(16, 6)
    pos = ember.nn.Parameter(ember.randn(5, 16))
    params = list(enc.parameters()) + list(emb.parameters()) + list(head.parameters()) + [pos]
    opt = ember.optim.Adam(params, lr=1e-2)
    g = ember.Generator().manual_seed(0)
    losses = []
    for _ in range(40):
        x = ember.randint(0, 6, (16, 5), generator=g)
        logits = head(enc(emb(x) + pos))[:, 0]
        loss = ember.nn.functional.cross_entropy(logits, x[:, 2])  # the token at position 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5]), losses


def test_sdpa_kernel_and_flash_registry_match_torch():
    q = np.random.default_rng(0).standard_normal((1, 2, 3, 4)).astype(np.float32)
    for lib in (torch, ember):
        att = lib.nn.attention
        assert {k: int(v) for k, v in att.SDPBackend.__members__.items()} == \
            {k: int(v) for k, v in torch.nn.attention.SDPBackend.__members__.items()}
        sdpa = lib.nn.functional.scaled_dot_product_attention
        t = lib.tensor(q)
        with att.sdpa_kernel([att.SDPBackend.MATH, att.SDPBackend.MATH]):
            expected = sdpa(t, t, t)
        with att.sdpa_kernel(att.SDPBackend.FLASH_ATTENTION, set_priority=True):
            np.testing.assert_allclose(sdpa(t, t, t).numpy(), expected.numpy(), rtol=1e-5)
        with att.sdpa_kernel(att.SDPBackend.EFFICIENT_ATTENTION):
            with pytest.raises(RuntimeError, match="No viable backend"):
                sdpa(t, t, t)
        sdpa(t, t, t)
        with pytest.raises(AssertionError, match="got str"):
            with att.sdpa_kernel("math"):
                pass
        with pytest.raises(ValueError, match="Unknown flash attention impl 'XX'"):
            att.activate_flash_attention_impl("XX")
        assert att.current_flash_attention_impl() is None
    removed = []
    handle = type("Handle", (), {"remove": lambda self: removed.append(1)})()
    ember.nn.attention.register_flash_attention_impl("mine", register_fn=lambda: handle)
    ember.nn.attention.activate_flash_attention_impl("mine")
    assert ember.nn.attention.current_flash_attention_impl() == "mine"
    ember.nn.attention.restore_flash_attention_impl()
    assert removed == [1] and ember.nn.attention.current_flash_attention_impl() is None
    ember.nn.attention._registry.pop("mine")
