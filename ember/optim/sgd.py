"""Stochastic gradient descent (optionally with momentum), mirroring ``torch.optim.SGD``."""
from ember._backend import np
from ember._tensor import _make
from ember.optim.optimizer import Optimizer, _check_differentiable, _check_lr, _to_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional (Nesterov) momentum.

    With momentum :math:`\mu` and dampening :math:`\tau`: :math:`b_t = \mu b_{t-1} +
    (1 - \tau) g_t` (:math:`b_1 = g_1`), then :math:`\theta_t = \theta_{t-1} - \gamma b_t`
    (Nesterov: :math:`- \gamma (g_t + \mu b_t)`).

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-3).
        momentum (float): momentum factor (default: 0).
        dampening (float): dampening for momentum (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        nesterov (bool): enables Nesterov momentum (default: False).
        maximize (bool): maximize the objective instead of minimizing (default: False).
        foreach, differentiable, fused: accepted for torch compatibility; ember has a single
            implementation, and ``differentiable=True`` is not supported.

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError("Invalid momentum value: {}".format(momentum))
        if weight_decay < 0.0:
            raise ValueError("Invalid weight_decay value: {}".format(weight_decay))
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)

    def _step_group(self, group):
        # Overridden because SGD keeps no state at all without momentum (as torch).
        lr = _to_scalar(group["lr"])
        momentum = group["momentum"]
        dampening = group["dampening"]
        nesterov = group["nesterov"]
        state = self.state
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            data = p._data
            grad = self._grad(data, g._data, group)
            tmp = self._tmp(data)
            if momentum != 0:
                st = state[p]
                buf = st.get("momentum_buffer")
                if buf is None:
                    buf = np.array(grad, copy=True)
                    st["momentum_buffer"] = _make(buf)
                else:
                    buf = buf._data
                    buf *= momentum
                    if dampening == 0:
                        np.add(buf, grad, out=buf)
                    else:
                        np.multiply(grad, 1 - dampening, out=tmp)
                        np.add(buf, tmp, out=buf)
                if nesterov:
                    np.multiply(buf, momentum, out=tmp)
                    np.add(grad, tmp, out=tmp)
                    grad = tmp
                else:
                    grad = buf
            np.multiply(grad, -lr, out=tmp)
            np.add(data, tmp, out=data)
            p._bump_version()

