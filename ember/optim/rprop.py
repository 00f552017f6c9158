"""Resilient backpropagation, mirroring ``torch.optim.Rprop``."""
from ember._backend import np
from ember._tensor import _make
from ember.optim.adam import _step_tensor
from ember.optim.optimizer import (Optimizer, _check_differentiable, _check_lr, _inc,
                                   _to_scalar, _zeros_like)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun, 1993): each element keeps its own step size, multiplied by
    ``etaplus`` while the gradient keeps its sign and by ``etaminus`` when it flips (and the
    step is then skipped); the parameter moves by ``-sign(g) * step_size``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): initial step size (default: 1e-2).
        etas (Tuple[float, float]): (etaminus, etaplus) (default: (0.5, 1.2)).
        step_sizes (Tuple[float, float]): minimal and maximal step size (default: (1e-6, 50)).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for torch compatibility.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError("Invalid eta values: {}, {}".format(etas[0], etas[1]))
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = _step_tensor()
        state["prev"] = _zeros_like(p._data)
        state["step_size"] = _make(np.full_like(p._data, _to_scalar(group["lr"])))

    def _update(self, p, grad, state, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        _inc(state["step"])
        grad = self._grad(p, grad, group)
        prev = state["prev"]._data
        step_size = state["step_size"]._data
        factor = self._tmp(p)
        np.multiply(grad, prev, out=factor)
        np.sign(factor, out=factor)
        positive, negative = factor > 0, factor < 0
        factor[factor == 0] = 1
        factor[positive] = etaplus
        factor[negative] = etaminus
        step_size *= factor
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        # After a sign change the gradient counts as zero: no step now, and no flip next time.
        np.copyto(prev, grad)
        prev[factor == np.float32(etaminus)] = 0
        np.sign(prev, out=factor)
        factor *= step_size
        np.subtract(p, factor, out=p)
