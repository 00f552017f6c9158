"""Gradient clipping: by total norm (one fused NumPy pass over all grads) or by value."""
import math
import warnings

from ember._backend import np
from ember._tensor import Tensor, _make

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients together so that their total ``norm_type`` norm is at most
    ``max_norm``; returns the total norm (before clipping) as a tensor."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return _make(np.asarray(0.0, dtype=np.float32))
    dtype = grads[0]._data.dtype
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g._data))) if g._data.size else 0.0 for g in grads)
    else:
        acc = 0.0
        for g in grads:
            a = g._data
            if norm_type == 2.0:
                flat = a.reshape(-1)
                acc += float(np.dot(flat, flat))
            else:
                acc += float(np.sum(np.abs(a) ** norm_type))
        total = acc ** (1.0 / norm_type)
    total_t = _make(np.asarray(total, dtype=dtype))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError("The total norm of order %s for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale "
                           "the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`" % norm_type)
    # torch computes the coefficient in the gradients' dtype and clamps it at 1.
    coef = np.asarray(max_norm, dtype=dtype) / (np.asarray(total, dtype=dtype) + dtype.type(1e-6))
    if coef < 1:
        for g in grads:
            g._data *= coef
            g._bump_version()
    return total_t


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump_version()
