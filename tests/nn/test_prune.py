"""ember.nn.utils.prune against torch: masks, pruned values, state_dict keys, hooks, gradients,
repeated pruning (containers), global pruning, remove, errors."""
import re

import numpy as np
import pytest
import torch
import torch.nn.utils.prune  # noqa: F401 (not imported by torch.nn)

import ember
from ember.nn.utils import prune
from tests.nn._helpers import assert_close, copy_weights, to_ember


def _pair(kind="linear", seed=0):
    torch.manual_seed(seed)
    if kind == "linear":
        t, e = torch.nn.Linear(6, 5), ember.nn.Linear(6, 5)
    else:
        t, e = torch.nn.Conv2d(3, 4, 3), ember.nn.Conv2d(3, 4, 3)
    copy_weights(t, e)
    return t, e


def _same_state(t, e):
    ts, es = t.state_dict(), e.state_dict()
    assert list(es) == list(ts)
    for k in ts:
        assert_close(es[k], ts[k], what=k)


@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("method, args", [
    ("l1_unstructured", dict(amount=0.3)), ("l1_unstructured", dict(amount=7)),
    ("ln_structured", dict(amount=2, n=2, dim=0)), ("ln_structured", dict(amount=0.5, n=1, dim=1)),
    ("ln_structured", dict(amount=1, n=float("inf"), dim=-1)), ("identity", {})])
def test_deterministic_methods_match_torch(kind, method, args):
    t, e = _pair(kind)
    assert getattr(torch.nn.utils.prune, method)(t, "weight", **args) is t
    assert getattr(prune, method)(e, "weight", **args) is e
    _same_state(t, e)
    assert_close(e.weight, t.weight)
    assert prune.is_pruned(e) and not isinstance(e.weight, ember.nn.Parameter)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    x = torch.randn(2, 6) if kind == "linear" else torch.randn(2, 3, 5, 5)
    yt, ye = t(x), e(to_ember(x))
    assert_close(ye, yt)
    yt.sum().backward()
    ye.sum().backward()
    assert_close(e.weight_orig.grad, t.weight_orig.grad)


def test_hook_recomputes_weight_and_optimizer_trains_orig():
    t, e = _pair()
    torch.nn.utils.prune.l1_unstructured(t, "weight", 0.5)
    prune.l1_unstructured(e, "weight", 0.5)
    ot, oe = torch.optim.SGD(t.parameters(), lr=0.5), ember.optim.SGD(e.parameters(), lr=0.5)
    x = torch.randn(4, 6)
    for _ in range(3):
        for model, opt, inp in ((t, ot, x), (e, oe, to_ember(x))):
            opt.zero_grad()
            model(inp).pow(2).sum().backward()
            opt.step()
    _same_state(t, e)
    assert_close(e(to_ember(x)), t(x))
    assert_close(e.weight, t.weight)


def test_repeated_pruning_builds_a_container_like_torch():
    t, e = _pair("conv", seed=3)
    for lib, mod in ((torch.nn.utils.prune, t), (prune, e)):
        lib.l1_unstructured(mod, "weight", amount=0.2)
        lib.ln_structured(mod, "weight", amount=1, n=2, dim=0)
        lib.l1_unstructured(mod, "weight", amount=0.25)
        lib.l1_unstructured(mod, "bias", amount=1)
    _same_state(t, e)
    hooks = [h for h in e._forward_pre_hooks.values()]
    assert [type(h).__name__ for h in hooks] == \
        [type(h).__name__ for h in t._forward_pre_hooks.values()]
    container = next(h for h in hooks if isinstance(h, prune.PruningContainer))
    assert len(container) == 3 and isinstance(container[1], prune.LnStructured)
    assert [type(m).__name__ for m in container] == ["L1Unstructured", "LnStructured",
                                                     "L1Unstructured"]


def test_importance_scores_custom_mask_and_global():
    t, e = _pair()
    scores = torch.rand(5, 6)
    torch.nn.utils.prune.l1_unstructured(t, "weight", 0.4, importance_scores=scores)
    prune.l1_unstructured(e, "weight", 0.4, importance_scores=to_ember(scores))
    mask = torch.rand(5) > 0.5
    torch.nn.utils.prune.custom_from_mask(t, "bias", mask)
    prune.custom_from_mask(e, "bias", to_ember(mask))
    _same_state(t, e)

    (t1, e1), (t2, e2) = _pair("linear", 1), _pair("conv", 2)
    torch.nn.utils.prune.l1_unstructured(t1, "weight", 3)
    prune.l1_unstructured(e1, "weight", 3)
    torch.nn.utils.prune.global_unstructured(
        [(t1, "weight"), (t2, "weight"), (t2, "bias")],
        pruning_method=torch.nn.utils.prune.L1Unstructured, amount=0.3)
    prune.global_unstructured([(e1, "weight"), (e2, "weight"), (e2, "bias")],
                              pruning_method=prune.L1Unstructured, amount=0.3)
    _same_state(t1, e1)
    _same_state(t2, e2)


@pytest.mark.parametrize("method, args, dim", [
    ("random_unstructured", dict(amount=0.4), None), ("random_unstructured", dict(amount=5), None),
    ("random_structured", dict(amount=2, dim=0), 0), ("random_structured", dict(amount=0.5, dim=1),
                                                      1)])
def test_random_methods_prune_as_many_as_torch(method, args, dim):
    t, e = _pair("conv")
    getattr(torch.nn.utils.prune, method)(t, "weight", **args)
    getattr(prune, method)(e, "weight", **args)
    mt, me = t.weight_mask.numpy(), e.weight_mask.numpy()
    assert (me == 0).sum() == (mt == 0).sum() and set(np.unique(me)) <= {0.0, 1.0}
    if dim is not None:
        per_channel = np.moveaxis(me, dim, 0).reshape(me.shape[dim], -1)
        assert all(len(set(row)) == 1 for row in per_channel)
    np.testing.assert_array_equal(e.weight.detach().numpy(),
                                  e.weight_orig.detach().numpy() * me)


def test_remove_makes_pruning_permanent():
    t, e = _pair()
    for lib, mod in ((torch.nn.utils.prune, t), (prune, e)):
        lib.ln_structured(mod, "weight", amount=2, n=1, dim=0)
        assert lib.remove(mod, "weight") is mod
        assert not lib.is_pruned(mod)
    _same_state(t, e)
    assert isinstance(e.weight, ember.nn.Parameter)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]


def test_prune_method_on_a_bare_tensor():
    w = torch.randn(4, 5)
    pt = torch.nn.utils.prune.LnStructured(2, n=2, dim=1).prune(w)
    pe = prune.LnStructured(2, n=2, dim=1).prune(to_ember(w))
    assert_close(pe, pt)
    pt = torch.nn.utils.prune.L1Unstructured(0.5).prune(w, importance_scores=-w)
    pe = prune.L1Unstructured(0.5).prune(to_ember(w), importance_scores=to_ember(-w))
    assert_close(pe, pt)


def _errors(lib, mod_cls):
    lin = mod_cls.Linear(3, 2)
    yield lambda: lib.l1_unstructured(lin, "weight", amount="a")
    yield lambda: lib.l1_unstructured(lin, "weight", amount=1.5)
    yield lambda: lib.l1_unstructured(lin, "weight", amount=-1)
    yield lambda: lib.l1_unstructured(lin, "weight", amount=7)
    yield lambda: lib.ln_structured(lin, "bias", amount=1, n=2, dim=0)
    yield lambda: lib.ln_structured(lin, "weight", amount=1, n=2, dim=2)
    yield lambda: lib.remove(lin, "bias")
    yield lambda: lib.global_unstructured([(lin, "weight")], lib.RandomStructured, amount=1)
    yield lambda: lib.global_unstructured(5, lib.L1Unstructured, amount=1)
    yield lambda: lib.PruningContainer(lib.Identity()).add_pruning_method(3)
    yield lambda: lib.PruningContainer(lib.identity(lin, "weight")._forward_pre_hooks.popitem()[1]
                                       ).add_pruning_method(3)


def test_errors_match_torch():
    for theirs, mine in zip(_errors(torch.nn.utils.prune, torch.nn),
                            _errors(prune, ember.nn)):
        with pytest.raises(Exception) as info:
            theirs()
        message = re.sub(r"\s+", " ", str(info.value)).replace("torch.", "")
        with pytest.raises(info.type) as got:
            mine()
        text = re.sub(r"\s+", " ", str(got.value)).replace("ember.", "")
        assert text.split(" of module")[0].split(" of size")[0].split("<class")[0] == \
            message.split(" of module")[0].split(" of size")[0].split("<class")[0]


def test_a_failed_pruning_restores_the_parameter_as_torch():
    t, e = _pair()
    for lib, mod in ((torch.nn.utils.prune, t), (prune, e)):
        with pytest.raises(ValueError):
            lib.l1_unstructured(mod, "weight", amount=70)
        assert not lib.is_pruned(mod)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
