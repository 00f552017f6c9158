"""ember.autograd.graph against torch: saved-tensor hooks (pack/unpack calls, what backward
gets, nesting, disabling, save_on_cpu, mutation of saved tensors), multi-grad hooks, Node,
gradient edges, version bumps, the multithreading switch."""
import numpy as np
import pytest
import torch

import ember


def _both(fn, *arrays, requires_grad=True):
    """Run ``fn(lib, *tensors)`` in both libraries on the same data; returns the results."""
    out = {}
    for lib in (torch, ember):
        tensors = [lib.tensor(a, requires_grad=requires_grad) for a in arrays]
        out[lib] = fn(lib, *tensors)
    return out[torch], out[ember]


_A = np.array([0.5, -1.0, 2.0], dtype=np.float32)
_B = np.array([1.5, 0.25, -0.5], dtype=np.float32)
_M = np.arange(6, dtype=np.float32).reshape(2, 3) / 5


def _hooked(build):
    """Build a graph under logging saved-tensor hooks; returns the log, the grads."""
    def run(lib, *xs):
        log = []

        def pack(t):
            log.append(("pack", tuple(t.shape)))
            return t

        def unpack(t):
            log.append(("unpack", tuple(t.shape)))
            return t

        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = build(lib, *xs)
        log.append("backward")
        y.backward()
        return log, [x.grad.numpy() for x in xs]
    return run


@pytest.mark.parametrize("build, arrays", [
    (lambda lib, a, b: (a * b).sum(), (_A, _B)),
    (lambda lib, a: a.exp().sum(), (_A,)),
    (lambda lib, a: a.sin().sum(), (_A,)),
    (lambda lib, m, n: (m @ n).sum(), (_M, _M.T.copy())),
])
def test_pack_and_unpack_run_as_in_torch(build, arrays):
    (t_log, t_grads), (e_log, e_grads) = _both(_hooked(build), *arrays)

    def phases(log):  # what is packed before backward, unpacked in it (order within each free)
        cut = log.index("backward")
        return sorted(log[:cut]), sorted(log[cut + 1:])
    assert phases(e_log) == phases(t_log)
    for e, t in zip(e_grads, t_grads):
        np.testing.assert_allclose(e, t, rtol=1e-6)


def test_backward_uses_what_unpack_returns():
    def run(lib, a, b):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach() * 2, lambda t: t * 3):
            (a * b).sum().backward()
        return a.grad.numpy(), b.grad.numpy()
    theirs, mine = _both(run, _A, _B)
    for e, t in zip(mine, theirs):
        np.testing.assert_allclose(e, t)
    np.testing.assert_allclose(mine[0], _B * 6)


def test_innermost_hooks_apply_and_custom_functions_are_packed():
    def run(lib, a):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, None)
                return x * x

            @staticmethod
            def backward(ctx, g):
                x, none = ctx.saved_tensors
                assert none is None
                return 2 * x * g
        seen = []
        outer = lib.autograd.graph.saved_tensors_hooks(lambda t: seen.append("outer") or t,
                                                       lambda t: t)
        inner = lib.autograd.graph.saved_tensors_hooks(lambda t: seen.append("inner") or t,
                                                       lambda t: seen.append("unpack") or t)
        with outer:
            with inner:
                y = Square.apply(a).sum()
            z = a.exp().sum()
        (y + z).backward()
        return seen, a.grad.numpy()
    (t_seen, t_grad), (e_seen, e_grad) = _both(run, _A)
    assert e_seen == t_seen
    np.testing.assert_allclose(e_grad, t_grad, rtol=1e-6)


def test_disable_saved_tensors_hooks_and_bad_unpack():
    for lib in (torch, ember):
        graph = lib.autograd.graph
        with graph.disable_saved_tensors_hooks("no hooks here"):
            with pytest.raises(RuntimeError, match="no hooks here"):
                with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
        with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            with pytest.raises(RuntimeError, match="inside"):
                with graph.disable_saved_tensors_hooks("inside"):
                    pass
        with graph.saved_tensors_hooks(lambda t: t, lambda t: 1):
            y = lib.ones(2, requires_grad=True).exp().sum()
        with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor but got result "
                                            "of type int"):
            y.backward()


def test_save_on_cpu_trains_like_torch():
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    e_model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.Tanh(), ember.nn.Linear(4, 1))
    e_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    for lib, model in ((torch, t_model), (ember, e_model)):
        with lib.autograd.graph.save_on_cpu(pin_memory=False):
            loss = model(lib.tensor(x)).pow(2).mean()
        loss.backward()
    for (name, tp), ep in zip(t_model.named_parameters(), e_model.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, err_msg=name)


def test_mutating_a_saved_tensor():
    def packed_copy(lib, x):
        a = x * 1
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            y = a.sin().sum()
        with lib.no_grad():
            a.mul_(2)
        y.backward()
        return x.grad.numpy()

    def allowed(lib, x):
        with lib.autograd.graph.allow_mutation_on_saved_tensors():
            a = x * 1
            y = (a * a).sum()
            a.mul_(3)
            y.backward()
            with pytest.raises(RuntimeError, match="cannot be nested"):
                with lib.autograd.graph.allow_mutation_on_saved_tensors():
                    pass
        return x.grad.numpy()
    for fn, expected in ((packed_copy, np.cos(_A)), (allowed, 2 * _A)):
        theirs, mine = _both(fn, _A)
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)
        np.testing.assert_allclose(mine, expected, rtol=1e-6)


def _multi(mode, reach_b=True, remove=False):
    def run(lib, a, b, c):
        calls = []
        if mode == "all":
            def fn(grads):
                calls.append([None if g is None else g.numpy().tolist() for g in grads])
        else:
            def fn(grad):
                calls.append(grad.numpy().tolist())
        handle = lib.autograd.graph.register_multi_grad_hook((a, b, c), fn, mode=mode)
        if remove:
            handle.remove()
        for _ in range(2):
            out = a * 2 + (b * c if reach_b else c)
            out.sum().backward()
        return calls
    return run


@pytest.mark.parametrize("mode", ["all", "any"])
@pytest.mark.parametrize("reach_b", [True, False])
def test_register_multi_grad_hook_matches_torch(mode, reach_b):
    theirs, mine = _both(_multi(mode, reach_b), _A, _B, _B * 2)
    assert mine == theirs and len(mine) == 2
    theirs, mine = _both(_multi(mode, reach_b, remove=True), _A, _B, _B * 2)
    assert mine == theirs == []
    with pytest.raises(ValueError, match="Expects mode to be one of"):
        ember.autograd.graph.register_multi_grad_hook([], print, mode="some")


def test_nodes_and_gradient_edges():
    x = ember.tensor(_A, requires_grad=True)
    y = x.exp()
    z = (y * y).sum()
    Node = ember.autograd.graph.Node
    assert isinstance(z.grad_fn, Node) and isinstance(y.grad_fn.next_functions[0][0], Node)
    assert not isinstance(x, Node) and not isinstance(3, Node)
    y.grad_fn.metadata["tag"] = 1
    assert y.grad_fn.metadata == {"tag": 1}
    for target in (x, y):
        edge = ember.autograd.graph.get_gradient_edge(target)
        assert isinstance(edge, ember.autograd.graph.GradientEdge) and edge.output_nr == 0
        by_edge, = ember.autograd.grad(z, edge, retain_graph=True)
        by_tensor, = ember.autograd.grad(z, target, retain_graph=True)
        np.testing.assert_allclose(by_edge.numpy(), by_tensor.numpy())
    tx = torch.tensor(_A, requires_grad=True)
    tz = (tx.exp() * tx.exp()).sum()
    np.testing.assert_allclose(
        ember.autograd.grad(z, ember.autograd.graph.get_gradient_edge(x))[0].numpy(),
        torch.autograd.grad(tz, torch.autograd.graph.get_gradient_edge(tx))[0].numpy(),
        rtol=1e-6)
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="does not require gradients"):
            lib.autograd.graph.get_gradient_edge(lib.ones(2))


def test_increment_version_is_seen_by_backward():
    for lib in (torch, ember):
        x = lib.tensor(_A, requires_grad=True)
        a = x * 1
        y = a.exp()
        lib.autograd.graph.increment_version([a])
        y.sum().backward()  # exp saves its output, not ``a``
        b = x * 1
        z = b.sin()
        lib.autograd.graph.increment_version(b)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_multithreading_switch_and_memory_budget():
    for lib in (torch, ember):
        ag = lib.autograd
        assert ag.is_multithreading_enabled()
        with ag.set_multithreading_enabled(False):
            assert not ag.is_multithreading_enabled()
        assert ag.is_multithreading_enabled()
        ag.set_multithreading_enabled(False)
        assert not ag.is_multithreading_enabled()
        ag.set_multithreading_enabled(True)
        with pytest.raises(ValueError, match=r"must be in \[0, 1\], got 1.5"):
            with ag.graph.region_activation_memory_budget(1.5):
                pass
        with pytest.raises(TypeError, match="expects a float, got str"):
            with ag.graph.region_activation_memory_budget("x"):
                pass
    with ember.autograd.graph.region_activation_memory_budget(0.5):
        assert ember.ones(1).item() == 1.0
