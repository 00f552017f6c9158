"""The NumPy kernels of the special functions (``ember/ops/_special_math.py``) against torch in
float64 (to a few ulps) and float32, at the special points (0, -0, +-inf, NaN, poles, +-1), and
the op registry without SciPy."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from ember.ops import _special_math as S
from tests._blocked_imports import PRELUDE

_RNG = np.random.default_rng(0)
_SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1e-310, -1e-310,
            1e-20, -1e-20]


def _wide():
    return np.concatenate([_RNG.uniform(-8, 8, 2000), _RNG.uniform(-1.5, 1.5, 500),
                           10 ** _RNG.uniform(-300, 2, 300), -(10 ** _RNG.uniform(-300, 2, 300)),
                           _SPECIAL])


def _positive():
    return np.concatenate([_RNG.uniform(0, 30, 2000), _RNG.uniform(0.9, 2.1, 500),
                           10 ** _RNG.uniform(-300, 300, 300), [0.0, np.inf, 1.0, 2.0]])


def _unit():
    tail = 10 ** _RNG.uniform(-16, -1, 300)
    return np.concatenate([_RNG.uniform(-1, 1, 2000), 1 - tail, tail - 1,
                           10 ** _RNG.uniform(-300, -1, 200), _SPECIAL, [1.5, -3.0]])


# name, ember kernel, torch function, inputs, float64 rtol, atol
CASES = [
    ("erf", S.erf, torch.erf, _wide(), 4e-15, 0),
    ("erfc", S.erfc, torch.erfc, _wide(), 4e-15, 0),
    ("erfinv", S.erfinv, torch.erfinv, _unit(), 4e-15, 0),
    ("lgamma", S.gammaln, torch.lgamma, np.concatenate([_positive(), _wide()]), 4e-15, 1e-15),
    ("digamma", lambda a: S.polygamma(0, a), torch.digamma,
     np.concatenate([_positive(), _wide()]), 1e-13, 1e-14),
    # torch's trigamma stops its asymptotic series early: its own error is ~5e-10.
    ("polygamma1", lambda a: S.polygamma(1, a), lambda t: torch.polygamma(1, t),
     np.concatenate([_positive(), _RNG.uniform(-5, 0, 300)]), 1e-9, 0),
    ("polygamma2", lambda a: S.polygamma(2, a), lambda t: torch.polygamma(2, t),
     np.concatenate([_positive(), _RNG.uniform(-5, 0, 300)]), 1e-13, 1e-200),
    ("polygamma5", lambda a: S.polygamma(5, a), lambda t: torch.polygamma(5, t),
     np.concatenate([_positive(), _RNG.uniform(-5, 0, 300)]), 1e-13, 1e-200),
]
# For n >= 2 and huge x torch's intermediate x^-(n+1) underflows: it returns 0 or loses digits
# below ~1e-200 where ember keeps them (the atol above).


def _finite_or_equal(ours, theirs, rtol, atol):
    """Element-wise closeness; infinities and NaN must agree exactly (including the sign)."""
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    close = np.abs(ours - theirs) <= atol + rtol * np.abs(theirs)
    bad = ~(same | (np.isfinite(ours) & np.isfinite(theirs) & close))
    return bad


@pytest.mark.parametrize("name, kernel, torch_fn, x, rtol, atol", CASES, ids=[c[0] for c in CASES])
def test_float64_matches_torch(name, kernel, torch_fn, x, rtol, atol):
    ours = kernel(x)
    theirs = torch_fn(torch.from_numpy(x)).numpy()
    assert ours.dtype == np.float64
    if name.startswith("polygamma"):
        # torch's trigamma reflection gives huge finite values at the negative integers, where
        # the function has poles; ember says inf there (as torch does at 0 and for n >= 2).
        keep = ~((x < 0) & (x == np.floor(x)))
        x, ours, theirs = x[keep], ours[keep], theirs[keep]
    bad = _finite_or_equal(ours, theirs, rtol, atol)
    assert not bad.any(), "%s differs at %s: ember %s, torch %s" % (
        name, x[bad][:5], ours[bad][:5], theirs[bad][:5])
    # Signs of zeros and infinities as torch.
    zero_or_inf = (theirs == 0) | np.isinf(theirs)
    assert np.array_equal(np.signbit(ours[zero_or_inf]), np.signbit(theirs[zero_or_inf]))


@pytest.mark.parametrize("name, kernel, torch_fn, x, rtol, atol", CASES, ids=[c[0] for c in CASES])
def test_float32_matches_torch(name, kernel, torch_fn, x, rtol, atol):
    x = x.astype(np.float32)
    with np.errstate(over="ignore"):
        ours = kernel(x)
    theirs = torch_fn(torch.from_numpy(x)).numpy()
    assert ours.dtype == np.float32
    # Near the poles at the negative integers torch's float32 arithmetic loses digits (ember
    # computes in float64 and rounds once).
    keep = ~((x < 0) & (np.abs(x - np.round(x)) < 1e-2))
    bad = _finite_or_equal(ours[keep], theirs[keep], 2e-5, 1e-6)
    assert not bad.any(), "%s differs at %s: ember %s, torch %s" % (
        name, x[keep][bad][:5], ours[keep][bad][:5], theirs[keep][bad][:5])


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma_at_infinities_and_nan(n):
    x = np.array([np.inf, -np.inf, np.nan])
    theirs = torch.polygamma(n, torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(S.polygamma(n, x), theirs)


def test_erfinv_inverts_erf_near_one():
    y = 1 - 10.0 ** -np.arange(1, 17)
    x = S.erfinv(y)
    np.testing.assert_allclose(S.erfc(x), 1 - y, rtol=1e-14)


# "*" imports freely; "" allows only the standard library and NumPy (SciPy, torch, Pillow, tqdm,
# safetensors, ONNX, TensorBoard, matplotlib, MPI, ... are absent).
_REGISTRY = PRELUDE + """
import importlib, importlib.util, json, os
import ember
from ember.ops.registry import OPS
w = ember.empty(1000)
ember.nn.init.trunc_normal_(w, a=-1.0, b=1.0)
assert -1.0 <= float(w.min()) and float(w.max()) <= 1.0
names = {"ops": sorted(OPS), "tensor": sorted(dir(ember.Tensor))}
root = os.path.dirname(ember.__file__)
for space in ("ember", "ember.nn.functional", "ember.linalg", "ember.special", "ember.fft"):
    spec = importlib.util.find_spec(space)
    # A namespace this ember does not have (yet) is no difference; the origin check keeps an
    # editable install of another checkout from lending its module.
    if spec is not None and spec.origin.startswith(root):
        names[space] = sorted(dir(importlib.import_module(space)))
print(json.dumps({"names": names, "scipy": "scipy" in sys.modules, "torch": "torch" in sys.modules,
                  "digamma": float(ember.digamma(ember.tensor(1.0, dtype=ember.float64)))}))
"""


def test_registry_is_the_same_without_optional_packages():
    def run(mode):
        out = subprocess.run([sys.executable, "-c", _REGISTRY, mode], capture_output=True,
                             text=True, env=dict(os.environ))
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    blocked, free = run(""), run("*")
    assert not blocked["scipy"] and not free["scipy"] and not blocked["torch"]
    assert blocked == free
    assert {"erfinv", "lgamma", "digamma", "polygamma"} <= set(blocked["names"]["ops"])
    assert {"ember", "ember.nn.functional", "ember.linalg"} <= set(blocked["names"])
    assert blocked["digamma"] == pytest.approx(-0.5772156649015329, rel=1e-15)
