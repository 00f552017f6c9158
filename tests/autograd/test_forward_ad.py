"""ember.autograd.forward_ad against torch.autograd.forward_ad: tangents of composite
functions, several duals at once, inputs without tangents, and the errors."""
import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as TF

import ember
import ember.autograd.forward_ad as EF
from tests.ops.harness import assert_close

RNG = np.random.default_rng(5)
X, TX, W, TW = (RNG.standard_normal(s) for s in ((3,), (3,), (2, 3), (2, 3)))


@pytest.mark.parametrize("fn", [
    lambda x, w: (x.sin() * x).exp(),
    lambda x, w: w @ x.tanh(),
    lambda x, w: (w * x).sum(-1).sigmoid(),
])
def test_tangents_match_torch(fn):
    results = []
    for lib, fad in ((ember, EF), (torch, TF)):
        with fad.dual_level():
            x = fad.make_dual(lib.tensor(X), lib.tensor(TX))
            w = fad.make_dual(lib.tensor(W), lib.tensor(TW))
            results.append(fad.unpack_dual(fn(x, w)))
    (ep, et), (tp, tt) = results
    assert_close(ep, tp, 1e-10, 1e-10)
    assert_close(et, tt, 1e-10, 1e-10)


def test_no_tangent_and_errors():
    with EF.dual_level():
        assert EF.unpack_dual(ember.ones(2)).tangent is None
        x = EF.make_dual(ember.tensor(X), ember.tensor(TX))
        assert EF.unpack_dual(x.detach() * 2).tangent is None
        with pytest.raises(RuntimeError, match="different size"):
            EF.make_dual(ember.ones(3), ember.ones(2))
    with pytest.raises(RuntimeError, match="no level exists"):
        EF.make_dual(ember.ones(3), ember.ones(3))
