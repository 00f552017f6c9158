"""Adagrad, mirroring ``torch.optim.Adagrad``."""
from ember._backend import np
from ember._tensor import _make
from ember.optim.adam import _check_weight_decay, _step_tensor
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011): :math:`s_t = s_{t-1} + g_t^2`, :math:`\theta_t =
    \theta_{t-1} - \tilde\gamma g_t / (\sqrt{s_t} + \epsilon)` with :math:`\tilde\gamma =
    \gamma / (1 + (t - 1) \eta)`.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-2).
        lr_decay (float): learning rate decay :math:`\eta` (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        initial_accumulator_value (float): starting value of the sum of squares (default: 0).
        eps (float): term added to the denominator (default: 1e-10).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, fused: accepted for torch compatibility.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError("Invalid lr_decay value: {}".format(lr_decay))
        _check_weight_decay(weight_decay)
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: {}".format(
                initial_accumulator_value))
        if not 0.0 <= eps:
            raise ValueError("Invalid epsilon value: {}".format(eps))
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # Unlike the other optimizers, torch creates Adagrad's state up front.
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        state["sum"] = _make(np.full_like(p._data, self.defaults["initial_accumulator_value"]))

    def _update(self, p, grad, state, group):
        step = _inc(state["step"])
        grad = self._grad(p, grad, group)
        clr = _to_scalar(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"]._data
        tmp, std = self._tmp(p), self._tmp(p, 1)
        np.multiply(grad, grad, out=tmp)
        state_sum += tmp
        np.sqrt(state_sum, out=std)
        std += group["eps"]
        np.multiply(grad, -clr, out=tmp)
        tmp /= std
        p += tmp
