"""Autograd on complex tensors against torch: torch's convention (the gradient of a real loss
with respect to ``z = x + iy`` is ``dL/dx + i dL/dy``), real losses of complex intermediates,
real leaves feeding complex ops, ``linalg.eig``'s gradient, the errors torch raises, and
gradcheck on complex inputs. The per-op gradients are also compared by the registry's tests
(the records listing complex dtypes)."""
import numpy as np
import pytest
import torch

import ember

_RNG = np.random.default_rng(0)
_Z = _RNG.standard_normal((3, 4)) + 1j * _RNG.standard_normal((3, 4))
_W = _RNG.standard_normal((3, 4)) + 1j * _RNG.standard_normal((3, 4))
_X = _RNG.standard_normal((3, 4))

# loss(lib, z, w, x) -> a real scalar; z, w complex leaves, x a real leaf
_LOSSES = {
    "z z*": lambda m, z, w, x: (z * z.conj()).real.sum(),
    "abs": lambda m, z, w, x: m.abs(z).sum(),
    "mul abs": lambda m, z, w, x: (z * w).abs().sum(),
    "div": lambda m, z, w, x: (z / w).real.sum() + (w / z).imag.sum(),
    "exp log": lambda m, z, w, x: (m.exp(z) * w).real.sum() + (m.log(z) * w).imag.sum(),
    "trig": lambda m, z, w, x: (m.sin(z) * w + m.tanh(z) * m.cos(w)).real.sum(),
    "sigmoid sqrt": lambda m, z, w, x: (m.sigmoid(z) * m.sqrt(w)).real.sum(),
    "pow": lambda m, z, w, x: ((z ** 2) * w).real.sum() + (z ** w).imag.sum(),
    "view_as_real": lambda m, z, w, x: (m.view_as_real(z) ** 2 * m.view_as_real(w)).sum(),
    "view_as_complex": lambda m, z, w, x: (m.view_as_complex(m.stack([x, x * 2], -1))
                                           * w).real.sum(),
    "complex": lambda m, z, w, x: (m.complex(x, x * x) * w).abs().sum(),
    "polar": lambda m, z, w, x: (m.polar(x.abs(), x) * w).real.sum(),
    "angle sgn": lambda m, z, w, x: m.angle(z).sum() + (m.sgn(w) * z).real.sum(),
    "real imag": lambda m, z, w, x: (z.real * z.imag * w.imag).sum(),
    "real to complex": lambda m, z, w, x: ((x * 1j + x) * w).real.sum(),
    "matmul": lambda m, z, w, x: (z @ w.mT).abs().sum() + (z.mH @ w).real.sum(),
    "reductions": lambda m, z, w, x: ((z.sum(0) * w[0]).real.sum() + (z.mean() * 2j).real
                                      + z.prod(1).real.sum() + z.var(0).sum()),
    "cumulative": lambda m, z, w, x: ((z.cumsum(1) + z.cumprod(1)) * w).real.sum(),
    "norm": lambda m, z, w, x: m.linalg.norm(z) + m.linalg.vector_norm(w, 1),
    "indexing cat": lambda m, z, w, x: ((z[1:, ::2] * w[1:, ::2]).real.sum()
                                        + (m.cat([z, w]) * m.cat([w, z])).imag.sum()),
    "where": lambda m, z, w, x: (m.where(x > 0, z, w) * w).real.sum(),
    "einsum dot": lambda m, z, w, x: (m.einsum("ij,kj->ik", z, w).abs().sum()
                                      + m.dot(z[0], w[0]).real + m.vdot(z[0], w[1]).imag),
    "scalars": lambda m, z, w, x: ((z + 1j) * (z - 2.5) * (1j * z) / (2 + 1j)).real.sum(),
    "reciprocal square": lambda m, z, w, x: (m.reciprocal(z) * m.square(w)).real.sum(),
}


def _leaves(lib):
    return (lib.tensor(_Z, requires_grad=True), lib.tensor(_W, requires_grad=True),
            lib.tensor(_X, requires_grad=True))


@pytest.mark.parametrize("name", sorted(_LOSSES))
def test_gradients_match_torch(name):
    loss = _LOSSES[name]
    t_leaves, e_leaves = _leaves(torch), _leaves(ember)
    t_loss, e_loss = loss(torch, *t_leaves), loss(ember, *e_leaves)
    assert not e_loss.is_complex()
    np.testing.assert_allclose(e_loss.item(), t_loss.item(), rtol=1e-10)
    t_grads = torch.autograd.grad(t_loss, t_leaves, allow_unused=True)
    e_grads = ember.autograd.grad(e_loss, e_leaves, allow_unused=True)
    for e, t in zip(e_grads, t_grads):
        assert (e is None) == (t is None)
        if t is not None:
            assert str(e.dtype)[6:] == str(t.dtype)[6:]
            np.testing.assert_allclose(e.numpy(), t.resolve_conj().numpy(), rtol=1e-9,
                                       atol=1e-12)


def test_backward_accumulates_complex_grads_on_leaves():
    for lib in (torch, ember):
        z = lib.tensor([1 + 2j, -0.5j], requires_grad=True)
        (z * z.conj()).real.sum().backward()
        (z.abs() ** 2).sum().backward()
        assert z.grad.dtype == lib.complex64
        np.testing.assert_allclose(z.grad.numpy(), 4 * np.array([1 + 2j, -0.5j]), rtol=1e-6)


def test_complex_output_needs_an_explicit_gradient():
    for lib in (torch, ember):
        z = lib.tensor(1 + 1j, requires_grad=True)
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for real "
                                               "scalar outputs"):
            (z * 2).backward()
        (z * 2).backward(lib.tensor(1 - 1j))
        assert z.grad.item() == 2 - 2j


def test_complex_leaves_require_grad():
    z = ember.zeros(2, dtype=ember.complex128).requires_grad_()
    assert z.requires_grad and repr(z) == repr(torch.zeros(2, dtype=torch.complex128)
                                               .requires_grad_()).replace("torch", "ember")


def _eig_loss(lib, A):
    L, V = lib.linalg.eig(A)
    weights = lib.arange(A.shape[-1], dtype=A.real.dtype)
    return ((V.abs() ** 2 * weights).sum() + (L * L).real.sum() + V.abs()[..., 0, :].sum()
            + lib.linalg.eigvals(A).imag.abs().sum())


@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_eig_gradient_matches_torch(dtype):
    a = _RNG.standard_normal((2, 4, 4))
    if dtype == "complex128":
        a = a + 1j * _RNG.standard_normal((2, 4, 4))
    t_a, e_a = torch.tensor(a, requires_grad=True), ember.tensor(a, requires_grad=True)
    t_g, = torch.autograd.grad(_eig_loss(torch, t_a), t_a)
    e_g, = ember.autograd.grad(_eig_loss(ember, e_a), e_a)
    np.testing.assert_allclose(e_g.numpy(), t_g.numpy(), rtol=1e-8, atol=1e-10)
    assert ember.autograd.gradcheck(lambda A: _eig_loss(ember, A),
                                    (ember.tensor(a[0], requires_grad=True),))


def test_eig_refuses_a_loss_that_depends_on_the_phase():
    for lib in (torch, ember):
        A = lib.tensor(_X[:3, :3], requires_grad=True)
        with pytest.raises(RuntimeError, match="specified up to multiplication by e\\^\\{i phi\\}"):
            lib.linalg.eig(A).eigenvectors.imag.sum().backward()


def test_eig_values_match_torch():
    a = _RNG.standard_normal((3, 5, 5))
    e, t = ember.linalg.eig(ember.tensor(a)), torch.linalg.eig(torch.tensor(a))
    assert e.eigenvalues.dtype is ember.complex128
    np.testing.assert_allclose(e.eigenvalues.numpy(), t.eigenvalues.numpy(), atol=1e-10)
    V = e.eigenvectors.numpy()
    np.testing.assert_allclose(a @ V, V * e.eigenvalues.numpy()[..., None, :], atol=1e-10)
    # the same vectors up to a phase each (ember's largest entry is real positive)
    phase = (V.conj() * t.eigenvectors.numpy()).sum(-2)
    np.testing.assert_allclose(np.abs(phase), 1, atol=1e-10)


class _WrongConj(ember.autograd.Function):
    """z * w whose backward forgets torch's conjugate: gradcheck must notice."""

    @staticmethod
    def forward(ctx, z, w):
        ctx.save_for_backward(z, w)
        return z * w

    @staticmethod
    def backward(ctx, g):
        z, w = ctx.saved_tensors
        return g * w, g * z


def test_gradcheck_on_complex_inputs():
    z = ember.tensor(_Z[0], requires_grad=True)
    w = ember.tensor(_W[0], requires_grad=True)
    x = ember.tensor(_X[0], requires_grad=True)
    for fn in (lambda z, w, x: z * w + x, lambda z, w, x: ember.exp(z) / w * x,
               lambda z, w, x: ember.view_as_real(z * x).sum(-1) + w.abs(),
               lambda z, w, x: (z.conj() * w).real + ember.angle(z) * x):
        assert ember.autograd.gradcheck(fn, (z, w, x))
        assert ember.autograd.gradgradcheck(fn, (z, w, x))
    assert not ember.autograd.gradcheck(_WrongConj.apply, (z, w), raise_exception=False)
    assert torch.autograd.gradcheck(lambda z, w: z * w, (torch.tensor(_Z[0], requires_grad=True),
                                                         torch.tensor(_W[0], requires_grad=True)))
