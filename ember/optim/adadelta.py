"""Adadelta, mirroring ``torch.optim.Adadelta``."""
from ember._backend import np
from ember.optim.adam import _check_weight_decay, _step_tensor
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar, _zeros_like)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012): the step is :math:`\sqrt{u_{t-1} + \epsilon} /
    \sqrt{v_t + \epsilon} \, g_t`, with running averages :math:`v` of squared gradients and
    :math:`u` of squared steps.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): coefficient scaling the delta (default: 1.0).
        rho (float): decay of the running averages (default: 0.9).
        eps (float): term added inside the square roots (default: 1e-6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for torch compatibility.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError("Invalid rho value: {}".format(rho))
        if not 0.0 <= eps:
            raise ValueError("Invalid epsilon value: {}".format(eps))
        _check_weight_decay(weight_decay)
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        state["square_avg"] = _zeros_like(p._data)
        state["acc_delta"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        _inc(state["step"])
        grad = self._grad(p, grad, group)
        square_avg = state["square_avg"]._data
        acc_delta = state["acc_delta"]._data
        tmp, delta = self._tmp(p), self._tmp(p, 1)
        square_avg *= rho
        np.multiply(grad, 1 - rho, out=tmp)
        tmp *= grad
        square_avg += tmp
        np.add(square_avg, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.add(acc_delta, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= tmp
        delta *= grad
        acc_delta *= rho
        np.multiply(delta, 1 - rho, out=tmp)
        tmp *= delta
        acc_delta += tmp
        np.multiply(delta, -_to_scalar(group["lr"]), out=tmp)
        p += tmp
