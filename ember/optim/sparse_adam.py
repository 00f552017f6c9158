"""SparseAdam, mirroring ``torch.optim.SparseAdam`` (lazy Adam for sparse gradients)."""
import math

from ember._backend import np
from ember.optim.adam import _check_betas
from ember.optim.optimizer import Optimizer, _to_scalar, _zeros_like

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""A masked Adam: only the moments and parameter entries that appear in the gradient are
    updated (lazy Adam, for embeddings).

    ember has no sparse tensors, so the gradient is dense: a *row* (a slice along the first
    dimension, the element of a 0-d or 1-d parameter) whose gradient is entirely zero counts as
    absent, as in the sparse gradient of ``nn.Embedding(sparse=True)``, which lists the rows that
    were looked up. This matches torch's ``SparseAdam`` fed ``grad.to_sparse(sparse_dim=1)``.
    ``state['step']`` is a Python int, as in torch.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float): learning rate (default: 1e-3).
        betas (Tuple[float, float]): decay rates (default: (0.9, 0.999)).
        eps (float): term added to the denominator (default: 1e-8).
        maximize (bool): maximize the objective (default: False).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        from ember._tensor import Tensor

        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError("Invalid learning rate: {}".format(lr))
        if not 0.0 < eps:
            raise ValueError("Invalid epsilon value: {}".format(eps))
        _check_betas(betas, eps)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _init_state(self, p, state, group):
        state["step"] = 0
        state["exp_avg"] = _zeros_like(p._data)
        state["exp_avg_sq"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["betas"]
        state["step"] += 1
        step = state["step"]
        if group["maximize"]:
            grad = -grad
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        if p.ndim == 0:
            # A view with one row, so the row logic below applies to 0-d parameters too.
            p, grad, exp_avg, exp_avg_sq = p[None], grad[None], exp_avg[None], exp_avg_sq[None]
        present = grad.reshape(grad.shape[0], -1).any(axis=1)
        if present.all():
            rows = slice(None)
        else:
            rows = np.flatnonzero(present)
            if rows.size == 0:
                return
        g = grad[rows]
        old_avg = exp_avg[rows].copy()
        avg_update = (g - old_avg) * (1 - beta1)
        exp_avg[rows] = old_avg + avg_update
        old_sq = exp_avg_sq[rows].copy()
        sq_update = (g * g - old_sq) * (1 - beta2)
        exp_avg_sq[rows] = old_sq + sq_update
        numer = avg_update + old_avg
        denom = np.sqrt(sq_update + old_sq)
        denom += group["eps"]
        step_size = _to_scalar(group["lr"]) * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        numer /= denom
        numer *= -step_size
        p[rows] += numer
