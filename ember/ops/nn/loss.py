"""Loss functions (``torch.nn.functional`` losses), each with ``reduction`` none/mean/sum.

Cross-entropy and NLL are fused kernels (log_softmax + gather in one pass, hand-written
backward ``softmax - target``); the other losses are short compositions of ember ops, so their
gradients, and second derivatives, come from the ops themselves.
"""
import math
import warnings

from ember._backend import array_module, np
from ember._tensor import _make
from ember.autograd.function import Node, tag
from ember.autograd.grad_mode import _State
from ember.ops import unary
from ember.ops._util import check_dtype, check_no_grad_input, shape_str
from ember.ops.arithmetic import clamp_min
from ember.ops.indexing import where
from ember.ops.nn.activation import logsigmoid
from ember.ops.nn.activation_softmax import softmax
from ember.ops.nn.distance import ClampMinValue
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, dtype_errors, register
from ember.ops.unary import exp, log

_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average, reduce, reduction):
    """torch's mapping of the deprecated ``size_average``/``reduce`` flags to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='%s' "
                  "instead." % _legacy_string(size_average, reduce))
    return _legacy_string(size_average, reduce)


def _legacy_string(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError("%s is not a valid value for reduction" % reduction)


def _reduce(loss, reduction):
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _named(loss, node_name):
    """Give the last node of a loss built from primitives torch's name for its fused loss node
    (``MseLossBackward0``), which is what ``grad_fn`` prints."""
    return tag(loss, name=lambda: node_name)


def _warn_size(input, target):
    if input.shape != target.shape:
        warnings.warn("Using a target size (%s) that is different to the input size (%s). This "
                      "will likely lead to incorrect results due to broadcasting. Please ensure "
                      "they have the same size." % (target.shape, input.shape), stacklevel=3)


# --- cross-entropy and NLL: fused kernels ---------------------------------------------------------

def _class_last(a):
    """(N, C, d1, ...) -> (M, C) with the class dim last; also 1-D (C,) -> (1, C)."""
    if a.ndim == 1:
        return a.reshape(1, -1)
    if a.ndim == 2:
        return a
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _class_back(g2, shape):
    """Inverse of ``_class_last`` for a gradient array."""
    if len(shape) <= 2:
        return g2.reshape(shape)
    lead = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return array_module(g2).ascontiguousarray(np.moveaxis(g2.reshape(lead), -1, 1))


def _class_back_t(g2, shape):
    """``_class_back`` with ember ops (for the double-backward path)."""
    if len(shape) <= 2:
        return g2.reshape(shape)
    lead = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return g2.reshape(lead).movedim(-1, 1)


def _class_last_t(t):
    shape = t.shape
    if len(shape) == 1:
        return t.reshape(1, -1)
    if len(shape) == 2:
        return t
    return t.movedim(1, -1).reshape(-1, shape[1])


def _target_weights(target, weight, ignore_index, n_classes, dtype):
    """Per-row (valid-mask * class weight) for class-index targets, checking bounds."""
    t = target.reshape(-1)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError("Target %d is out of bounds." % t[bad][0])
    safe = np.where(valid, t, 0)
    w = valid.astype(dtype) if weight is None else weight[safe] * valid
    return safe, w


class CrossEntropy(Node):
    """log_softmax + NLL (with label smoothing, class weights, ignore_index, probability
    targets) in one pass. Every variant is ``loss_m = -sum_c q[m, c] * log_softmax(x)[m, c]``
    scaled per row, so the gradient is ``scale_m * (softmax(x) * sum_c q[m, c] - q[m])``."""

    save = (0,)

    def forward(ctx, x, *prob_target, target=None, weight=None, ignore_index=-100,
                reduction="mean", label_smoothing=0.0):
        shape = x.shape
        ctx.smoothed, ctx.reduction = label_smoothing > 0, reduction
        x2 = _class_last(x)
        m, c = x2.shape
        shifted = x2 - x2.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        se = e.sum(axis=1, keepdims=True)
        lsm = shifted - np.log(se)
        dt = x.dtype.type
        eps = label_smoothing
        if prob_target:
            q = _class_last(prob_target[0])
            if eps > 0:
                q = q * dt(1 - eps) + dt(eps / c)
            if weight is not None:
                q = q * weight
            loss = -(q * lsm).sum(axis=1)
            denom = dt(m)
            ctx.q = q
        else:
            safe, w = _target_weights(target, weight, ignore_index, c, x.dtype)
            rows = array_module(lsm).arange(m)
            loss = -lsm[rows, safe] * w
            denom = w.sum()
            if eps > 0:
                valid = target.reshape(-1) != ignore_index
                cw = array_module(x).ones(c, dtype=x.dtype) if weight is None else weight
                smooth = -(lsm * cw).sum(axis=1) * valid
                loss = loss * dt(1 - eps) + smooth * dt(eps / c)
                q = (cw * dt(eps / c))[None, :] * valid[:, None]
                q[rows, safe] += w * dt(1 - eps)
                ctx.q = q
            else:
                ctx.q = None
                ctx.safe, ctx.w = safe, w
        ctx.shape, ctx.reduction, ctx.denom, ctx.prob = shape, reduction, denom, bool(prob_target)
        ctx.weight, ctx.eps = weight, eps
        ctx.p = e / se
        if reduction == "none":
            return loss.reshape((shape[0],) + shape[2:] if len(shape) > 1 else ())
        total = loss.sum()
        return array_module(x).asarray(total / denom if reduction == "mean" else total,
                                       dtype=x.dtype)

    def _q(ctx):
        if ctx.q is not None:
            return ctx.q
        q = np.zeros_like(ctx.p)
        q[array_module(q).arange(q.shape[0]), ctx.safe] = ctx.w
        return q

    def _row_scale(ctx, g):
        """The gradient's per-row factor as an (M, 1) array or tensor."""
        if ctx.reduction == "none":
            return g.reshape(-1, 1)
        if ctx.reduction == "mean":
            return g / ctx.denom
        return g

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        need = ctx.needs_input_grad
        # Raw arrays: up to 1.11x faster per MLP training step than the ember-op formula below
        # (bench/bench_backward_forks.py), which a graph (create_graph=True) needs.
        if not _State.enabled:
            scale = ctx._row_scale(g._data)
            if ctx.q is None:
                grad = ctx.p * ctx.w[:, None]
                grad[array_module(grad).arange(grad.shape[0]), ctx.safe] -= ctx.w
            else:
                q = ctx.q
                grad = ctx.p * q.sum(axis=1, keepdims=True) - q
            grad *= scale
            gx = _make(_class_back(grad, ctx.shape)) if need[0] else None
            if not ctx.prob:
                return gx
            gt = None
            if need[1]:
                gt = _make(_class_back(ctx._target_grad_np() * scale, ctx.shape))
            return gx, gt
        if ctx.prob:
            # q depends on the target: build it with ember ops so it stays in the graph.
            q = _class_last_t(ctx.saved_tensors[1]) * _make(ctx._target_coef())
            if ctx.eps > 0:
                q = q + _make(ctx._smooth_coef())
        else:
            q = _make(ctx._q())
        p = softmax(_class_last_t(x), 1)
        scale = ctx._row_scale(g)
        gx = _class_back_t((p * q.sum(1, keepdim=True) - q) * scale, ctx.shape)
        if not ctx.prob:
            return gx
        gt = None
        if need[1]:
            lsm = _class_last_t(x).log_softmax(1)
            gt = _class_back_t(-lsm * _make(ctx._target_coef()) * scale, ctx.shape)
        return gx, gt

    def _target_coef(ctx):
        """d q / d target: (1 - eps) times the class weights."""
        c = ctx.p.shape[1]
        w = ctx.weight if ctx.weight is not None else array_module(ctx.p).ones(c, dtype=ctx.p.dtype)
        return (w * ctx.p.dtype.type(1 - ctx.eps))[None, :]

    def _smooth_coef(ctx):
        c = ctx.p.shape[1]
        w = ctx.weight if ctx.weight is not None else array_module(ctx.p).ones(c, dtype=ctx.p.dtype)
        return (w * ctx.p.dtype.type(ctx.eps / c))[None, :]

    def _target_grad_np(ctx):
        return -np.log(np.maximum(ctx.p, np.finfo(ctx.p.dtype).tiny)) * ctx._target_coef()

    @staticmethod
    def onnx(call):
        kw = call.kwparams
        if kw.get("label_smoothing"):
            call.fail("cross_entropy with label_smoothing (no ONNX operator has it)")
        return _nll_onnx(call, "SoftmaxCrossEntropyLoss", kw["target"], kw.get("weight"),
                         kw.get("ignore_index", -100), kw.get("reduction", "mean"))

    def name(self):
        # torch's composite: log_softmax + nll_loss, plus the smoothing term
        return "AddBackward0" if self.smoothed else "NllLossBackward0"


def _check_nll_shapes(input, target):
    nd = input._data.ndim
    if nd < 1:
        raise ValueError("Expected 1 or more dimensions (got %d)" % nd)
    if nd == 1:
        if target._data.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    if input._data.shape[0] != target._data.shape[0] or target._data.ndim == 0:
        raise ValueError("Expected input batch_size (%d) to match target batch_size (%d)."
                         % (input._data.shape[0], target._data.shape[0] if target._data.ndim
                            else 0))
    expected = (input._data.shape[0],) + input._data.shape[2:]
    if target._data.shape != expected:
        raise RuntimeError("Expected target size %s, got %s" % (list(expected),
                                                                list(target._data.shape)))


def _check_classes(input, target, weight, ignore_index):
    """torch's checks on the class dim: the weight's size, and no class to point at."""
    c = input._data.shape[1 if input._data.ndim > 1 else 0]
    if weight is not None and weight._data.size != c:
        raise RuntimeError("weight tensor should be defined either for all %d classes or no "
                           "classes but got weight tensor of shape: %s"
                           % (c, shape_str(weight._data.shape)))
    if c == 0:
        if input._data.ndim == 3:  # torch runs it as 4-d: its shape check fails first
            raise RuntimeError("size mismatch (got input: %s, target: %s)"
                               % (shape_str(input._data.shape), shape_str(target._data.shape)))
        _target_weights(target._data, None, ignore_index, c, input._data.dtype)


def _check_target_dtype(target):
    if target._data.dtype not in (np.int64, np.uint8):
        from ember._tensor_str import dtype_word

        raise RuntimeError("expected target dtype to be Long or Byte, but got %s"
                           % dtype_word(target._data.dtype))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """The cross-entropy between logits ``input`` and class indices or class probabilities
    ``target`` (``log_softmax`` then ``nll_loss``, fused).

    Args:
        input (Tensor): unnormalised logits.
        target (Tensor): class indices (int64) or class probabilities.
        weight (Tensor, optional): a weight per class, ``(C)``. Default: ``None``.
        ignore_index (int): a class index whose targets add nothing (indices only).
            Default: -100.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        label_smoothing (float): mix this much of the uniform distribution into the target.
            Default: 0.0.

    Shape:
        - input: ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dK)`` logits.
        - target: class indices ``()``, ``(N)`` or ``(N, d1, ..., dK)``, or probabilities
          with the input's shape.
        - output: a scalar, or the target's shape (indices) with ``reduction='none'``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> logits = ember.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
        >>> F.cross_entropy(logits, ember.tensor([0, 2]))
        tensor(0.1755)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: %s"
                           % label_smoothing)
    w = None if weight is None else weight._data.astype(input._data.dtype, copy=False)
    kw = dict(weight=w, ignore_index=ignore_index, reduction=reduction,
              label_smoothing=label_smoothing)
    if target.is_floating_point() and target._data.shape == input._data.shape:
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if target._data.dtype != input._data.dtype:
            target = target.to(input.dtype)
        return CrossEntropyProbs.apply((input, target), **kw)
    _check_nll_shapes(input, target)
    _check_target_dtype(target)
    check_dtype("log_softmax_lastdim_kernel_impl", input)
    _check_classes(input, target, weight, ignore_index)
    return CrossEntropy.apply((input,), target=target._data, **kw)


class CrossEntropyProbs(CrossEntropy):
    """CrossEntropy with probability targets: the target is an input that may need a gradient."""

    save = (0, 1)

    def name(self):
        return "DivBackward1" if self.reduction == "mean" else "NegBackward0"


class Nll(Node):
    """-input[m, target[m]] * weight[target[m]], with ignore_index and reductions."""

    def name(self):
        return "NllLossBackward0"

    def forward(ctx, x, target, weight, ignore_index, reduction):
        shape = x.shape
        x2 = _class_last(x)
        m, c = x2.shape
        safe, w = _target_weights(target, weight, ignore_index, c, x.dtype)
        loss = -x2[array_module(x2).arange(m), safe] * w
        ctx.shape, ctx.safe, ctx.w, ctx.reduction = shape, safe, w, reduction
        ctx.denom = w.sum()
        if reduction == "none":
            return loss.reshape((shape[0],) + shape[2:] if len(shape) > 1 else ())
        total = loss.sum()
        return array_module(x).asarray(total / ctx.denom if reduction == "mean" else total,
                                       dtype=x.dtype)

    def backward(ctx, g):
        return NllBackward.apply((g,), ctx)

    @staticmethod
    def onnx(call):
        target, weight, ignore_index, reduction = call.params
        return _nll_onnx(call, "NegativeLogLikelihoodLoss", target, weight, ignore_index,
                         reduction)


class NllBackward(Node):
    """Scatter ``-w * g`` to the target positions; linear in ``g``."""

    def forward(ctx, g, fwd):
        ctx.fwd = fwd
        m = fwd.safe.shape[0]
        c = fwd.shape[1] if len(fwd.shape) > 1 else fwd.shape[0]
        grad = array_module(g).zeros((m, c), dtype=g.dtype)
        if fwd.reduction == "none":
            scale = g.reshape(-1)
        else:
            scale = g / fwd.denom if fwd.reduction == "mean" else g
        grad[array_module(grad).arange(m), fwd.safe] = -fwd.w * scale
        return _class_back(grad, fwd.shape)

    def backward(ctx, gg):
        fwd = ctx.fwd
        m = fwd.safe.shape[0]
        picked = _class_last_t(gg)[array_module(fwd.safe).arange(m), fwd.safe] * _make(-fwd.w)
        if fwd.reduction == "none":
            return picked.reshape((fwd.shape[0],) + fwd.shape[2:] if len(fwd.shape) > 1 else ())
        total = picked.sum()
        return total / float(fwd.denom) if fwd.reduction == "mean" else total


def _nll_onnx(call, op, target, weight, ignore_index, reduction):
    """ONNX's NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss on ``(N, C, ...)`` scores and
    class-index targets (a ``(C)`` input gets a batch axis of 1)."""
    g, x = call.g, call.inputs[0]
    t = call.input_of(target.astype(np.int64, copy=False))
    unbatched = call.arrays[0].ndim == 1
    if unbatched:
        x, t = g.unsqueeze(x, [0]), g.unsqueeze(t, [0])
    w = None if weight is None else g.const(np.asarray(weight, call.outs[0].dtype))
    out = g.op(op, x, t, w, reduction=reduction, ignore_index=int(ignore_index))
    return g.squeeze(out, [0]) if unbatched and reduction == "none" else out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log-likelihood of class indices ``target`` given log-probabilities
    ``input`` (the output of ``log_softmax``).

    Args:
        input (Tensor): log-probabilities.
        target (Tensor): class indices (int64).
        weight (Tensor, optional): a weight per class, ``(C)``. Default: ``None``.
        ignore_index (int): a class index whose targets add nothing. Default: -100.
        reduction (str): ``'none'``, ``'mean'`` (weighted mean) or ``'sum'``. Default: ``'mean'``.

    Shape:
        - input: ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dK)``; target: ``()``, ``(N)`` or
          ``(N, d1, ..., dK)``; output: a scalar, or the target's shape with
          ``reduction='none'``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> logp = ember.tensor([[-0.1, -2.5, -3.0], [-2.0, -0.2, -2.5]])
        >>> F.nll_loss(logp, ember.tensor([0, 1]))
        tensor(0.1500)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_target_dtype(target)
    _check_nll_shapes(input, target)
    check_dtype("nll_loss_out_frame" if input._data.ndim <= 2 else "nll_loss2d_forward_out_frame",
                input)
    _check_classes(input, target, weight, ignore_index)
    w = None if weight is None else weight._data.astype(input._data.dtype, copy=False)
    return Nll.apply((input,), target._data, w, ignore_index, reduction)


# --- regression losses ----------------------------------------------------------------------------

def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The squared error ``(input - target)^2``, averaged (or summed) over all elements.

    Args:
        input (Tensor): the prediction.
        target (Tensor): the target, broadcast to ``input`` (torch warns when the shapes differ).
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        weight (Tensor, optional): a weight per element, broadcast. Default: ``None``.

    Shape:
        - input: ``(*)``; target: the same shape; output: a scalar, or ``(*)`` with
          ``reduction='none'``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.mse_loss(ember.tensor([1.0, 2.0, 4.0]), ember.tensor([1.0, 0.0, 1.0]))
        tensor(4.3333)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    check_dtype("mse_cpu", input, target)
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return _named(_reduce(loss, reduction), "MseLossBackward0")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|input - target|``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = unary.abs(input - target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_size(input, target)
    check_dtype("smooth_l1_cpu", input, target)
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    d = input - target
    ad = unary.abs(d)
    loss = where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
    return _named(_reduce(loss, reduction), "SmoothL1LossBackward0")


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_size(input, target)
    check_dtype("huber_cpu", input, target)
    d = input - target
    ad = unary.abs(d)
    loss = where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
    if weight is not None:
        loss = loss * weight
    return _named(_reduce(loss, reduction), "HuberLossBackward0")


# --- binary and probabilistic losses --------------------------------------------------------------

def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (y log x + (1 - y) log(1 - x)), each log clamped at -100 as torch."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError("Using a target size (%s) that is different to the input size (%s) is "
                         "deprecated. Please ensure they have the same size."
                         % (target.shape, input.shape))
    check_dtype("binary_cross_entropy", input)
    a = input._data
    if a.size and ((a < 0) | (a > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    _check_reduction(reduction)
    check_no_grad_input("binary_cross_entropy", weight=weight)
    loss = -(target * clamp_min(log(input), -100.0)
             + (1 - target) * clamp_min(log(1 - input), -100.0))
    if weight is not None:
        loss = loss * weight
    return _named(_reduce(loss, reduction), "BinaryCrossEntropyBackward0")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable formula; ``pos_weight`` weighs positives."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError("Target size (%s) must be the same as input size (%s)"
                         % (target.shape, input.shape))
    check_no_grad_input("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    check_dtype("log_sigmoid_cpu", input)
    log_sig = logsigmoid(input)
    if pos_weight is not None:
        loss = (1 - target) * input - ((pos_weight - 1) * target + 1) * log_sig
    else:
        loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * weight
    return _named(_reduce(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0")


def _xlogy_self(t):
    pos = t > 0
    return where(pos, t * log(where(pos, t, 1.0)), 0.0)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with ``input`` as log-probabilities; ``reduction=
    'batchmean'`` divides the sum by the batch size (the mathematically correct KL)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError("%s is not a valid value for reduction" % reduction)
    if input._data.dtype.kind in "iub" or target._data.dtype.kind in "iub":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.")
    if log_target:
        loss = exp(target) * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    if reduction == "batchmean":
        if input.dim() == 0:
            return loss.sum()
        return loss.sum() / input.size(0)
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Negative log-likelihood of a Poisson ``target`` with rate ``exp(input)`` (or ``input``)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = exp(input) - target * input
    else:
        loss = input - target * log(input + eps)
    if full:
        big = target > 1
        safe = where(big, target, 2.0)
        stirling = safe * log(safe) - safe + 0.5 * log(2 * math.pi * safe)
        loss = loss + where(big, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (input - target)^2 / var) (+ 0.5 log 2 pi when ``full``)."""
    if isinstance(var, (int, float)):
        var = _make(array_module(input._data).full(input._data.shape, var, dtype=input._data.dtype))
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    _check_reduction(reduction)
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    var = ClampMinValue.apply((var,), eps)
    d = input - target
    loss = 0.5 * (log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# --- registry records ----------------------------------------------------------------------------

def _nn(name, func, samples, errors=None, **kw):
    register(OpInfo("nn.functional." + name, func, samples, errors,
                    torch_name="nn.functional." + name, **kw))


def _cls(*shape, high):
    return T(*shape, dtype="int64", low=0, high=high, grad=False)


def _ce_samples(dtype):
    yield SampleInput(T(4, 5), _cls(4, high=5))
    yield SampleInput(T(4, 5), _cls(4, high=5), reduction="sum", label_smoothing=0.2)
    yield SampleInput(T(4, 5), _cls(4, high=5), weight=T(5, low=0.5, high=2, grad=False),
                      reduction="mean")
    yield SampleInput(T(4, 5), T(4, values=[1, -100, 3, 0], dtype="int64", grad=False),
                      weight=T(5, low=0.5, high=2, grad=False), label_smoothing=0.1)
    yield SampleInput(T(2, 3, 2, 2), _cls(2, 2, 2, high=3), reduction="none")
    yield SampleInput(T(2, 3, 4), _cls(2, 4, high=3), ignore_index=1)
    yield SampleInput(T(5), _cls(high=5))
    yield SampleInput(T(4, 5), T(4, 5, low=0, high=1))
    yield SampleInput(T(3, 4, 2), T(3, 4, 2, low=0, high=1), weight=T(4, low=0.5, high=2,
                                                                    grad=False),
                      label_smoothing=0.3, reduction="none")
    yield SampleInput(T(4, 5, noncontig=True), _cls(4, high=5), reduction="sum")


def _ce_errors():
    yield ErrorInput(SampleInput(T(3, 5), _cls(4, high=5)), ValueError,
                     "Expected input batch_size")
    yield ErrorInput(SampleInput(T(3, 5), T(3, values=[1, 7, 0], dtype="int64")), IndexError,
                     "out of bounds")
    yield ErrorInput(SampleInput(T(3, 5), _cls(3, high=5), reduction="foo"), ValueError,
                     "not a valid value")
    yield ErrorInput(SampleInput(T(3, 5), T(3, dtype="int32", low=0, high=4)), RuntimeError,
                     "Long or Byte")
    yield ErrorInput(SampleInput(T(4, 5), _cls(4, high=5), weight=T(3, grad=False)),
                     RuntimeError, r"weight tensor should be defined either for all 5 classes or "
                     r"no classes but got weight tensor of shape: \[3\]")
    yield ErrorInput(SampleInput(T(4, 0), _cls(4, high=5)), IndexError, "out of bounds")
    yield ErrorInput(SampleInput(T(2, 0, 4), _cls(2, 4, high=3)), RuntimeError,
                     r"size mismatch \(got input: \[2, 0, 4\]")


def _class_dtype_errors(kernel):
    return dtype_errors(kernel, ("int64", "uint8"),
                        lambda dt: SampleInput(T(4, 5, dtype=dt), _cls(4, high=5)), _ce_errors)


_nn("cross_entropy", cross_entropy, _ce_samples,
    _class_dtype_errors("log_softmax_lastdim_kernel_impl"))


def _nll_samples(dtype):
    yield SampleInput(T(4, 5), _cls(4, high=5))
    yield SampleInput(T(4, 5), T(4, values=[1, -100, 3, 0], dtype="int64", grad=False),
                      weight=T(5, low=0.5, high=2, grad=False))
    yield SampleInput(T(2, 3, 4), _cls(2, 4, high=3), reduction="none", ignore_index=0)
    yield SampleInput(T(2, 3, 4), _cls(2, 4, high=3), reduction="sum")
    yield SampleInput(T(3), _cls(high=3))


_nn("nll_loss", nll_loss, _nll_samples, _class_dtype_errors("nll_loss_out_frame"))


def _pair(**kw):
    def samples(dtype):
        yield SampleInput(T(3, 4), T(3, 4), **kw)
        yield SampleInput(T(3, 4), T(3, 4), reduction="sum", **kw)
        yield SampleInput(T(2, 3), T(2, 3, noncontig=True), reduction="none", **kw)

    return samples


def _pair_dtype_errors(kernel, more=None, **kw):
    return dtype_errors(kernel, ("int8", "int64", "bool"),
                        lambda dt: SampleInput(T(3, 4, dtype=dt), T(3, 4, dtype=dt), **kw), more)


_nn("mse_loss", mse_loss, _pair(), _pair_dtype_errors("mse_cpu"))
_nn("l1_loss", l1_loss, _pair())
_nn("smooth_l1_loss", smooth_l1_loss, _pair(beta=0.5), _pair_dtype_errors(
    "smooth_l1_cpu", lambda: iter([ErrorInput(SampleInput(T(3), T(3), beta=-1.0), RuntimeError,
                                              "negative")]), beta=0.5))
_nn("huber_loss", huber_loss, _pair(delta=0.7), _pair_dtype_errors("huber_cpu", delta=0.7))
_nn("kl_div", kl_div, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4, low=0.0, high=1.0), reduction="batchmean"),
    SampleInput(T(3, 4), T(3, 4, values=[[0.0, 0.5, 0.2, 0.3]] * 3, grad=False),
                reduction="sum"),
    SampleInput(T(3, 4), T(3, 4), reduction="none", log_target=True)]),
    lambda: iter([ErrorInput(SampleInput(T(3, 4), T(3, 4, dtype="int64"), reduction="sum"),
                             RuntimeError, "kl_div: Integral inputs not supported"),
                  ErrorInput(SampleInput(T(3, 4, dtype="bool"), T(3, 4), reduction="sum"),
                             RuntimeError, "kl_div: Integral inputs not supported")]))
_nn("binary_cross_entropy", binary_cross_entropy, lambda dt: iter([
    SampleInput(T(3, 4, low=0.05, high=0.95), T(3, 4, low=0, high=1)),
    SampleInput(T(5, low=0.05, high=0.95), T(5, low=0, high=1, grad=False),
                weight=T(5, low=0.5, high=2, grad=False), reduction="sum"),
    SampleInput(T(5, low=0.05, high=0.95), T(5, low=0, high=1), weight=T(5, low=0.5, high=2))]),
    dtype_errors("binary_cross_entropy", ("uint8", "int64"), lambda dt: SampleInput(
        T(3, dtype=dt, low=0, high=1), T(3, dtype=dt, low=0, high=1)), lambda: iter([
            ErrorInput(SampleInput(T(3, low=1.5, high=2.0), T(3, low=0, high=1)), RuntimeError,
                       "between 0 and 1")])))
_nn("binary_cross_entropy_with_logits", binary_cross_entropy_with_logits, lambda dt: iter([
    SampleInput(T(3, 4, low=-5, high=5), T(3, 4, low=0, high=1)),
    SampleInput(T(3, 4), T(3, 4, low=0, high=1, grad=False), weight=T(4, low=0.5, high=2,
                grad=False), pos_weight=T(4, low=0.5, high=3, grad=False), reduction="none"),
    # weight or pos_weight requiring grad raise in both
    SampleInput(T(3, 4), T(3, 4, low=0, high=1), weight=T(4, low=0.5, high=2)),
    SampleInput(T(3, 4), T(3, 4, low=0, high=1), pos_weight=T(4, low=0.5, high=3))]),
    dtype_errors("log_sigmoid_cpu", ("int8",), lambda dt: SampleInput(
        T(3, 4, dtype=dt), T(3, 4, dtype=dt), weight=T(4, 0)), lambda: iter([
            ErrorInput(SampleInput(T(3), T(4)), ValueError, "must be the same as")])))
_nn("poisson_nll_loss", poisson_nll_loss, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4, low=0, high=4)),
    SampleInput(T(3, 4, low=0.5, high=3), T(3, 4, low=0, high=4), log_input=False, full=True,
                reduction="sum")]))
_nn("gaussian_nll_loss", gaussian_nll_loss, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4), T(3, 4, low=0.1, high=2)),
    SampleInput(T(3, 4), T(3, 4), T(3, 1, low=0.1, high=2), full=True, reduction="none"),
    SampleInput(T(3, 4), T(3, 4), T(3, low=0.1, high=2), reduction="sum")]),
    lambda: iter([ErrorInput(SampleInput(T(3, 4), T(3, 4), T(3, 4, low=-2, high=-1)),
                             ValueError, "negative")]))


__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "poisson_nll_loss", "gaussian_nll_loss"]
