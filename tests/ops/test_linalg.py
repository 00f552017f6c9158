"""torch.linalg behaviour the op records cannot express: the info outputs of the ``*_ex``
functions on failing inputs, eig/eigvals refusing (no complex dtypes yet), gradients through
several outputs of one decomposition, and the distributions using ember.linalg."""
import numpy as np
import pytest
import torch

import ember
from ember import linalg


@pytest.mark.parametrize("name", ["eig", "eigvals"])
def test_eig_and_eigvals_say_complex_dtypes_are_missing(name):
    with pytest.raises(NotImplementedError, match="complex"):
        getattr(linalg, name)(ember.eye(3))
    assert getattr(torch.linalg, name)(torch.eye(3)) is not None


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
