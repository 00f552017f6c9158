"""gradcheck and gradgradcheck: pass for correct gradients, fail (GradcheckError, or False with
``raise_exception=False``) for a wrong backward, as torch's do for the same Function."""
import sys

import numpy as np
import pytest
import torch

import ember

TorchGradcheckError = sys.modules["torch.autograd.gradcheck"].GradcheckError


def _inputs(lib, *shapes):
    rng = np.random.default_rng(0)
    return tuple(lib.tensor(rng.uniform(0.5, 1.5, s), dtype=lib.float64, requires_grad=True)
                 for s in shapes)


def _square(lib, wrong_first=False, wrong_second=False):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            if wrong_first:
                return 3 * x * g
            if wrong_second:
                # right value, but built from a detached x: its own derivative is wrong
                return 2 * x.detach() * g
            return 2 * x * g

    return Square


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_gradcheck_passes_for_correct_functions(lib):
    a, b = _inputs(lib, (3, 2), (2, 4))
    assert lib.autograd.gradcheck(lambda x, y: (x @ y).tanh(), (a, b))
    assert lib.autograd.gradcheck(lambda x: (x.exp() * x).sum(), (a,))
    assert lib.autograd.gradcheck(lambda x: (x * 2, x.sin()), (a,))
    assert lib.autograd.gradcheck(_square(lib).apply, (a,))


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_gradgradcheck_passes_for_correct_functions(lib):
    a, b = _inputs(lib, (2, 2), (2, 3))
    assert lib.autograd.gradgradcheck(lambda x, y: (x @ y).sigmoid(), (a, b))
    assert lib.autograd.gradgradcheck(_square(lib).apply, (a,))


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_gradcheck_fails_for_a_wrong_backward(lib):
    (a,) = _inputs(lib, (3,))
    bad = _square(lib, wrong_first=True).apply
    with pytest.raises(TorchGradcheckError if lib is torch
                       else ember.autograd.GradcheckError) as info:
        lib.autograd.gradcheck(bad, (a,))
    assert "Jacobian mismatch" in str(info.value)
    assert lib.autograd.gradcheck(bad, (a,), raise_exception=False) is False


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_gradgradcheck_fails_for_a_wrong_double_backward(lib):
    (a,) = _inputs(lib, (3,))
    bad = _square(lib, wrong_second=True).apply
    assert lib.autograd.gradcheck(bad, (a,))
    assert lib.autograd.gradgradcheck(bad, (a,), raise_exception=False) is False
    with pytest.raises(RuntimeError):
        lib.autograd.gradgradcheck(bad, (a,))


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(ember.autograd.GradcheckError, RuntimeError)
    assert issubclass(TorchGradcheckError, RuntimeError)


def test_gradcheck_needs_an_input_requiring_grad():
    x = ember.ones(2, dtype=ember.float64)
    with pytest.raises(ValueError):
        ember.autograd.gradcheck(lambda t: t * 2, (x,))
    with pytest.raises(ValueError):
        torch.autograd.gradcheck(lambda t: t * 2, (torch.ones(2, dtype=torch.float64),))


def test_gradcheck_accepts_a_single_tensor_and_non_tensor_args():
    (a,) = _inputs(ember, (2,))
    assert ember.autograd.gradcheck(lambda x: x * 3, a)
    assert ember.autograd.gradcheck(lambda x, k: x ** k, (a, 3))


def test_gradcheck_catches_a_gradient_on_the_wrong_input():
    def make(lib):
        class Swap(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * 2 + y * 3

            @staticmethod
            def backward(ctx, g):
                return g * 3, g * 2

        return Swap

    for lib in (ember, torch):
        a, b = _inputs(lib, (2,), (2,))
        assert lib.autograd.gradcheck(make(lib).apply, (a, b), raise_exception=False) is False
