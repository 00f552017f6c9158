"""Dropout in its variants: dropout, alpha_dropout, feature_alpha_dropout, dropout1d/2d/3d."""
import math
import warnings

from ember._backend import array_module, np
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
        xp = array_module(a)
        mask = xp.zeros(shape, dtype=dt)
        return Dropout.apply((input,), mask, None if not alpha else xp.zeros(shape, dtype=dt))
    keep = _keep_mask(shape, p, dt)
    if not alpha:
        keep *= dt.type(1.0 / (1.0 - p))
        return Dropout.apply((input,), keep)
    neg_sat = 1.7580993408473766
    scale = 1.0 / math.sqrt((neg_sat * neg_sat * p + 1) * (1 - p))
    shift = (keep - 1) * dt.type(neg_sat * scale) + dt.type(neg_sat * scale * p)
    return Dropout.apply((input,), keep * dt.type(scale), shift)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``
    during training; the identity otherwise.

    Args:
        input (Tensor): the input.
        p (float): the probability of an element to be zeroed. Default: 0.5.
        training (bool): apply dropout (``False``: return ``input``). Default: ``True``.
        inplace (bool): write the result into ``input``. Default: ``False``.

    Shape:
        - Input: ``(*)``. Output: the same shape.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> y = F.dropout(ember.ones(1000), p=0.5)
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
        >>> F.dropout(ember.ones(3), p=0.5, training=False)
        tensor([1., 1., 1.])
    """
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


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (``(N, C, L)`` or ``(C, L)`` input) with probability ``p``."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError("dropout1d: Expected 2D or 3D input, but received a %dD input. Note "
                           "that dropout1d exists to provide channel-wise dropout on inputs with "
                           "1 spatial dimension, a channel dimension, and an optional batch "
                           "dimension (i.e. 2D or 3D inputs)." % nd)
    return _dropout(input, p, training, inplace, feature_dims=nd - 1)


def _warn_feature_dims(input, ndim, name):
    nd = input._data.ndim
    if nd not in (ndim + 1, ndim + 2):
        warnings.warn(
            "%s: Received a %d-D input to %s, which is deprecated and will result in an error in "
            "a future release. To retain the behavior and silence this warning, please use "
            "dropout instead. Note that %s exists to provide channel-wise dropout on inputs with "
            "%d spatial dimensions, a channel dimension, and an optional batch dimension (i.e. "
            "%dD or %dD inputs)." % (name, nd, name, name, ndim, ndim + 1, ndim + 2),
            UserWarning, stacklevel=3)
    return nd


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, H, W)`` input with probability ``p``.

    Other ranks warn and run as torch runs them: the first two dimensions are taken as
    ``(N, C)``, so a 3-D input is ``(N, C, L)`` and a 2-D one drops single elements.
    """
    nd = _warn_feature_dims(input, 2, "dropout2d")
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning, stacklevel=2)
    if nd < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _dropout(input, p, training, inplace, feature_dims=2)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input with probability
    ``p`` (other ranks warn, as in torch, and drop along the first dimension)."""
    nd = _warn_feature_dims(input, 3, "dropout3d")
    return _dropout(input, p, training, inplace, feature_dims=2 if nd == 5 else 1)
