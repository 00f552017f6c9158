"""Adamax, mirroring ``torch.optim.Adamax``: Adam with an infinity-norm second moment."""
from ember._backend import np
from ember.optim.adam import _check_betas, _check_weight_decay, _step_tensor
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar, _zeros_like)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2014, section 7): :math:`u_t = \max(\beta_2 u_{t-1}, |g_t| +
    \epsilon)`, :math:`\theta_t = \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} m_t / u_t`.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 2e-3).
        betas (Tuple[float, float]): decay rates (default: (0.9, 0.999)).
        eps (float): term added to ``|g|`` (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for torch compatibility.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_betas(betas, eps)
        _check_weight_decay(weight_decay)
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros_like(p._data)
        state["exp_inf"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        step = _inc(state["step"])
        grad = self._grad(p, grad, group)
        exp_avg = state["exp_avg"]._data
        exp_inf = state["exp_inf"]._data
        tmp = self._tmp(p)
        self._lerp(exp_avg, grad, 1 - beta1, tmp)
        exp_inf *= beta2
        np.abs(grad, out=tmp)
        tmp += group["eps"]
        np.maximum(exp_inf, tmp, out=exp_inf)
        clr = _to_scalar(group["lr"]) / (1 - beta1 ** step)
        np.multiply(exp_avg, -clr, out=tmp)
        tmp /= exp_inf
        p += tmp
