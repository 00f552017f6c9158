"""CTC loss, Unfold/Fold, affine_grid/grid_sample, interpolate's bicubic/area modes,
parametrizations and weight/spectral normalisation against torch. The functional forms also have
registry records (tests/ops); these tests cover what the records cannot: torch's raw CTC
gradient, module reprs, state_dict keys and the parametrization machinery."""
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn._helpers import assert_close, compare_module, copy_weights, ember_repr, to_ember


def _x(*shape, seed=0, dtype=torch.float64):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


# --- CTC ------------------------------------------------------------------------------------

def _ctc_case(dtype=torch.float64):
    t, n, c = 7, 4, 5
    logits = _x(t, n, c, dtype=dtype)
    targets = torch.tensor([[1, 2, 2, 0], [3, 1, 4, 2], [2, 2, 2, 2], [0, 0, 0, 0]])
    return logits, targets, torch.tensor([7, 6, 7, 3]), torch.tensor([3, 4, 2, 0])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("normalised", [True, False])
def test_ctc_loss_values_and_raw_gradient(reduction, normalised):
    """A raw leaf as log_probs exposes torch's gradient formula (the exp(log_probs) term that
    a log_softmax in front would cancel)."""
    logits, targets, il, tl = _ctc_case()
    lp = logits.log_softmax(2) if normalised else logits
    t_in = lp.detach().requires_grad_()
    e_in = to_ember(t_in)
    t_out = torch.nn.functional.ctc_loss(t_in, targets, il, tl, reduction=reduction)
    e_out = ember.nn.functional.ctc_loss(e_in, to_ember(targets), to_ember(il), to_ember(tl),
                                         reduction=reduction)
    assert_close(e_out, t_out, 1e-10, 1e-10)
    w = _x(*t_out.shape, seed=3)
    (t_out * w).sum().backward()
    (e_out * to_ember(w)).sum().backward()
    assert_close(e_in.grad, t_in.grad, 1e-10, 1e-9)


def test_ctc_loss_float32_concatenated_targets_and_tuples():
    logits, targets, il, tl = _ctc_case(torch.float32)
    flat = torch.cat([targets[i, :tl[i]] for i in range(4)])
    t_in = logits.log_softmax(2).detach().requires_grad_()
    e_in = to_ember(t_in)
    t_out = torch.nn.functional.ctc_loss(t_in, flat, tuple(il.tolist()), tuple(tl.tolist()),
                                         blank=0)
    e_out = ember.nn.functional.ctc_loss(e_in, to_ember(flat), tuple(il.tolist()),
                                         tuple(tl.tolist()), blank=0)
    assert e_out.dtype == ember.float32
    assert_close(e_out, t_out, 1e-5, 1e-5)
    t_out.backward()
    e_out.backward()
    assert_close(e_in.grad, t_in.grad, 1e-5, 1e-5)


def test_ctc_loss_impossible_alignment():
    """Without zero_infinity the loss is inf and the gradient nan where torch's is; with it,
    both are zero."""
    logits, targets, _, tl = _ctc_case()
    il = torch.tensor([2, 6, 7, 3])  # sample 0 needs at least 4 frames
    for zero_infinity in (False, True):
        t_in = logits.log_softmax(2).detach().requires_grad_()
        e_in = to_ember(t_in)
        t_out = torch.nn.functional.ctc_loss(t_in, targets, il, tl, reduction="none",
                                             zero_infinity=zero_infinity)
        e_out = ember.nn.functional.ctc_loss(e_in, to_ember(targets), to_ember(il),
                                             to_ember(tl), reduction="none",
                                             zero_infinity=zero_infinity)
        assert_close(e_out, t_out, 1e-10, 1e-10)
        t_out.sum().backward()
        e_out.sum().backward()
        np.testing.assert_allclose(e_in.grad.numpy(), t_in.grad.numpy(), atol=1e-10,
                                   equal_nan=True)


def test_ctc_loss_module_and_repr():
    for args in ({}, {"blank": 2, "reduction": "sum", "zero_infinity": True}):
        t_mod = torch.nn.CTCLoss(**args)
        e_mod = ember.nn.CTCLoss(**args)
        assert repr(e_mod) == repr(t_mod)
        logits, targets, il, tl = _ctc_case()
        targets = torch.where(targets == args.get("blank", 0), 1, targets)
        t_in = logits.log_softmax(2).detach().requires_grad_()
        e_in = to_ember(t_in)
        t_out = t_mod(t_in, targets, il, tl)
        e_out = e_mod(e_in, to_ember(targets), to_ember(il), to_ember(tl))
        assert_close(e_out, t_out, 1e-10, 1e-10)
        t_out.backward()
        e_out.backward()
        assert_close(e_in.grad, t_in.grad, 1e-10, 1e-9)


def test_ctc_loss_unbatched():
    lp = _x(6, 4).log_softmax(1)
    tgt = torch.tensor([1, 3, 3])
    t = torch.nn.functional.ctc_loss(lp, tgt, torch.tensor(6), torch.tensor(3))
    e = ember.nn.functional.ctc_loss(to_ember(lp), to_ember(tgt), ember.tensor(6),
                                     ember.tensor(3))
    assert e.shape == t.shape == ()
    assert_close(e, t, 1e-10, 1e-10)


# --- Unfold / Fold -----------------------------------------------------------------------------

@pytest.mark.parametrize("ctor,shape", [
    ("nn.Unfold(2)", (2, 3, 4, 5)),
    ("nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=2)", (1, 2, 6, 7)),
    ("nn.Unfold(3, padding=1)", (2, 5, 4)),
    ("nn.Fold((4, 5), 2)", (2, 12, 12)),
    ("nn.Fold(5, (2, 3), dilation=2, padding=(1, 2), stride=(2, 1))", (1, 12, 15)),
])
def test_unfold_fold_modules(ctor, shape):
    t_mod = eval(ctor, {"nn": torch.nn})
    e_mod = eval(ctor, {"nn": ember.nn})
    assert repr(e_mod) == ember_repr(t_mod)
    compare_module(t_mod, e_mod, _x(*shape, dtype=torch.float32))


def test_fold_of_unfold_counts_overlaps():
    x = ember.ones(1, 1, 4, 4)
    counts = ember.nn.functional.fold(ember.nn.functional.unfold(x, 3, padding=1), 4, 3,
                                      padding=1)
    tx = torch.ones(1, 1, 4, 4)
    expected = torch.nn.functional.fold(torch.nn.functional.unfold(tx, 3, padding=1), 4, 3,
                                        padding=1)
    assert counts.tolist() == expected.tolist()


def test_unfold_double_backward():
    t_x = _x(1, 2, 4, 4).requires_grad_()
    e_x = to_ember(t_x)
    outs = []
    for lib, x in ((torch, t_x), (ember, e_x)):
        y = lib.nn.functional.unfold(x, 2, stride=1)
        g, = lib.autograd.grad((y ** 2).sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g ** 2).sum(), x)
        outs.append((g, gg))
    assert_close(outs[1][0], outs[0][0])
    assert_close(outs[1][1], outs[0][1])


# --- affine_grid / grid_sample -----------------------------------------------------------------

@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_spatial_transformer_float32(mode, padding_mode, align_corners):
    """affine_grid then grid_sample (a rotation + zoom out past the borders), float32:
    output and gradients for the input and theta."""
    angle = 0.4
    theta = torch.tensor([[[1.3 * np.cos(angle), -np.sin(angle), 0.1],
                           [np.sin(angle), 1.2 * np.cos(angle), -0.2]],
                          [[0.9, 0.2, 0.3], [-0.1, 1.4, 0.0]]], dtype=torch.float32)
    x = _x(2, 3, 6, 5, dtype=torch.float32)
    t_th, t_x = theta.clone().requires_grad_(), x.clone().requires_grad_()
    e_th, e_x = to_ember(t_th), to_ember(t_x)
    res = []
    for lib, th, xx in ((torch, t_th, t_x), (ember, e_th, e_x)):
        F = lib.nn.functional
        grid = F.affine_grid(th, (2, 3, 7, 4), align_corners=align_corners)
        res.append(F.grid_sample(xx, grid, mode=mode, padding_mode=padding_mode,
                                 align_corners=align_corners))
    assert_close(res[1], res[0], 1e-5, 1e-5)
    w = _x(*res[0].shape, seed=5, dtype=torch.float32)
    (res[0] * w).sum().backward()
    (res[1] * to_ember(w)).sum().backward()
    assert_close(e_x.grad, t_x.grad, 1e-4, 1e-4)
    assert_close(e_th.grad, t_th.grad, 1e-4, 1e-4)


def test_align_corners_default_warns():
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        ember.nn.functional.affine_grid(ember.zeros(1, 2, 3), (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        ember.nn.functional.grid_sample(ember.zeros(1, 1, 2, 2), ember.zeros(1, 1, 1, 2))


# --- interpolate: bicubic and area ------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"size": (7, 9), "mode": "bicubic"},
    {"size": (3, 4), "mode": "bicubic", "align_corners": True},
    {"scale_factor": 2.5, "mode": "bicubic"},
    {"scale_factor": (0.5, 1.5), "mode": "bicubic", "recompute_scale_factor": True},
    {"size": (4, 3), "mode": "area"},
    {"scale_factor": 0.4, "mode": "area"},
])
def test_interpolate_bicubic_area(kwargs):
    t_x = _x(2, 3, 5, 6, dtype=torch.float32).requires_grad_()
    e_x = to_ember(t_x)
    t = torch.nn.functional.interpolate(t_x, **kwargs)
    e = ember.nn.functional.interpolate(e_x, **kwargs)
    assert_close(e, t, 1e-5, 1e-5)
    w = _x(*t.shape, seed=2, dtype=torch.float32)
    (t * w).sum().backward()
    (e * to_ember(w)).sum().backward()
    assert_close(e_x.grad, t_x.grad, 1e-5, 1e-5)


def test_upsample_bicubic_module():
    t_mod = torch.nn.Upsample(scale_factor=2, mode="bicubic", align_corners=True)
    e_mod = ember.nn.Upsample(scale_factor=2, mode="bicubic", align_corners=True)
    assert repr(e_mod) == repr(t_mod)
    compare_module(t_mod, e_mod, _x(1, 2, 3, 4, dtype=torch.float32))


# --- parametrizations ---------------------------------------------------------------------------

def _grads_match(t_mod, e_mod, x):
    t_out = t_mod(x)
    e_out = e_mod(to_ember(x))
    assert_close(e_out, t_out, 1e-5, 1e-5, "output")
    t_out.pow(2).sum().backward()
    e_out.pow(2).sum().backward()
    e_params = dict(e_mod.named_parameters())
    assert list(e_params) == [n for n, _ in t_mod.named_parameters()]
    for name, p in t_mod.named_parameters():
        assert_close(e_params[name].grad, p.grad, 1e-4, 1e-4, name)


@pytest.mark.parametrize("ctor,dim,shape", [
    ("nn.Linear(3, 4)", 0, (5, 3)),
    ("nn.Linear(3, 4)", 1, (5, 3)),
    ("nn.Linear(3, 4)", None, (5, 3)),
    ("nn.Conv2d(2, 3, 3)", 0, (1, 2, 5, 5)),
])
def test_parametrized_weight_norm(ctor, dim, shape):
    t_mod = torch.nn.utils.parametrizations.weight_norm(eval(ctor, {"nn": torch.nn}), dim=dim)
    e_mod = ember.nn.utils.parametrizations.weight_norm(eval(ctor, {"nn": ember.nn}), dim=dim)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert repr(e_mod) == ember_repr(t_mod)
    assert type(e_mod).__name__ == type(t_mod).__name__
    copy_weights(t_mod, e_mod)
    g = e_mod.parametrizations.weight.original0
    assert tuple(g.shape) == tuple(t_mod.parametrizations.weight.original0.shape)
    _grads_match(t_mod, e_mod, _x(*shape, dtype=torch.float32))


def test_weight_norm_right_inverse_and_remove():
    """Assigning the weight sets g and v through right_inverse; removal keeps the value."""
    e_mod = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 4))
    t_mod = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 4))
    new = _x(4, 3, dtype=torch.float32)
    e_mod.weight = to_ember(new)
    with torch.no_grad():
        t_mod.weight = new
    assert_close(e_mod.parametrizations.weight.original0,
                 t_mod.parametrizations.weight.original0)
    assert_close(e_mod.weight, new)
    ember.nn.utils.parametrize.remove_parametrizations(e_mod, "weight")
    assert type(e_mod) is ember.nn.Linear
    assert not ember.nn.utils.parametrize.is_parametrized(e_mod)
    assert isinstance(e_mod.weight, ember.nn.Parameter)
    torch.nn.utils.parametrize.remove_parametrizations(t_mod, "weight")
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert_close(e_mod.weight, new)


def test_weight_norm_loads_legacy_keys():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = torch.nn.utils.weight_norm(torch.nn.Linear(3, 4))
    e_mod = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 4))
    copy_weights(legacy, e_mod)
    x = _x(2, 3, dtype=torch.float32)
    assert_close(e_mod(to_ember(x)), legacy(x))


def _copy_buffers(t_mod, e_mod):
    """Power iteration starts from random u/v: take torch's."""
    copy_weights(t_mod, e_mod)


@pytest.mark.parametrize("ctor,kwargs,shape", [
    ("nn.Linear(4, 3)", {}, (5, 4)),
    ("nn.Conv2d(2, 3, 2)", {"n_power_iterations": 3}, (1, 2, 4, 4)),
    ("nn.ConvTranspose2d(2, 3, 2)", {}, (1, 2, 3, 3)),
])
def test_parametrized_spectral_norm(ctor, kwargs, shape):
    t_mod = torch.nn.utils.parametrizations.spectral_norm(eval(ctor, {"nn": torch.nn}),
                                                          **kwargs)
    e_mod = ember.nn.utils.parametrizations.spectral_norm(eval(ctor, {"nn": ember.nn}),
                                                          **kwargs)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert repr(e_mod) == ember_repr(t_mod)
    _copy_buffers(t_mod, e_mod)
    x = _x(*shape, dtype=torch.float32)
    _grads_match(t_mod, e_mod, x)  # training: one more power iteration, then W / sigma
    assert_close(e_mod.parametrizations.weight[0]._u, t_mod.parametrizations.weight[0]._u,
                 1e-5, 1e-5, "u after training forward")
    t_mod.eval()
    e_mod.eval()
    assert_close(e_mod(to_ember(x)), t_mod(x), 1e-5, 1e-5, "eval")


@pytest.mark.parametrize("ctor,shape", [("nn.Linear(4, 3)", (5, 4)),
                                        ("nn.ConvTranspose2d(2, 3, 2)", (1, 2, 3, 3))])
def test_legacy_spectral_norm(ctor, shape):
    t_mod = torch.nn.utils.spectral_norm(eval(ctor, {"nn": torch.nn}))
    e_mod = ember.nn.utils.spectral_norm(eval(ctor, {"nn": ember.nn}))
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    _copy_buffers(t_mod, e_mod)
    _grads_match(t_mod, e_mod, _x(*shape, dtype=torch.float32))
    assert_close(e_mod.weight_u, t_mod.weight_u, 1e-5, 1e-5)
    torch.nn.utils.remove_spectral_norm(t_mod)
    ember.nn.utils.remove_spectral_norm(e_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert_close(e_mod.weight, t_mod.weight, 1e-5, 1e-5)


def test_legacy_weight_norm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_mod = torch.nn.utils.weight_norm(torch.nn.Conv2d(2, 3, 3), dim=1)
    with pytest.warns(FutureWarning, match="deprecated"):
        e_mod = ember.nn.utils.weight_norm(ember.nn.Conv2d(2, 3, 3), dim=1)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    copy_weights(t_mod, e_mod)
    _grads_match(t_mod, e_mod, _x(1, 2, 5, 5, dtype=torch.float32))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        ember.nn.utils.weight_norm(e_mod, dim=1)
    torch.nn.utils.remove_weight_norm(t_mod)
    ember.nn.utils.remove_weight_norm(e_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict()) == ["bias", "weight"]
    assert_close(e_mod.weight, t_mod.weight, 1e-5, 1e-5)


class _Symmetric:
    """A parametrization written the same way for both libraries."""

    @staticmethod
    def make(nn):
        class Symmetric(nn.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(0, 1)

            def right_inverse(self, a):
                return a.triu()

        return Symmetric()


def test_register_parametrization_chain_cache_and_remove():
    P = ember.nn.utils.parametrize
    m = ember.nn.Linear(3, 3)
    P.register_parametrization(m, "weight", _Symmetric.make(ember.nn))
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert not P.is_parametrized(m, "bias")
    assert P.type_before_parametrizations(m) is ember.nn.Linear
    w = m.weight.detach()
    assert (w == w.T).all()
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]

    class Double(ember.nn.Module):
        def forward(self, x):
            return 2 * x

    P.register_parametrization(m, "weight", Double())
    assert_close(m.weight, 2 * w)
    with P.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        m.weight = ember.zeros(3, 3)
    P.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert type(m) is ember.nn.Linear
    assert_close(m.weight, w.triu())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(m, "weight")
    other = ember.nn.Linear(3, 3)
    assert type(other) is ember.nn.Linear and not hasattr(other, "parametrizations")


def test_register_parametrization_matches_torch():
    t_mod = torch.nn.Linear(3, 3)
    e_mod = ember.nn.Linear(3, 3)
    copy_weights(t_mod, e_mod)
    torch.nn.utils.parametrize.register_parametrization(t_mod, "weight",
                                                        _Symmetric.make(torch.nn))
    ember.nn.utils.parametrize.register_parametrization(e_mod, "weight",
                                                        _Symmetric.make(ember.nn))
    assert repr(e_mod).replace("test_extra.", "") == ember_repr(t_mod).replace("test_extra.", "")
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    _grads_match(t_mod, e_mod, _x(4, 3, dtype=torch.float32))


def test_gumbel_softmax():
    ember.manual_seed(0)
    logits = ember.tensor([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]], requires_grad=True)
    soft = ember.nn.functional.gumbel_softmax(logits, tau=0.5)
    assert np.allclose(soft.sum(1).tolist(), 1.0)
    hard = ember.nn.functional.gumbel_softmax(logits, hard=True)
    assert sorted(hard.detach().numpy().ravel().tolist()) == [0.0] * 4 + [1.0] * 2
    (hard * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert logits.grad is not None and logits.grad.abs().sum().item() > 0


def test_transfer_parametrizations_and_params_matches_torch():
    mods, sources = {}, (torch.nn.Linear(3, 3), ember.nn.Linear(3, 3))
    copy_weights(*sources)
    for lib, src in zip((torch, ember), sources):
        dst, other = lib.nn.Linear(3, 3), lib.nn.Module()
        lib.nn.utils.parametrize.register_parametrization(src, "weight",
                                                          _Symmetric.make(lib.nn))
        assert lib.nn.utils.parametrize.transfer_parametrizations_and_params(src, dst) is dst
        lib.nn.utils.parametrize.transfer_parametrizations_and_params(src, other, "weight")
        assert dst.parametrizations.weight.original is src.parametrizations.weight.original
        mods[lib] = (src, dst, other)
    for t, e in zip(mods[torch][1:], mods[ember][1:]):
        assert list(e.state_dict()) == list(t.state_dict())
        assert_close(e.weight, t.weight)
