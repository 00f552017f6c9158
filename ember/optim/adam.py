"""Adam, mirroring ``torch.optim.Adam`` (``decoupled_weight_decay=True`` gives AdamW)."""
from ember._backend import np
from ember._tensor import _make
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar, _zeros_like)

__all__ = ["Adam"]


def _check_betas(betas, eps):
    if not 0.0 <= eps:
        raise ValueError("Invalid epsilon value: {}".format(eps))
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError("Invalid beta parameter at index 0: {}".format(betas[0]))
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError("Invalid beta parameter at index 1: {}".format(betas[1]))


def _check_weight_decay(weight_decay):
    if not 0.0 <= weight_decay:
        raise ValueError("Invalid weight_decay value: {}".format(weight_decay))


def _decayed_grad(opt, p, grad, group, lr):
    """The gradient after weight decay; decoupled (AdamW-style) decay shrinks ``p`` first."""
    if group["weight_decay"] != 0 and group["decoupled_weight_decay"]:
        p *= 1 - lr * group["weight_decay"]
        return opt._grad(p, grad, group, decay=False)
    return opt._grad(p, grad, group)


def _update_moments(opt, exp_avg, exp_avg_sq, grad, beta1, beta2, tmp):
    """Adam's moments in place: exp_avg lerps to grad by 1 - beta1; exp_avg_sq = beta2 *
    exp_avg_sq + (1 - beta2) * grad**2 (``tmp`` is scratch)."""
    opt._lerp(exp_avg, grad, 1 - beta1, tmp)
    exp_avg_sq *= beta2
    np.multiply(grad, 1 - beta2, out=tmp)
    tmp *= grad
    exp_avg_sq += tmp


def _step_tensor():
    """torch's default ``state['step']``: a float32 0-d tensor on the CPU."""
    return _make(np.zeros((), dtype=np.float32))


def _moment_state(p, state):
    """The Adam family's state: ``step``, ``exp_avg``, ``exp_avg_sq`` (torch's key order)."""
    state["step"] = _step_tensor()
    state["exp_avg"] = _zeros_like(p._data)
    state["exp_avg_sq"] = _zeros_like(p._data)


def _moment_step(opt, p, grad, state, group):
    """The start of an Adam-family step: count it, apply weight decay, update both moments
    (scratch in ``opt._tmp(p)``). Returns ``(lr, beta1, beta2, step, exp_avg, exp_avg_sq)``."""
    lr = _to_scalar(group["lr"])
    beta1, beta2 = group["betas"]
    step = _inc(state["step"])
    grad = _decayed_grad(opt, p, grad, group, lr)
    exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
    _update_moments(opt, exp_avg, exp_avg_sq, grad, beta1, beta2, opt._tmp(p))
    return lr, beta1, beta2, step, exp_avg, exp_avg_sq


class Adam(Optimizer):
    r"""Adam: adaptive moment estimation (Kingma & Ba, 2014).

    :math:`m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t`, :math:`v_t = \beta_2 v_{t-1} +
    (1 - \beta_2) g_t^2`, :math:`\theta_t = \theta_{t-1} - \gamma \hat m_t / (\sqrt{\hat v_t}
    + \epsilon)` with bias-corrected moments.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-3).
        betas (Tuple[float, float]): decay rates of the moment estimates (default: (0.9, 0.999)).
        eps (float): term added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        amsgrad (bool): use the maximum of past second moments (default: False).
        maximize (bool): maximize the objective (default: False).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default: False).
        foreach, capturable, differentiable, fused: accepted for torch compatibility.

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = ember.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_lr(lr)
        _check_betas(betas, eps)
        _check_weight_decay(weight_decay)
        _check_differentiable(differentiable)
        betas = tuple(_to_scalar(b) for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("decoupled_weight_decay", False)

    def _init_state(self, p, state, group):
        _moment_state(p, state)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        lr, beta1, beta2, step, exp_avg, exp_avg_sq = _moment_step(self, p, grad, state, group)
        tmp, tmp2 = self._tmp(p), self._tmp(p, 1)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        step_size = lr / bias_correction1
        if group["amsgrad"]:
            max_sq = state["max_exp_avg_sq"]._data
            np.maximum(max_sq, exp_avg_sq, out=max_sq)
            np.sqrt(max_sq, out=tmp)
        else:
            np.sqrt(exp_avg_sq, out=tmp)
        tmp /= bias_correction2_sqrt
        tmp += group["eps"]
        np.multiply(exp_avg, -step_size, out=tmp2)
        tmp2 /= tmp
        p += tmp2
