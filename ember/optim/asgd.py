"""Averaged SGD, mirroring ``torch.optim.ASGD``."""
from ember._backend import np
from ember._tensor import _make
from ember.optim.adam import _check_weight_decay, _step_tensor
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar, _zeros_like)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (Polyak & Juditsky, 1992).

    The step size decays as :math:`\eta_t = \gamma / (1 + \lambda \gamma t)^\alpha`; from step
    ``t0`` on, ``state['ax']`` holds the running average of the iterates.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-2).
        lambd (float): decay term (default: 1e-4).
        alpha (float): power for the eta update (default: 0.75).
        t0 (float): step at which averaging starts (default: 1e6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for torch compatibility.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_weight_decay(weight_decay)
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        state["eta"] = _make(np.array(_to_scalar(group["lr"]), dtype=np.float32))
        state["mu"] = _make(np.ones((), dtype=np.float32))
        state["ax"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        lr = _to_scalar(group["lr"])
        lambd, alpha = group["lambd"], group["alpha"]
        step = _inc(state["step"])
        grad = self._grad(p, grad, group)
        eta = state["eta"]._data
        mu = state["mu"]._data
        ax = state["ax"]._data
        tmp = self._tmp(p)
        eta_value = float(eta)
        p *= 1 - lambd * eta_value
        np.multiply(grad, -eta_value, out=tmp)
        p += tmp
        if float(mu) != 1:
            np.subtract(p, ax, out=tmp)
            tmp *= mu
            ax += tmp
        else:
            ax[...] = p
        # eta and mu are float32 tensors in torch: store them rounded the same way.
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu[...] = 1 / max(1, step - group["t0"])
