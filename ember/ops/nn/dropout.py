"""Dropout in its variants: dropout, alpha_dropout, feature_alpha_dropout, dropout1d/2d/3d."""
import math

from ember._backend import np
from ember.autograd.function import Node
from ember.ops.nn.activation import _const, _inplace
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn
from ember.random import default_generator


class Dropout(Node):
    """x * mask, the mask drawn from ember's default generator (kept as a constant)."""

    def forward(ctx, a, mask, shift=None):
        ctx.mask = mask
        out = a * mask
        if shift is not None:
            out += shift
        return out

    def backward(ctx, g):
        return g * _const(ctx.mask)

    @staticmethod
    def onnx(call):
        call.fail("dropout in training mode (export runs the model in eval mode unless "
                  "training= says otherwise)")


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError("dropout probability has to be between 0 and 1, but got %s" % p)


def _keep_mask(shape, p, dtype):
    rng = default_generator._rng
    r = rng.random(shape, dtype=np.float32 if dtype != np.float64 else np.float64)
    return (r >= p).astype(dtype)


def _dropout(input, p, training, inplace, feature_dims=None, alpha=False):
    _check_p(p)
    if not training or p == 0 or input._data.size == 0:
        return input
    if inplace:
        return _inplace(input, _dropout, p, training, False, feature_dims, alpha)
    a = input._data
    shape = a.shape
    if feature_dims is not None:
        shape = shape[:feature_dims] + (1,) * (a.ndim - feature_dims)
    dt = a.dtype
    if p == 1:
        mask = np.zeros(shape, dtype=dt)
        return Dropout.apply((input,), mask, None if not alpha else np.zeros(shape, dtype=dt))
    keep = _keep_mask(shape, p, dt)
    if not alpha:
        keep *= dt.type(1.0 / (1.0 - p))
        return Dropout.apply((input,), keep)
    neg_sat = 1.7580993408473766
    scale = 1.0 / math.sqrt((neg_sat * neg_sat * p + 1) * (1 - p))
    shift = (keep - 1) * dt.type(neg_sat * scale) + dt.type(neg_sat * scale * p)
    return Dropout.apply((input,), keep * dt.type(scale), shift)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` during
    training; the identity otherwise."""
    return _dropout(input, p, training, inplace)


register_nn("dropout", lambda x, p=0.5, training=True: dropout(x, p, training),
    lambda dt: iter([SampleInput(T(3, 4), 0.4, False), SampleInput(T(3, 4), 0.0),
                     SampleInput(T(3, 4), 1.0)]),
    lambda: iter([ErrorInput(SampleInput(T(3), 1.5), ValueError, "between 0 and 1")]),
    ref=lambda torch, x, p=0.5, training=True: torch.nn.functional.dropout(x, p, training))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps the self-normalising mean and variance (for SELU networks)."""
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _dropout(input, p, training, inplace, feature_dims=2, alpha=True)


def _feature_dropout(input, p, training, inplace, ndim, name):
    nd = input._data.ndim
    if nd not in (ndim + 1, ndim + 2):
        raise RuntimeError("%s: Expected %dD or %dD input, but received a %dD input. Note that "
                           "%s will exhibit incorrect behavior if the input tensor is not %d or "
                           "%d dimensional." % (name, ndim + 1, ndim + 2, nd, name, ndim + 1,
                                                ndim + 2))
    return _dropout(input, p, training, inplace, feature_dims=nd - ndim)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (``(N, C, L)`` or ``(C, L)`` input) with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (``(N, C, H, W)`` or ``(C, H, W)`` input) with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")
