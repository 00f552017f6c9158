"""Muon, mirroring ``torch.optim.Muon``: momentum SGD whose update for each 2-d parameter is
orthogonalized by a few Newton-Schulz iterations (Jordan et al., 2024).

torch runs the Newton-Schulz iterations in bfloat16. ember has no bfloat16 arrays, so it computes
each step of the iteration in float32 and rounds the result to bfloat16's 8-bit significand (round
to nearest even), as torch's bfloat16 kernels round their float accumulations: the updates agree
with torch's to bfloat16 precision.
"""
import math

from ember._backend import np
from ember.optim.optimizer import Optimizer, _to_scalar, _zeros_like

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _round_bfloat16(a):
    """``a`` (float32) rounded to the nearest bfloat16 value (ties to even), still float32."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    nan = np.isnan(a)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) \
        & np.uint32(0xFFFF0000)
    out = rounded.view(np.float32)
    out[nan] = np.nan
    return out


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """An approximately orthogonal matrix with ``grad``'s singular vectors (torch's quintic
    iteration), in bfloat16 precision."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = _round_bfloat16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _round_bfloat16(np.sqrt(np.sum(x * x, dtype=np.float32)))
    x = _round_bfloat16(x / _round_bfloat16(np.maximum(norm, np.float32(eps))))
    for _ in range(ns_steps):
        gram = _round_bfloat16(x @ x.T)
        gram_update = _round_bfloat16(np.float32(b) * gram + np.float32(c) * (gram @ gram))
        x = _round_bfloat16(np.float32(a) * x + gram_update @ x)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    r"""Muon: with momentum buffer :math:`B_t = \mu B_{t-1} + g_t` (kept as
    ``B.lerp_(g, 1 - mu)``), the update :math:`O_t = NS(g_t + \mu B_t)` (Nesterov) or
    :math:`NS(B_t)`, then :math:`\theta \leftarrow \theta (1 - \gamma\lambda) - \gamma' O_t`
    with :math:`\gamma'` the learning rate adjusted to the matrix shape.

    Args:
        params (iterable): 2-d parameters (or groups) to optimize; other shapes are refused.
        lr (float): learning rate (default: 1e-3).
        weight_decay (float): decoupled weight decay (default: 0.1).
        momentum (float): momentum factor (default: 0.95).
        nesterov (bool): Nesterov momentum (default: True).
        ns_coefficients (tuple of 3 floats): the quintic Newton-Schulz coefficients.
        eps (float): floor of the norm the gradient is divided by (default: 1e-7).
        ns_steps (int): Newton-Schulz iterations (default: 5).
        adjust_lr_fn (str, optional): ``"original"`` (``sqrt(max(1, A/B))``, the default) or
            ``"match_rms_adamw"`` (``0.2 sqrt(max(A, B))``).

    Example:
        >>> import ember
        >>> w = ember.nn.Parameter(ember.ones(3, 2))
        >>> opt = ember.optim.Muon([w], lr=0.02)
        >>> (w * w).sum().backward(); opt.step()
        >>> w.shape
        ember.Size([3, 2])
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS,
                 ns_steps=DEFAULT_NS_STEPS, adjust_lr_fn=None):
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError("Learning rate should be >= 0 but is: {}".format(lr))
        if not 0.0 <= momentum:
            raise ValueError("momentum should be >= 0 but is: {}".format(momentum))
        if not 0.0 <= weight_decay:
            raise ValueError("weight decay should be >= 0 but is: {}".format(weight_decay))
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError("Adjust learning rate function {} is not supported"
                             .format(adjust_lr_fn))
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
                        adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     "parameter with size: {}".format(p.size()))

    def _init_state(self, p, state, group):
        state["momentum_buffer"] = _zeros_like(p._data)

    def _update(self, p, grad, state, group):
        lr = _to_scalar(group["lr"])
        momentum = group["momentum"]
        buf = state["momentum_buffer"]._data
        self._lerp(buf, grad, 1 - momentum, self._tmp(p))
        if group["nesterov"]:
            update = np.array(grad, copy=True)
            self._lerp(update, buf, momentum, self._tmp(p))
        else:
            update = buf
        update = _zeropower_via_newtonschulz(update, group["ns_coefficients"],
                                             group["ns_steps"], group["eps"])
        adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.shape)
        p *= p.dtype.type(1 - lr * group["weight_decay"])
        p -= (adjusted_lr * update).astype(p.dtype)
