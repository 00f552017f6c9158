"""ember.func's autodiff transforms and functional_call against torch.func: grad (argnums,
has_aux, dict arguments, nesting), grad_and_value, vjp, jvp, linearize, jacrev, jacfwd, hessian,
functional_call (tied weights, strict), stack_module_state, and their errors."""
import doctest

import numpy as np
import pytest
import torch
import torch.func as TF

import ember
import ember.func as EF
from ember.func import _functional_call, _transforms
from tests.func.compare import both, close
from tests.ops.harness import assert_close

RNG = np.random.default_rng(1)
X = RNG.standard_normal((3,))
W = RNG.standard_normal((2, 3))


def f(x, w):
    return (w @ x.sin()).exp().sum()


def g(x, w):
    return (w @ x).tanh(), x.exp()


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1])
def test_grad_argnums(argnums):
    e, t = both(X, W)
    close(EF.grad(f, argnums)(*e), TF.grad(f, argnums)(*t))


def test_grad_and_value_with_aux_and_dict_argument():
    def loss(p, x):
        y = (p["w"] @ x + p["b"]).tanh()
        return (y ** 2).sum(), y

    (ex, ew, eb), (tx, tw, tb) = both(X, W, np.arange(2.0))
    res_e = EF.grad_and_value(loss, has_aux=True)({"w": ew, "b": eb}, ex)
    res_t = TF.grad_and_value(loss, has_aux=True)({"w": tw, "b": tb}, tx)
    close(res_e, res_t)
    close(EF.grad(loss, has_aux=True)({"w": ew, "b": eb}, ex),
           TF.grad(loss, has_aux=True)({"w": tw, "b": tb}, tx))


def test_nested_grad_and_outer_graph():
    e, t = both(X)
    h = lambda x: (x ** 3).sin().sum()  # noqa: E731
    close(EF.grad(lambda x: EF.grad(h)(x).sum())(e[0]),
           TF.grad(lambda x: TF.grad(h)(x).sum())(t[0]))
    ex = ember.tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    EF.grad(h)(ex).sum().backward()
    TF.grad(h)(tx).sum().backward()
    close(ex.grad, tx.grad)


def test_vjp_jvp_linearize():
    (ex, ew, et), (tx, tw, tt) = both(X, W, RNG.standard_normal(3))
    out_e, fn_e = EF.vjp(g, ex, ew)
    out_t, fn_t = TF.vjp(g, tx, tw)
    close(out_e, out_t)
    cot_e, cot_t = both(np.array([1.0, -2.0]), np.ones(3))
    close(fn_e(cot_e), fn_t(cot_t))
    close(EF.jvp(g, (ex, ew), (et, ew)), TF.jvp(g, (tx, tw), (tt, tw)))
    out_e, lin_e = EF.linearize(lambda x: x.sin() * x, ex)
    out_t, lin_t = TF.linearize(lambda x: x.sin() * x, tx)
    close(lin_e(et), lin_t(tt))


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_jacobians(name, argnums):
    e, t = both(X, W)
    close(getattr(EF, name)(g, argnums)(*e), getattr(TF, name)(g, argnums)(*t))


def test_hessian_and_has_aux_jacobian():
    e, t = both(X, W)
    close(EF.hessian(f, (0, 1))(*e), TF.hessian(f, (0, 1))(*t))
    aux = lambda x: (x.sin(), x.cos())  # noqa: E731
    close(EF.jacrev(aux, has_aux=True)(e[0]), TF.jacrev(aux, has_aux=True)(t[0]))


class _Tied(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = ember.nn.Linear(3, 3)
        self.b = ember.nn.Linear(3, 3)
        self.b.weight = self.a.weight
        self.register_buffer("scale", ember.tensor(2.0))

    def forward(self, x):
        return self.b(self.a(x)) * self.scale


def test_functional_call_replaces_and_restores():
    m = _Tied()
    x = ember.tensor(np.ones((1, 3), dtype=np.float32))
    before = m(x)
    new_w = ember.zeros(3, 3)
    out = EF.functional_call(m, {"a.weight": new_w, "scale": ember.tensor(1.0)}, (x,))
    # weights are tied, so b.weight became zero too: the output is b's bias
    assert_close(out, torch.tensor(m.b.bias.detach().numpy())[None], 1e-6, 1e-6)
    assert_close(m(x), torch.tensor(before.detach().numpy()), 0, 0)
    untied = EF.functional_call(m, {"a.weight": new_w}, x, tie_weights=False)
    assert not np.allclose(untied.detach().numpy(), out.detach().numpy())
    with pytest.raises(RuntimeError, match="Missing key"):
        EF.functional_call(m, {"a.weight": new_w}, x, strict=True)
    with pytest.raises(ValueError, match="which are tied"):
        EF.functional_call(m, {"a.weight": new_w, "b.weight": ember.ones(3, 3)}, x)
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        EF.functional_call(m, ({"scale": new_w}, {"scale": new_w}), x)


def test_stack_module_state_matches_torch():
    ember_models = [ember.nn.Linear(3, 2) for _ in range(3)]
    torch_models = [torch.nn.Linear(3, 2) for _ in range(3)]
    for em, tm in zip(ember_models, torch_models):
        tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in
                            em.state_dict().items()})
    pe, _ = EF.stack_module_state(ember_models)
    pt, _ = TF.stack_module_state(torch_models)
    close(pe, {k: v.detach() for k, v in pt.items()}, 0)
    assert pe["weight"].is_leaf and pe["weight"].requires_grad
    with pytest.raises(RuntimeError, match="at least one model"):
        EF.stack_module_state([])


@pytest.mark.parametrize("call", [
    lambda M, x, w: M.grad(g)(x, w),
    lambda M, x, w: M.grad(f, argnums=2)(x, w),
    lambda M, x, w: M.grad(f, argnums=(0, 0))(x, w),
    lambda M, x, w: M.grad(f, argnums=())(x, w),
    lambda M, x, w: M.grad(lambda x, w: x.sum(), has_aux=True)(x, w),
    lambda M, x, w: M.jvp(f, [x, w], (x, w)),
    lambda M, x, w: M.jvp(f, (x, w), (x, x)),
])
def test_errors_match_torch(call):
    (ex, ew), (tx, tw) = both(X, W)
    with pytest.raises(Exception) as t_info:
        call(TF, tx, tw)
    with pytest.raises(type(t_info.value)):
        call(EF, ex, ew)


def test_docstring_examples_run():
    for mod in (_transforms, _functional_call):
        assert doctest.testmod(mod).failed == 0


@pytest.mark.parametrize("pattern,shape,lengths", [
    ("a b -> b a", (2, 3), {}),
    ("b c (h w) -> b h w c", (2, 3, 12), {"h": 4}),
    ("b ... c -> c b ...", (2, 3, 4, 5), {}),
    ("(a b) c -> a (c b)", (6, 4), {"a": 2}),
    ("a 1 b -> a b", (2, 1, 3), {}),
])
def test_rearrange_matches_torch(pattern, shape, lengths):
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    close(EF.rearrange(ember.tensor(x), pattern, **lengths),
          TF.rearrange(torch.tensor(x), pattern, **lengths))


def test_rearrange_of_a_list_stacks_it():
    xs = [np.ones((2, 3)) * i for i in range(4)]
    close(EF.rearrange([ember.tensor(x) for x in xs], "n a b -> a (n b)"),
          TF.rearrange([torch.tensor(x) for x in xs], "n a b -> a (n b)"))
