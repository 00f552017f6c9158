"""ember.autograd.functional against torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp,
vhp on single and tuple inputs/outputs, create_graph, strict mode's errors, bad v."""
import doctest

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import ember
import ember.autograd.functional as EF
from tests.func.compare import both, close

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3,))
Y = RNG.standard_normal((2, 3))
V = RNG.standard_normal((3,))


def f_single(x):
    return (x.sin() * x).exp()


def f_pair(x, y):
    return (x * y).sum(0).tanh(), (y ** 2).sum()


def f_scalar(x):
    return (x ** 3).sum() + (x.sin() * x[0]).sum()


def f_scalar_pair(x, y):
    return ((x * y) ** 2).sum() + x.prod()


def f_linear(x):
    return 3 * x


@pytest.mark.parametrize("fn,arrays", [(f_single, (X,)), (f_pair, (X, Y))])
@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian(fn, arrays, create_graph):
    e, t = both(*arrays)
    e, t = (e[0], t[0]) if len(arrays) == 1 else (e, t)
    res_e = EF.jacobian(fn, e, create_graph=create_graph)
    res_t = TF.jacobian(fn, t, create_graph=create_graph)
    close(res_e, res_t)
    if create_graph:
        first_e = res_e if isinstance(res_e, ember.Tensor) else res_e[0][0]
        first_t = res_t if isinstance(res_t, torch.Tensor) else res_t[0][0]
        assert first_e.requires_grad == first_t.requires_grad


def test_jacobian_vectorize_and_forward_strategy_agree():
    e, t = both(X)
    close(EF.jacobian(f_single, e[0], vectorize=True, strategy="forward-mode"),
           TF.jacobian(f_single, t[0], vectorize=True, strategy="forward-mode"))


@pytest.mark.parametrize("fn,arrays", [(f_scalar, (X,)), (f_scalar_pair, (X, Y))])
def test_hessian(fn, arrays):
    e, t = both(*arrays)
    e, t = (e[0], t[0]) if len(arrays) == 1 else (e, t)
    close(EF.hessian(fn, e), TF.hessian(fn, t))


@pytest.mark.parametrize("name", ["vjp", "jvp", "hvp", "vhp"])
def test_vector_products(name):
    fn = f_single if name in ("vjp", "jvp") else f_scalar
    (ex, ev), (tx, tv) = both(X, V)
    close(getattr(EF, name)(fn, ex, ev), getattr(TF, name)(fn, tx, tv))


@pytest.mark.parametrize("name", ["vjp", "jvp", "hvp", "vhp"])
def test_vector_products_tuple_inputs(name):
    if name == "vjp":
        fn, v = f_pair, (RNG.standard_normal(3), np.array(0.7))
    elif name == "jvp":
        fn, v = f_pair, (V, RNG.standard_normal((2, 3)))
    else:
        fn, v = f_scalar_pair, (V, RNG.standard_normal((2, 3)))
    e, t = both(X, Y)
    ev, tv = both(*v)
    close(getattr(EF, name)(fn, e, ev), getattr(TF, name)(fn, t, tv))


def test_create_graph_allows_differentiating_the_result():
    ex = ember.tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    ev, tv = ember.tensor(V), torch.tensor(V)
    EF.hvp(f_scalar, ex, ev, create_graph=True)[1].sum().backward()
    TF.hvp(f_scalar, tx, tv, create_graph=True)[1].sum().backward()
    close(ex.grad, tx.grad)


def test_unused_input_gives_zeros_or_strict_error():
    def fn(x, y):
        return x * 2

    e, t = both(X, Y)
    close(EF.jacobian(fn, e), TF.jacobian(fn, t))
    close(EF.vjp(fn, e, e[0]), TF.vjp(fn, t, t[0]))
    for mod, args in ((EF, e), (TF, t)):
        with pytest.raises(RuntimeError, match="independent of input 1"):
            mod.vjp(fn, args, args[0], strict=True)
        with pytest.raises(RuntimeError, match="is independent of input 1"):
            mod.jacobian(fn, args, strict=True)


@pytest.mark.parametrize("call", [
    lambda M, x, v: M.vjp(f_single, x),
    lambda M, x, v: M.vjp(f_single, x, v[:2]),
    lambda M, x, v: M.jvp(f_single, x, (v, v)),
    lambda M, x, v: M.hvp(f_single, x, v),
    lambda M, x, v: M.vhp(f_pair, (x, x), (v, v)),
    lambda M, x, v: M.jacobian(lambda a: 3, x),
    lambda M, x, v: M.jacobian(f_single, [x]),
    lambda M, x, v: M.hessian(f_linear, x, strict=True),
    lambda M, x, v: M.jacobian(f_single, x, strategy="forward-mode"),
    lambda M, x, v: M.jacobian(f_single, x, strict=True, vectorize=True),
])
def test_errors_match_torch(call):
    (ex, ev), (tx, tv) = both(X, V)
    with pytest.raises(Exception) as t_info:
        call(TF, tx, tv)
    with pytest.raises(type(t_info.value)) as e_info:
        call(EF, ex, ev)
    assert str(e_info.value).replace("ember", "torch") == str(t_info.value)


def test_docstring_examples_run():
    assert doctest.testmod(EF).failed == 0
