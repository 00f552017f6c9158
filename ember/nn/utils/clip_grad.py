"""Gradient clipping: by total norm (one fused NumPy pass over all grads) or by value."""
import math
import warnings

from ember._backend import np
from ember._tensor import Tensor, _make

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _vector_norm(a, norm_type):
    """``linalg.vector_norm(a, norm_type)`` of a flat float array, as a Python float."""
    if a.size == 0:
        return 0.0
    if norm_type == math.inf:
        return float(np.max(np.abs(a)))
    if norm_type == -math.inf:
        return float(np.min(np.abs(a)))
    if norm_type == 0:
        return float(np.count_nonzero(a))
    if norm_type == 2.0:
        return math.sqrt(float(np.dot(a, a)))
    return float(np.sum(np.abs(a) ** norm_type)) ** (1.0 / norm_type)


def _total(arrays, norm_type, error_if_nonfinite):
    """The norm of the tensors' norms (one pass over each array), checked if asked."""
    norms = np.array([_vector_norm(a.reshape(-1).astype(np.float64, copy=False), norm_type)
                      for a in arrays])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError("The total norm of order %s for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale "
                           "the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`" % norm_type)
    return total


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type`` norm of all ``tensors`` together (as if concatenated into one vector).

    Example:
        >>> import ember
        >>> get_total_norm([ember.tensor([3.0]), ember.tensor([4.0])])
        tensor(5.)
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not tensors:
        return _make(np.asarray(0.0, dtype=np.float32))
    total = _total([t._data for t in tensors], float(norm_type), error_if_nonfinite)
    return _make(np.asarray(total, dtype=tensors[0]._data.dtype))


def _scale(grads, max_norm, total, dtype):
    # torch computes the coefficient in the gradients' dtype and clamps it at 1.
    coef = np.asarray(max_norm, dtype=dtype) / (np.asarray(total, dtype=dtype) + dtype.type(1e-6))
    if coef < 1:
        for g in grads:
            g._data *= coef.astype(g._data.dtype)
            g._bump_version()


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``min(max_norm / (total_norm + 1e-6), 1)``, a total norm computed
    beforehand (``get_total_norm`` of the gradients)."""
    grads = _grads(parameters)
    if grads:
        total = total_norm._data if isinstance(total_norm, Tensor) else total_norm
        _scale(grads, float(max_norm), total, grads[0]._data.dtype)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients together so that their total ``norm_type`` norm is at most
    ``max_norm``; returns the total norm (before clipping) as a tensor."""
    grads = _grads(parameters)
    if not grads:
        return _make(np.asarray(0.0, dtype=np.float32))
    dtype = grads[0]._data.dtype
    total = _total([g._data for g in grads], float(norm_type), error_if_nonfinite)
    _scale(grads, max_norm, total, dtype)
    return _make(np.asarray(total, dtype=dtype))


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
