"""Connectionist temporal classification loss (``torch.nn.functional.ctc_loss``), torch's
LossCTC: the alpha/beta recursions in log space over the blank-extended targets, torch's
gradient formula, and its registry record.
"""
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops.nn.loss import _check_reduction
from ember.ops.nn.upsampling import _int
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


def _logsumexp3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    safe = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(a - safe) + np.exp(b - safe) + np.exp(c - safe)) + safe


def _shift(a, k, fill):
    """``a`` moved ``k`` places along its last axis (right for k > 0), ``fill`` coming in."""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class _CtcLoss(Node):
    """Per-sample negative log-likelihood ``(N,)`` of padded targets under ``log_probs``
    ``(T, N, C)``. The gradient is torch's: ``exp(lp) - exp(log(sum_s alpha*beta) + nll - lp)``
    at each class, which is the true gradient once ``lp`` comes out of a log_softmax."""

    def forward(ctx, lp, targets, in_len, tgt_len, blank, zero_infinity):
        t_max, n = lp.shape[:2]
        s_max = targets.shape[1]
        width = 2 * s_max + 1
        pos = array_module(lp).arange(width)
        valid = pos[None, :] < 2 * tgt_len[:, None] + 1
        ext = array_module(lp).full((n, width), blank, dtype=np.int64)
        ext[:, 1::2] = targets
        ext = np.where(valid, ext, blank)
        prev2 = _shift(ext, 2, -1)
        skip = (ext != blank) & (ext != prev2) & (pos >= 2)
        lpe = lp[:, array_module(lp).arange(n)[:, None], ext]
        lpe[:, ~valid] = -np.inf
        neg = lp.dtype.type(-np.inf)

        alpha = array_module(lp).full((t_max, n, width), neg, dtype=lp.dtype)
        alpha[0, :, :2] = lpe[0, :, :2]
        for t in range(1, t_max):
            a = alpha[t - 1]
            a2 = np.where(skip, _shift(a, 2, neg), neg)
            alpha[t] = _logsumexp3(a, _shift(a, 1, neg), a2) + lpe[t]
        rows = array_module(lp).arange(n)
        last = np.maximum(in_len - 1, 0)
        end = alpha[last, rows, 2 * tgt_len]
        before = np.where(tgt_len > 0, alpha[last, rows, np.maximum(2 * tgt_len - 1, 0)], neg)
        nll = -np.logaddexp(end, before)
        ctx.args = (lp, ext, skip, lpe, alpha, nll, in_len, tgt_len, zero_infinity)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0, nll).astype(lp.dtype)
        return nll

    def backward(ctx, g):
        lp, ext, skip, lpe, alpha, nll, in_len, tgt_len, zero_infinity = ctx.args
        t_max, n, c = lp.shape
        width = ext.shape[1]
        neg = lp.dtype.type(-np.inf)
        rows = array_module(lp).arange(n)
        skip_next = _shift(skip, -2, False)
        beta = np.full_like(alpha, neg)
        for t in range(t_max - 1, -1, -1):
            if t + 1 < t_max:
                b = beta[t + 1]
                b2 = np.where(skip_next, _shift(b, -2, neg), neg)
                beta[t] = _logsumexp3(b, _shift(b, -1, neg), b2) + lpe[t]
            start = np.nonzero(in_len - 1 == t)[0]
            if start.size:
                xp = array_module(lp)
                init = xp.full((start.size, width), neg, dtype=lp.dtype)
                s_end = 2 * tgt_len[start]
                init[xp.arange(start.size), s_end] = lpe[t, start, s_end]
                has = tgt_len[start] > 0
                init[xp.arange(start.size)[has], s_end[has] - 1] = lpe[t, start[has],
                                                                       s_end[has] - 1]
                beta[t, start] = init
        ab = alpha + beta
        m = ab.max(axis=2, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        onehot = array_module(lp).zeros((n, width, c), dtype=lp.dtype)
        onehot[rows[:, None], array_module(lp).arange(width)[None, :], ext] = 1
        sums = np.matmul(np.exp(ab - m).transpose(1, 0, 2), onehot).transpose(1, 0, 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = np.exp(lp) - np.exp(np.log(sums) + m + nll[None, :, None] - lp)
        active = array_module(lp).arange(t_max)[:, None] < in_len[None, :]
        scale = g._data[None, :] * active
        if zero_infinity:
            scale = np.where(np.isinf(nll)[None, :], 0, scale)
        grad = np.where(scale[..., None] != 0, grad * scale[..., None], 0).astype(lp.dtype)
        return _make(grad), None

    def name(self):
        return "CtcLossBackward0"


def _lengths(value, what):
    if isinstance(value, Tensor):
        return value._data.reshape(-1).astype(np.int64)
    return np.asarray([_int(v) for v in value], dtype=np.int64)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The Connectionist Temporal Classification loss.

    Args:
        log_probs: ``(T, N, C)`` or unbatched ``(T, C)`` log-probabilities (log_softmax output).
        targets: ``(N, S)`` padded, or all targets concatenated in one 1-d tensor.
        input_lengths, target_lengths: ``(N)`` tensors or tuples of ints (both the same kind).
        blank: the blank label. reduction: ``'none'`` | ``'mean'`` (each loss divided by its
            target length, then averaged) | ``'sum'``.
        zero_infinity: zero infinite losses (impossible alignments) and their gradients.

    Example:
        >>> import ember
        >>> lp = ember.zeros(4, 1, 3).log_softmax(2)
        >>> loss = ctc_loss(lp, ember.tensor([[1, 2]]), (4,), (2,), reduction="sum")
        >>> round(loss.item(), 4)
        1.6864
    """

    _check_reduction(reduction)
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor) or not all(
            isinstance(v, (Tensor, tuple, list)) for v in (input_lengths, target_lengths)):
        raise TypeError("ctc_loss() received an invalid combination of arguments: "
                        "input_lengths and target_lengths must both be Tensors or both be "
                        "tuples of ints")
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    t_max, n, c = lp.shape
    in_len = _lengths(input_lengths, "input_lengths")
    tgt_len = _lengths(target_lengths, "target_lengths")
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if in_len.size != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tgt_len.size != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    tg = targets._data.astype(np.int64)
    if not batched and tg.ndim == 1:
        tg = tg[None]
    if tg.ndim == 1:
        offsets = np.concatenate([[0], np.cumsum(tgt_len)])
        padded = array_module(tg).zeros((n, max(_int(tgt_len.max(initial=0)), 1)), dtype=np.int64)
        for i in range(n):
            padded[i, :tgt_len[i]] = tg[offsets[i]:offsets[i + 1]]
        tg = padded
    else:
        longest = _int(tgt_len.max(initial=0))
        if tg.shape[1] < longest:
            raise RuntimeError("Expected tensor to have size at least %d at dimension 1, but got "
                               "size %d for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)" % (longest, tg.shape[1]))
    if in_len.size and in_len.max() > t_max:
        raise RuntimeError("Expected input_lengths to have value at most %d, but got value %d "
                           "(while checking arguments for ctc_loss_allocate_outputs)"
                           % (t_max, in_len.max()))
    tg = np.where(array_module(tg).arange(tg.shape[1])[None, :] < tgt_len[:, None], tg, blank)
    loss = _CtcLoss.apply((lp,), tg, in_len, tgt_len, blank, bool(zero_infinity))
    if not batched:
        loss = loss.squeeze(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        div = np.maximum(tgt_len, 1).astype(lp._data.dtype)
        return (loss / _make(div if batched else div[0])).mean()
    return loss


def _ctc_on_logits(logits, *args, **kwargs):
    """ctc_loss of ``log_softmax(logits)``: torch's CTC gradient is the true one only there."""
    return ctc_loss(logits.log_softmax(-1), *args, **kwargs)


def _ctc_ref(torch, logits, *args, **kwargs):
    return torch.nn.functional.ctc_loss(logits.log_softmax(-1), *args, **kwargs)


def _ints(*shape, low, high, values=None):
    return T(*shape, low=low, high=high, dtype="int64", grad=False, values=values)


def _ctc_samples(dtype):
    # (T, N, C) = (5, 3, 4); padded targets, lengths as tensors or tuples, every reduction
    il, tl = _ints(3, low=0, high=1, values=[5, 4, 3]), _ints(3, low=0, high=1, values=[2, 3, 0])
    tg = _ints(3, 3, low=1, high=4, values=[[1, 2, 0], [3, 3, 1], [0, 0, 0]])
    yield SampleInput(T(5, 3, 4), tg, il, tl)
    yield SampleInput(T(5, 3, 4), tg, il, tl, reduction="none")
    yield SampleInput(T(5, 3, 4), tg, (5, 4, 3), (2, 3, 0), reduction="sum")
    # concatenated targets, another blank
    yield SampleInput(T(4, 2, 3), _ints(3, low=0, high=2, values=[0, 1, 0]),
                      _ints(2, low=0, high=1, values=[4, 4]), _ints(2, low=0, high=1,
                                                                   values=[2, 1]), blank=2)
    # impossible alignment (target longer than the input) zeroed by zero_infinity
    yield SampleInput(T(3, 2, 4), _ints(2, 3, low=1, high=4, values=[[1, 1, 1], [2, 3, 1]]),
                      (3, 3), (3, 2), reduction="none", zero_infinity=True)
    # unbatched
    yield SampleInput(T(6, 4), _ints(3, low=1, high=4, values=[1, 3, 3]),
                      _ints(low=0, high=1, values=6), _ints(low=0, high=1, values=3))


def _ctc_errors():
    lp = T(5, 2, 4)
    tg = _ints(2, 3, low=1, high=4, values=[[1, 2, 3], [1, 1, 1]])
    yield ErrorInput(SampleInput(lp, tg, (6, 5), (2, 2)), RuntimeError,
                     "Expected input_lengths to have value at most 5, but got value 6")
    yield ErrorInput(SampleInput(lp, tg, (5, 5), (4, 2)), RuntimeError,
                     "Expected tensor to have size at least 4 at dimension 1, but got size 3")
    yield ErrorInput(SampleInput(lp, tg, (5, 5, 5), (2, 2, 2)), RuntimeError,
                     "input_lengths must be of size batch_size")
    yield ErrorInput(SampleInput(lp, tg, (5, 5), (2, 2), blank=4), RuntimeError,
                     "blank must be in label range")
    yield ErrorInput(SampleInput(lp, tg, 5, 2), TypeError, "ctc_loss")


register_nn("ctc_loss", _ctc_on_logits, _ctc_samples, _ctc_errors, ref=_ctc_ref, gradgrad=False,
    atol=1e-5, rtol=1e-5)
