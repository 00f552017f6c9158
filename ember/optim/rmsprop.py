"""RMSprop, mirroring ``torch.optim.RMSprop``."""
from ember._backend import np
from ember.optim.adam import _check_weight_decay, _step_tensor
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar, _zeros_like)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton): divide the gradient by a running root mean square,
    :math:`v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2`; ``centered`` subtracts the squared running
    mean of the gradient; ``momentum`` accumulates the scaled step.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-2).
        alpha (float): smoothing constant (default: 0.99).
        eps (float): term added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        momentum (float): momentum factor (default: 0).
        centered (bool): normalize by an estimate of the gradient's variance (default: False).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for torch compatibility.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError("Invalid epsilon value: {}".format(eps))
        if not 0.0 <= momentum:
            raise ValueError("Invalid momentum value: {}".format(momentum))
        _check_weight_decay(weight_decay)
        if not 0.0 <= alpha:
            raise ValueError("Invalid alpha value: {}".format(alpha))
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        state["square_avg"] = _zeros_like(p._data)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p._data)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        lr = _to_scalar(group["lr"])
        alpha = group["alpha"]
        _inc(state["step"])
        grad = self._grad(p, grad, group)
        square_avg = state["square_avg"]._data
        tmp, avg = self._tmp(p), self._tmp(p, 1)
        square_avg *= alpha
        np.multiply(grad, 1 - alpha, out=tmp)
        tmp *= grad
        square_avg += tmp
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            self._lerp(grad_avg, grad, 1 - alpha, tmp)
            np.multiply(grad_avg, grad_avg, out=tmp)
            np.subtract(square_avg, tmp, out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(square_avg, out=avg)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]._data
            buf *= group["momentum"]
            np.divide(grad, avg, out=tmp)
            buf += tmp
            np.multiply(buf, -lr, out=tmp)
        else:
            np.multiply(grad, -lr, out=tmp)
            tmp /= avg
        p += tmp
