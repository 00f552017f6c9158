"""RAdam, mirroring ``torch.optim.RAdam``: Adam with a rectified adaptive learning rate."""
from ember._backend import np
from ember.optim.adam import _check_betas, _check_weight_decay, _moment_state, _moment_step
from ember.optim.optimizer import Optimizer, _check_differentiable, _check_lr

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2019): while the variance of the adaptive rate is intractable
    (:math:`\rho_t \le 5`) the step is plain momentum SGD; afterwards Adam's step times the
    rectification term :math:`r_t`.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-3).
        betas (Tuple[float, float]): decay rates (default: (0.9, 0.999)).
        eps (float): term added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for torch compatibility.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_lr(lr)
        _check_betas(betas, eps)
        _check_weight_decay(weight_decay)
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        _moment_state(p, state)

    def _update(self, p, grad, state, group):
        lr, beta1, beta2, step, exp_avg, exp_avg_sq = _moment_step(self, p, grad, state, group)
        tmp, upd = self._tmp(p), self._tmp(p, 1)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        np.divide(exp_avg, bias_correction1, out=upd)
        upd *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            np.sqrt(exp_avg_sq, out=tmp)
            tmp += group["eps"]
            # torch evaluates ``scalar / tensor`` as ``tensor.reciprocal() * scalar``.
            np.reciprocal(tmp, out=tmp)
            tmp *= bias_correction2 ** 0.5
            upd *= tmp
            upd *= rect
        np.subtract(p, upd, out=p)
