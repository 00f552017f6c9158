"""Adafactor, mirroring ``torch.optim.Adafactor`` (Shazeer & Stern, 2018): the second moment of a
matrix gradient is kept as a row and a column factor, so its state is O(n + m), not O(n m)."""
import math

from ember._backend import np
from ember._tensor import Tensor, _make
from ember.optim.adam import _step_tensor
from ember.optim.optimizer import Optimizer, _inc, _to_scalar, _zeros_like

__all__ = ["Adafactor"]


def _rms(a):
    """``a.norm(2) / sqrt(a.numel())`` in ``a``'s dtype, as a float."""
    flat = a.reshape(-1)
    return float(np.sqrt(np.dot(flat, flat))) / math.sqrt(max(a.size, 1))


def _mean_square(grad, axis):
    """``norm(grad, dim=axis, keepdim=True) ** 2 / grad.size(axis)`` (the norm rounded to the
    dtype first, as torch's, so trajectories agree to the last bits)."""
    norm = np.sqrt(np.sum(grad * grad, axis=axis, keepdims=True))
    return norm * norm / grad.dtype.type(grad.shape[axis])


class Adafactor(Optimizer):
    r"""Adafactor: with :math:`\hat\beta_{2,t} = 1 - t^{\tau}` (:math:`\tau` = ``beta2_decay``),
    a matrix gradient's second moment is the outer product of its row and column running means
    of :math:`G^2` over the mean row factor; a vector's is a running mean. The update
    :math:`G / \max(\sqrt{\hat V}, \epsilon_1)` is clipped to RMS ``d`` and scaled by
    :math:`\max(\epsilon_2, \mathrm{RMS}(\theta)) \min(\gamma, 1/\sqrt t)`.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): maximum relative step size; also scales the decoupled weight decay
            (default: 1e-2).
        beta2_decay (float): :math:`\tau` (default: -0.8).
        eps (Tuple[float or None, float]): :math:`\epsilon_1` (None: the dtype's machine
            epsilon) and :math:`\epsilon_2` (default: (None, 1e-3)).
        d (float): clipping threshold of the update's RMS (default: 1.0).
        weight_decay (float): decoupled weight decay coefficient (default: 0).
        foreach: accepted for torch compatibility.
        maximize (bool): maximize the objective (default: False).

    Example::

        >>> import ember
        >>> w = ember.nn.Parameter(ember.ones(2, 3))
        >>> opt = Adafactor([w], lr=0.1)
        >>> w.sum().backward()
        >>> opt.step()
        >>> round(w[0, 0].item(), 4)
        0.9
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= _to_scalar(lr):
            raise ValueError("Learning rate should be >= 0 but is: {}".format(lr))
        if not 0.0 >= beta2_decay:
            raise ValueError("beta2_decay should be <= 0 but is: {}".format(beta2_decay))
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError("epsilon1 should be >= 0 but is: {}".format(eps[0]))
        if not 0.0 <= eps[1]:
            raise ValueError("epsilon2 should be >= 0 but is: {}".format(eps[1]))
        if not 1.0 <= d:
            raise ValueError("Clipping threshold d should be >= 1 but is: {}".format(d))
        if not 0.0 <= weight_decay:
            raise ValueError("weight_decay should be >= 0 but is: {}".format(weight_decay))
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        if p._data.ndim > 1:
            shape = p._data.shape
            state["row_var"] = _make(np.zeros(shape[:-1] + (1,), dtype=p._data.dtype))
            state["col_var"] = _make(np.zeros(shape[:-2] + (1,) + shape[-1:],
                                              dtype=p._data.dtype))
        else:
            state["variance"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        if group["maximize"]:
            grad = -grad
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        lr = _to_scalar(group["lr"])
        step = _inc(state["step"])
        weight = step ** group["beta2_decay"]
        alpha = max(eps2, _rms(p)) * min(lr, 1 / step ** 0.5)
        if group["weight_decay"] != 0:
            p *= 1 - lr * group["weight_decay"]
        if grad.ndim > 1:
            row_var, col_var = state["row_var"]._data, state["col_var"]._data
            self._lerp(row_var, _mean_square(grad, -1), weight, np.empty_like(row_var))
            self._lerp(col_var, _mean_square(grad, -2), weight, np.empty_like(col_var))
            estimate = np.matmul(row_var, col_var)
            estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
        else:
            variance = state["variance"]._data
            self._lerp(variance, grad * grad, weight, np.empty_like(variance))
            estimate = variance.copy()
        update = np.maximum(estimate, eps1 * eps1, out=estimate)
        np.sqrt(update, out=update)
        np.divide(grad, update, out=update)
        denom = max(1.0, _rms(update) / group["d"])
        update *= -alpha / denom
        p += update
