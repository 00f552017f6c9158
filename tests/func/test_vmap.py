"""ember.vmap against torch.vmap: in_dims/out_dims (ints, None, nested), nesting, randomness
modes, argument errors, model ensembling and per-sample gradients over functional_call."""
import doctest
import re

import numpy as np
import pytest
import torch

import ember
from ember.func import _vmap
from tests.func.compare import both, close
from tests.ops.harness import assert_close

RNG = np.random.default_rng(2)
A = RNG.standard_normal((4, 3))
B = RNG.standard_normal((3, 4))
C = RNG.standard_normal((5, 3))


def fn(x, y):
    return (x * y).sum(), x.exp()


@pytest.mark.parametrize("in_dims,out_dims,arrays", [
    (0, 0, (A, A)),
    ((0, 1), 0, (A, B)),
    ((1, None), (0, 1), (B, A[0])),
    ((-1, 0), (0, -1), (B, A)),
])
def test_in_and_out_dims(in_dims, out_dims, arrays):
    e, t = both(*arrays)
    close(ember.vmap(fn, in_dims, out_dims)(*e), torch.vmap(fn, in_dims, out_dims)(*t))


def test_nested_vmap_and_containers():
    (ea, ec), (ta, tc) = both(A, C)
    outer = lambda M: M.vmap(M.vmap(lambda x, y: (x * y).sum(), (None, 0)), (0, None))  # noqa
    close(outer(ember)(ea, ec), outer(torch)(ta, tc))
    d = lambda p: p["x"].sin() + p["y"][0]  # noqa: E731
    close(ember.vmap(d, ({"x": 0, "y": None},))({"x": ea, "y": ec}),
           torch.vmap(d, ({"x": 0, "y": None},))({"x": ta, "y": tc}))


def test_randomness_modes():
    x = ember.zeros(4, 3)
    with pytest.raises(RuntimeError, match="randomness"):
        ember.vmap(lambda t: t + ember.randn(3))(x)
    same = ember.vmap(lambda t: t + ember.randn(3), randomness="same")(x)
    assert np.allclose(same.numpy(), same.numpy()[0])
    diff = ember.vmap(lambda t: t + ember.randn(3), randomness="different")(x)
    assert not np.allclose(diff.numpy(), diff.numpy()[0])
    with pytest.raises(RuntimeError, match="Only allowed values"):
        ember.vmap(lambda t: t, randomness="x")


@pytest.mark.parametrize("call", [
    lambda M, a: M.vmap(fn, in_dims=[0, 0])(a, a),
    lambda M, a: M.vmap(fn)(),
    lambda M, a: M.vmap(fn, in_dims=(0,))(a, a),
    lambda M, a: M.vmap(fn, in_dims=(0, 2))(a, a),
    lambda M, a: M.vmap(fn, in_dims=(None, None))(a, a),
    lambda M, a: M.vmap(fn, in_dims=(0, 1))(a, a),
    lambda M, a: M.vmap(lambda x, n: x * n, in_dims=(0, 0))(a, 2),
    lambda M, a: M.vmap(lambda x: 3)(a),
    lambda M, a: M.vmap(lambda x: x.sum(), out_dims=1)(a),
    lambda M, a: M.vmap(fn, out_dims=(0,))(a, a),
    lambda M, a: M.vmap(fn, out_dims="x")(a, a),
    lambda M, a: M.vmap(fn, in_dims=(0, "a"))(a, a),
    lambda M, a: M.vmap(lambda x: x, out_dims=None)(a),
    lambda M, a: M.vmap(lambda x: (x, 3), out_dims=(0, 0))(a),
    lambda M, a: M.vmap(fn, in_dims=({"x": 0}, 0))(a, a),
])
def test_errors_match_torch(call):
    """Same type and the same message (the structures are written as torch's TreeSpec)."""
    (ea,), (ta,) = both(A)
    with pytest.raises(Exception) as t_info:
        call(torch, ta)
    with pytest.raises(type(t_info.value), match="^%s$" % re.escape(str(t_info.value))):
        call(ember, ea)


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 8), lib.nn.Tanh(), lib.nn.Linear(8, 2))


def test_per_sample_gradients_match_torch():
    em, tm = _mlp(ember), _mlp(torch)
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in em.state_dict().items()})
    x = RNG.standard_normal((6, 3)).astype(np.float32)
    y = np.array([0, 1, 1, 0, 1, 0])

    def per_sample(lib, model):
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, xi, yi):
            out = lib.func.functional_call(model, p, (xi.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(out, yi.unsqueeze(0))

        return lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(x), lib.tensor(y))

    ge, gt = per_sample(ember, em), per_sample(torch, tm)
    for k in gt:
        assert_close(ge[k], gt[k], 1e-5, 1e-5)


def test_ensembling_with_stack_module_state():
    models = [ember.nn.Linear(3, 2) for _ in range(4)]
    params, buffers = ember.func.stack_module_state(models)
    x = ember.tensor(C.astype(np.float32))

    def call(p, b, data):
        return ember.func.functional_call(models[0], (p, b), (data,))

    out = ember.vmap(call, in_dims=(0, 0, None))(params, buffers, x)
    for i, m in enumerate(models):
        np.testing.assert_allclose(out[i].detach().numpy(), m(x).detach().numpy(), rtol=1e-6)


def test_docstring_examples_run():
    assert doctest.testmod(_vmap).failed == 0
