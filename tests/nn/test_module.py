"""The Module system and containers against torch: registration, traversal, state_dict,
hooks, modes, conversion, repr, copying."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from tests.nn._helpers import copy_weights, ember_repr, to_ember


def _make_net(torch_mod):
    nn = torch_mod.nn

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.dense = nn.Sequential(OrderedDict([
                ("dense1", nn.Linear(32 * 3 * 3, 128)),
                ("relu2", nn.ReLU()),
                ("dense2", nn.Linear(128, 10))]))

        def forward(self, x):
            return self.dense(x.view(x.size(0), -1))

    return Net()


def test_notes_example_runs_verbatim_and_matches_torch():
    t_net, e_net = _make_net(torch), _make_net(ember)
    assert repr(e_net) == repr(t_net)
    assert list(e_net.state_dict()) == list(t_net.state_dict()) == [
        "dense.dense1.weight", "dense.dense1.bias", "dense.dense2.weight", "dense.dense2.bias"]
    copy_weights(t_net, e_net)
    x = torch.randn(4, 32, 3, 3)
    np.testing.assert_allclose(e_net(to_ember(x)).detach().numpy(), t_net(x).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


class _Tree:
    """The same nested model, with a shared parameter and a shared submodule, in both."""

    @staticmethod
    def build(lib):
        nn = lib.nn

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 3)
                self.register_buffer("count", lib.zeros(1))
                self.register_buffer("scratch", lib.ones(2), persistent=False)
                self.scale = nn.Parameter(lib.ones(3))

            def forward(self, x):
                return self.fc(x) * self.scale

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = Block()
                self.b = Block()
                self.shared = self.a
                self.b.scale = self.a.scale
                self.head = nn.ModuleList([nn.Linear(3, 2), nn.ReLU()])
                self.none_param = None
                self.register_parameter("maybe", None)

            def forward(self, x):
                return self.head[1](self.head[0](self.b(self.a(x))))

        return Model()


def test_traversal_names_and_order_match_torch():
    t, e = _Tree.build(torch), _Tree.build(ember)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="m", recurse=False)]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert list(e.state_dict()) == list(t.state_dict())
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert repr(e) == repr(t)
    assert e.get_submodule("head.0") is e.head[0]
    assert e.get_parameter("a.fc.bias") is e.a.fc.bias
    assert e.get_buffer("a.count") is e.a.count
    with pytest.raises(AttributeError, match="has no attribute `zz`"):
        e.get_submodule("a.zz")
    with pytest.raises(AttributeError, match="is not an nn.Parameter"):
        e.get_parameter("a.count")
    assert "fc" in dir(e.a) and "count" in dir(e.a)


def test_state_dict_roundtrip_keep_vars_and_metadata():
    t, e = _Tree.build(torch), _Tree.build(ember)
    copy_weights(t, e)
    sd = e.state_dict()
    assert isinstance(sd, OrderedDict)
    assert sd["a.fc.weight"].requires_grad is False
    assert e.state_dict(keep_vars=True)["a.fc.weight"] is e.a.fc.weight
    assert list(e.state_dict(prefix="p.")) == list(t.state_dict(prefix="p."))
    assert sorted(sd._metadata) == sorted(t.state_dict()._metadata)
    sd["a.fc.weight"].numpy()[...] = 0  # a detached view shares memory, as torch's
    assert not e.a.fc.weight.detach().numpy().any()


def test_load_state_dict_reports_like_torch():
    for lib in (torch, ember):
        m = lib.nn.Linear(3, 2)
        sd = {"weight": lib.zeros(2, 3), "bias": lib.zeros(2)}
        res = m.load_state_dict(sd)
        assert repr(res) == "<All keys matched successfully>"
        assert not m.weight.detach().numpy().any()
    t_err = e_err = None
    try:
        torch.nn.Linear(3, 2).load_state_dict({"weight": torch.zeros(4, 3), "extra": torch.ones(1)})
    except RuntimeError as err:
        t_err = str(err)
    with pytest.raises(RuntimeError) as info:
        ember.nn.Linear(3, 2).load_state_dict({"weight": ember.zeros(4, 3),
                                               "extra": ember.ones(1)})
    e_err = str(info.value)
    assert e_err == t_err.replace("torch.Size", "ember.Size")
    res = ember.nn.Linear(3, 2).load_state_dict({"weight": ember.zeros(2, 3), "x": ember.ones(1)},
                                                strict=False)
    t_res = torch.nn.Linear(3, 2).load_state_dict({"weight": torch.zeros(2, 3),
                                                   "x": torch.ones(1)}, strict=False)
    assert res == t_res and repr(res) == repr(t_res)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        ember.nn.Linear(3, 2).load_state_dict([1, 2])


def test_attribute_routing_and_errors_match_torch():
    for lib in (torch, ember):
        nn = lib.nn

        class Early(nn.Module):
            def __init__(self):
                self.fc = nn.Linear(2, 2)

        with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\)"
                                                  r" call"):
            Early()
        m = nn.Module()
        m.w = nn.Parameter(lib.ones(2))
        assert "w" in m._parameters
        with pytest.raises(TypeError, match="cannot assign 'int' as parameter 'w'"):
            m.w = 3
        m.w = None
        assert m.w is None
        m.sub = nn.Linear(1, 1)
        with pytest.raises(TypeError, match="cannot assign 'int' as child module 'sub'"):
            m.sub = 3
        m.register_buffer("buf", lib.zeros(1))
        m.buf = lib.ones(1)
        assert "buf" in m._buffers and m.buf.item() == 1
        with pytest.raises(KeyError, match="attribute 'sub' already exists"):
            m.register_buffer("sub", lib.zeros(1))
        with pytest.raises(KeyError):
            m.register_parameter("a.b", None)
        with pytest.raises(TypeError, match="is not a Module subclass"):
            m.add_module("x", 3)
        with pytest.raises(AttributeError, match="'Module' object has no attribute 'nothing'"):
            m.nothing
        del m.sub
        assert "sub" not in m._modules
        m.plain = 5
        assert m.plain == 5 and "plain" in m.__dict__
        with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
            m.register_parameter("z", _non_leaf_param(lib))


def _non_leaf_param(lib):
    """A Parameter-typed tensor with a grad_fn (what register_parameter must refuse)."""
    out = lib.nn.Parameter(lib.ones(2)) * 2
    out.__class__ = lib.nn.Parameter
    return out


def test_train_eval_zero_grad_requires_grad_apply():
    m = _Tree.build(ember)
    assert m.training and m.a.fc.training
    m.eval()
    assert not m.training and not m.head[0].training
    m.train()
    assert m.head[1].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")
    m(ember.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Model" and seen[0] == "Linear"


def test_dtype_conversion_keeps_parameter_identity():
    m = ember.nn.Linear(3, 2)
    w = m.weight
    m.double()
    assert m.weight is w and w.dtype == ember.float64 and isinstance(w, ember.nn.Parameter)
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.to("cpu")
    m.half().float()
    assert m.cpu() is m
    with pytest.raises(TypeError, match="only accepts floating point"):
        m.to(ember.int64)
    emb = ember.nn.Embedding(3, 2)
    emb.register_buffer("idx", ember.tensor([1, 2]))
    emb.double()
    assert emb.idx.dtype == ember.int64


def test_forward_hooks_and_pre_hooks():
    m = ember.nn.Linear(3, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = m(ember.randn(4, 3))
    np.testing.assert_allclose(out.detach().numpy(), (m.bias.detach() + 1).numpy()[None].repeat(
        4, 0), rtol=1e-6)
    assert calls == [ember.Size([4, 2])]
    h1.remove()
    h2.remove()
    x = ember.randn(4, 3)
    np.testing.assert_array_equal(m(x).detach().numpy(), ember.nn.functional.linear(
        x, m.weight, m.bias).detach().numpy())
    m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] * 2,), kwargs),
                                with_kwargs=True)
    np.testing.assert_allclose(m(x).detach().numpy(), ember.nn.functional.linear(
        x * 2, m.weight, m.bias).detach().numpy(), rtol=1e-6)


def test_full_backward_hook_matches_torch():
    t_mod, e_mod = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    copy_weights(t_mod, e_mod)
    records = {}
    for name, mod in (("torch", t_mod), ("ember", e_mod)):
        rec = records[name] = []
        mod.register_full_backward_pre_hook(lambda m, go, rec=rec: rec.append(("pre", go)))
        mod.register_full_backward_hook(
            lambda m, gi, go, rec=rec: rec.append(("post", gi, go)) or (gi[0] * 2,))
    x = torch.randn(4, 3)
    tx, ex = x.clone().requires_grad_(), to_ember(x).requires_grad_()
    t_mod(tx).pow(2).sum().backward()
    e_mod(ex).pow(2).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5)
    assert [r[0] for r in records["ember"]] == [r[0] for r in records["torch"]] == ["pre", "post"]
    np.testing.assert_allclose(records["ember"][1][1][0].numpy(),
                               records["torch"][1][1][0].numpy() / 2 * 2, rtol=1e-5)
    np.testing.assert_allclose(records["ember"][1][2][0].numpy(),
                               records["torch"][1][2][0].numpy(), rtol=1e-5)
    # no input requires grad: the hook still runs, with grad_input (None,)
    seen = []
    e2 = ember.nn.Linear(3, 2)
    e2.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    e2(ember.randn(2, 3)).sum().backward()
    assert seen == [(None,)]


def test_deepcopy_pickle_and_setstate():
    m = _Tree.build(ember)
    m(ember.randn(2, 3)).sum().backward()
    c = copy.deepcopy(m)
    assert c.a.fc.weight is not m.a.fc.weight
    assert c.shared is c.a and c.b.scale is c.a.scale
    np.testing.assert_array_equal(c.a.fc.weight.detach().numpy(), m.a.fc.weight.detach().numpy())
    assert isinstance(c.a.fc.weight, ember.nn.Parameter) and c.a.fc.weight.requires_grad
    lin = ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.ReLU())
    back = pickle.loads(pickle.dumps(lin))
    assert isinstance(back[0].weight, ember.nn.Parameter) and back[0].weight.requires_grad
    assert repr(back) == repr(lin)
    x = ember.randn(3, 2)
    np.testing.assert_array_equal(back(x).detach().numpy(), lin(x).detach().numpy())


def test_parameter_repr_and_properties():
    t_p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    e_p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    assert repr(e_p) == repr(t_p)
    assert e_p.requires_grad and e_p.is_leaf
    assert not ember.nn.Parameter(ember.ones(1), requires_grad=False).requires_grad
    assert repr(ember.nn.Parameter()) == repr(torch.nn.Parameter())


def test_sequential_operations_match_torch():
    for lib in (torch, ember):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        assert len(s) == 3 and isinstance(s[-1], nn.Linear)
        sub = s[1:]
        assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
        s.append(nn.Tanh())
        s.insert(1, nn.Sigmoid())
        assert [type(m).__name__ for m in s] == ["Linear", "Sigmoid", "ReLU", "Linear", "Tanh"]
        popped = s.pop(1)
        assert isinstance(popped, nn.Sigmoid) and list(s._modules) == ["0", "1", "2", "3"]
        del s[0]
        assert list(s._modules) == ["0", "1", "2"]
        both = s + nn.Sequential(nn.ReLU())
        assert len(both) == 4
        s.extend([nn.ReLU()])
        s[0] = nn.ELU()
        with pytest.raises(IndexError, match="index 9 is out of range"):
            s[9]
        with pytest.raises(ValueError):
            s + 3
    t_s = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
    e_s = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.ReLU())
    t_s.add_module("out", torch.nn.Linear(3, 1))
    e_s.add_module("out", ember.nn.Linear(3, 1))
    assert repr(e_s) == repr(t_s)
    assert "0" not in dir(e_s)


def test_module_list_and_dict_match_torch():
    outs = {}
    for lib in (torch, ember):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
        ml.append(nn.Linear(2, 2))
        ml.extend([nn.ReLU(), nn.ReLU()])
        ml.insert(0, nn.Tanh())
        ml2 = ml[1:3] + nn.ModuleList([nn.Sigmoid()])
        del ml[-1]
        md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
        md.update([("c", nn.Tanh())])
        md["d"] = nn.Sigmoid()
        popped = md.pop("b")
        outs[lib] = (repr(ml), repr(ml2), repr(md), list(md.keys()), type(popped).__name__,
                     len(ml), "c" in md)
        with pytest.raises(TypeError, match="ModuleList.extend should be called with an "
                                            "iterable"):
            ml.extend(3)
    assert outs[ember] == outs[torch]


def test_parameter_list_and_dict_match_torch():
    outs = {}
    for lib in (torch, ember):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(4)])
        pl.append(lib.ones(1, dtype=lib.float64))
        pd = nn.ParameterDict({"z": nn.Parameter(lib.ones(2)), "a": lib.zeros(3, 2)})
        pd["m"] = lib.ones(1)
        pd.update(OrderedDict([("y", lib.ones(2))]))
        outs[lib] = (ember_repr(pl) if lib is torch else repr(pl),
                     repr(pd), list(pd.keys()), [n for n, _ in pl.named_parameters()],
                     [n for n, _ in pd.named_parameters()], len(pl), len(pl[1:]),
                     isinstance(pl[1], nn.Parameter), isinstance(pd["a"], nn.Parameter))
        with pytest.raises(RuntimeError, match="ParameterList should not be called"):
            pl()
    assert outs[ember] == outs[torch]


def test_module_list_repr_groups_repeats_like_torch():
    t = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    e = ember.nn.ModuleList([ember.nn.Linear(2, 2) for _ in range(3)] + [ember.nn.ReLU()])
    assert repr(e) == repr(t)
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_module_init_rejects_arguments_and_forward_missing():
    with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
        ember.nn.Module(x=1)
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        ember.nn.Module()(1)


def test_extra_repr_multiline_and_nested():
    for lib in (torch, ember):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.Dropout(0.1))

            def extra_repr(self):
                return "line1\nline2"

        if lib is torch:
            expected = repr(M())
        else:
            assert repr(M()) == expected
