"""NAdam, mirroring ``torch.optim.NAdam``: Adam with Nesterov momentum."""
from ember._backend import np
from ember._tensor import _make
from ember.optim.adam import (_check_betas, _check_weight_decay, _decayed_grad, _step_tensor,
                              _update_moments)
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar, _zeros_like)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016) with the momentum schedule :math:`\mu_t = \beta_1 (1 - 0.5 \cdot
    0.96^{t \psi})`.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 2e-3).
        betas (Tuple[float, float]): decay rates (default: (0.9, 0.999)).
        eps (float): term added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        momentum_decay (float): :math:`\psi` (default: 4e-3).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for torch compatibility.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        _check_betas(betas, eps)
        _check_weight_decay(weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError("Invalid momentum_decay value: {}".format(momentum_decay))
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        state["mu_product"] = _make(np.ones((), dtype=np.float32))
        state["exp_avg"] = _zeros_like(p._data)
        state["exp_avg_sq"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        step = _inc(state["step"])
        bias_correction2 = 1 - beta2 ** step
        grad = _decayed_grad(self, p, grad, group, lr)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        # The product lives in a float32 tensor, as torch's, so it rounds like torch's.
        mu_product = state["mu_product"]._data
        mu_product *= mu
        mu_product = float(mu_product)
        exp_avg = state["exp_avg"]._data
        exp_avg_sq = state["exp_avg_sq"]._data
        tmp, denom = self._tmp(p), self._tmp(p, 1)
        _update_moments(self, exp_avg, exp_avg_sq, grad, beta1, beta2, tmp)
        np.divide(exp_avg_sq, bias_correction2, out=denom)
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        np.multiply(grad, -lr * (1.0 - mu) / (1.0 - mu_product), out=tmp)
        tmp /= denom
        p += tmp
        np.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_product * mu_next), out=tmp)
        tmp /= denom
        p += tmp
