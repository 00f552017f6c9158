"""torch.linalg behaviour the op records cannot express: the info outputs of the ``*_ex``
functions on failing inputs, gradients through
several outputs of one decomposition, and the distributions using ember.linalg."""
import numpy as np
import pytest
import torch

import ember
from ember import linalg


def test_cholesky_ex_reports_the_failing_minor_as_torch():
    a = np.array([[[4.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]], np.eye(3) * 2])
    e_info = linalg.cholesky_ex(ember.tensor(a)).info
    t_info = torch.linalg.cholesky_ex(torch.tensor(a)).info
    assert e_info.tolist() == t_info.tolist() == [2, 0]
    with pytest.raises(RuntimeError, match="not positive-definite"):
        linalg.cholesky_ex(ember.tensor(a), check_errors=True)


def test_lu_factor_ex_reports_a_zero_pivot_as_torch():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    e = linalg.lu_factor_ex(ember.tensor(a))
    t = torch.linalg.lu_factor_ex(torch.tensor(a))
    assert e.info.item() == t.info.item() == 2
    np.testing.assert_allclose(e.LU.numpy(), t.LU.numpy())
    assert e.pivots.tolist() == t.pivots.tolist()


def test_gradient_through_two_outputs_of_one_decomposition_of_a_non_leaf():
    # the engine once counted a node twice when two of its outputs were roots
    a = np.array([[2.0, 0.5, 0.1], [0.5, 3.0, 0.2], [0.1, 0.2, 5.0]])
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        L, V = lib.linalg.eigh(x * 2)
        w = lib.tensor(np.arange(9.0).reshape(3, 3))
        (g,) = lib.autograd.grad([L, V], [x], [lib.ones(3, dtype=lib.float64), w * 0])
        grads.append(g.numpy())
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-12)


def test_ldl_pivots_and_factors_match_lapack_over_random_matrices():
    # Bunch-Kaufman's pivot choices (1x1 or 2x2 blocks, which row) must be LAPACK's exactly;
    # small diagonals force 2x2 blocks; n = 70 is past sytrf's block size
    rng = np.random.default_rng(1)
    sizes = [int(rng.integers(1, 9)) for _ in range(40)] + [70]
    for trial, n in enumerate(sizes):
        a = rng.standard_normal((n, n))
        if trial % 2:
            a[np.diag_indices(n)] *= 0.05
        a = a + a.T
        t_ld, t_piv, t_info = torch.linalg.ldl_factor_ex(torch.tensor(a))
        e_ld, e_piv, e_info = ember.linalg.ldl_factor_ex(ember.tensor(a))
        np.testing.assert_array_equal(e_piv.numpy(), t_piv.numpy())
        np.testing.assert_allclose(e_ld.numpy(), t_ld.numpy(), rtol=1e-9, atol=1e-9)
        assert e_info.item() == t_info.item() == 0
        b = rng.standard_normal((n, 3))
        np.testing.assert_allclose(
            ember.linalg.ldl_solve(e_ld, e_piv, ember.tensor(b)).numpy(),
            torch.linalg.ldl_solve(t_ld, t_piv, torch.tensor(b)).numpy(), rtol=1e-7, atol=1e-9)


def test_ldl_singular_and_not_differentiable():
    t_ld, t_piv, t_info = torch.linalg.ldl_factor_ex(torch.zeros(3, 3))
    e_ld, e_piv, e_info = ember.linalg.ldl_factor_ex(ember.zeros(3, 3))
    assert e_info.item() == t_info.item() == 1
    np.testing.assert_array_equal(e_piv.numpy(), t_piv.numpy())
    # torch fails with an internal assert here; ember says what is wrong (same type)
    for call in (lambda lib: lib.linalg.ldl_factor(lib.zeros(3, 3)),
                 lambda lib: lib.linalg.ldl_factor_ex(lib.zeros(3, 3), check_errors=True)):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError, match="D\\[0,0\\] is zero"):
            call(ember)
    a = ember.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    assert not ember.linalg.ldl_factor(a).LD.requires_grad
