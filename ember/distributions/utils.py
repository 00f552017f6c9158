"""Helpers shared by the distributions: broadcasting parameters, probs/logits conversion,
cached properties and the random source."""
import numbers

import ember
from ember._backend import np
from ember._tensor import Tensor

euler_constant = 0.57721566490153286060


def broadcast_all(*values):
    """Tensors broadcast to one shape; numbers become tensors of the others' (or default) dtype."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor "
                         "or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = next((v.dtype for v in values if isinstance(v, Tensor)),
                     ember.get_default_dtype())
        values = [v if isinstance(v, Tensor) else ember.tensor(v, dtype=dtype) for v in values]
    return ember.broadcast_tensors(*values)


def _finfo(t):
    return np.finfo(t._data.dtype if t.is_floating_point() else np.float32)


def clamp_probs(probs):
    """Probabilities kept inside ``[eps, 1 - eps]`` of their dtype."""
    eps = float(_finfo(probs).eps)
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def probs_to_logits(probs, is_binary=False):
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:
    """A property computed on first access and then stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def tril_matrix_to_vec(mat, diag=0):
    n = mat.shape[-1]
    rows, cols = np.tril_indices(n, k=diag)
    return mat[..., ember.tensor(rows), ember.tensor(cols)]


def vec_to_tril_matrix(vec, diag=0):
    n = int(round((-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1]) ** 0.5) / 2))
    rows, cols = np.tril_indices(n, k=diag)
    flat = np.ravel_multi_index((rows, cols), (n, n))
    out = vec.new_zeros(tuple(vec.shape[:-1]) + (n * n,))
    index = ember.tensor(flat).expand(tuple(vec.shape[:-1]) + (len(flat),))
    return out.scatter(-1, index, vec).reshape(tuple(vec.shape[:-1]) + (n, n))


def _rng():
    """The NumPy generator behind ember's default generator (``ember.manual_seed`` seeds it)."""
    from ember import random

    return random.default_generator._rng


def _sample_array(arr, like):
    """A tensor (no grad) holding ``arr`` in ``like``'s dtype."""
    return ember.from_numpy(np.asarray(arr).astype(like._data.dtype, copy=False))
