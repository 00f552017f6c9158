"""Margin and embedding losses of ``torch.nn.functional``: margin_ranking, hinge_embedding,
soft_margin, cosine_embedding, triplet_margin (also with a distance function),
multilabel_soft_margin, multi_margin and multilabel_margin, each a short composition of ember
ops (gradients and second derivatives come from the ops), with their registry records.
"""
from ember._backend import array_module, np
from ember._tensor import _make
from ember.ops._util import cast, check_dtype, check_no_grad_input, shape_str
from ember.ops.arithmetic import clamp_min
from ember.ops.comparison import minimum
from ember.ops.indexing import where
from ember.ops.nn.activation import logsigmoid
from ember.ops.nn.distance import pairwise_distance
from ember.ops.nn.loss import _cls, _legacy_reduction, _named, _nn, _reduce
from ember.ops.registry import ErrorInput, SampleInput, T, dtype_errors
from ember.ops.unary import exp, log1p, sqrt


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension "
                           "but got sizes: input1: %s, input2: %s, target: %s "
                           % (input1.size(), input2.size(), target.size()))
    return _reduce(clamp_min(-target * (input1 - input2) + margin, 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """x where y == 1, max(0, margin - x) where y == -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    zero = 0.0
    if input._data.dtype.kind in "iu":  # torch stays in the integer dtype (margin truncated)
        margin, zero = int(margin), 0
    margin_part = where(target != 1, clamp_min(margin - input, 0), zero)
    self_part = where(target != -1, input, zero)
    return _reduce(margin_part + self_part, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_no_grad_input("soft_margin_loss", target=target)
    if input._data.dtype.kind in "iu":
        from ember._tensor_str import dtype_word

        raise RuntimeError("result type Float can't be cast to the desired output type %s"
                           % dtype_word(input._data.dtype))
    loss = log1p(exp(-input * target))
    return _named(_reduce(loss, reduction), "SoftMarginLossBackward0")


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input1.dim() not in (1, 2) or input1.shape != input2.shape:
        raise RuntimeError("cosine_embedding_loss(): 1D target tensor expects 2D input tensors, "
                           "but found inputs with sizes %s and %s." % (list(input1.shape),
                                                                     list(input2.shape)))
    dim = input1.dim() - 1
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + 1e-12
    mag2 = (input2 * input2).sum(dim) + 1e-12
    cos = prod / sqrt(mag1 * mag2)
    pos = where(target == 1, 1 - cos, 0.0)
    neg = where(target == -1, clamp_min(cos - margin, 0), 0.0)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, d(a, p) - d(a, n) + margin) with the p-norm pairwise distance."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if not dims[0] == dims[1] == dims[2]:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           "same number of dimensions, but got: anchor %dD, positive %dD, and "
                           "negative %dD inputs" % dims)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(clamp_min(margin + d_pos - d_neg, 0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """Triplet loss with a custom ``distance_function`` (pairwise distance by default)."""
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce(clamp_min(margin + d_pos - d_neg, 0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Mean over classes of the binary cross-entropy of sigmoid(input) per class."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    check_dtype("log_sigmoid_cpu", input)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.size(class_dim)
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """sum_{i != y} max(0, margin - x[y] + x[i])^p / C per sample (multi-class hinge)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    check_dtype("multi_margin_loss_cpu_kernel", input, half=False)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target._data.reshape(-1)
    n, c = x.shape
    if t.shape[0] != n:
        raise RuntimeError("inconsistent target size, expected %d but got %s"
                           % (n, list(target.shape)))
    if weight is not None and weight._data.size != c:
        raise RuntimeError("inconsistent weight size, expected %d but got %s"
                           % (c, shape_str(weight._data.shape)))
    if ((t < 0) | (t >= c)).any():
        raise RuntimeError("target out of range")
    rows = array_module(x._data).arange(n)
    x_y = x[rows, t].reshape(n, 1)
    z = margin - x_y + x
    others = array_module(x._data).ones((n, c), dtype=bool)
    others[rows, t] = False
    # torch adds the terms with z > 0 only: a NaN term (and the target's own) drops out, and
    # so does the class weight of a row with no term
    keep = _make(others) & (z > 0)
    z = where(keep, z, 0.0)  # before the square: a dropped (inf, NaN) term sends no NaN back
    if p == 2:
        z = z * z
    if weight is not None:
        z = where(keep, z * weight[_make(t)].reshape(n, 1), 0.0)
    loss = z.sum(1) / c
    if input.dim() != 2:
        loss = loss.reshape(())
    return _named(_reduce(loss, reduction), "MultiMarginLossBackward0")


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum_{j in targets, i not in targets} max(0, 1 - (x[j] - x[i])) / C; ``target`` lists
    class indices per sample, ended by the first -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input.numel():  # torch runs no kernel, and checks no dtype, for an empty batch
        check_dtype("multilabel_margin_loss_forward_out_frame", input, half=False)
    if input.dim() > 2 or (input.dim() < 2 and input.numel() == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           "but got: %s" % shape_str(input.shape))
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError("inconsistent target size: %s for input of size: %s"
                           % (shape_str(target.shape), shape_str(input.shape)))
    if input.numel() == 0:  # an empty batch: torch returns it in the input's dtype
        return _reduce(cast(input.sum(-1), input.dtype), reduction)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target._data.reshape(x.shape)
    n, c = x.shape
    is_target = array_module(x._data).zeros((n, c), dtype=bool)
    pairs = array_module(x._data).zeros((n, c, c), dtype=x._data.dtype)
    for i in range(n):
        for j in t[i]:
            if j < 0:
                break
            is_target[i, j] = True
    for i in range(n):
        for j in t[i]:
            if j < 0:
                break
            pairs[i, j] = ~is_target[i]
    # pairs[n, j, k]: 1 for target j and non-target k
    diff = x.unsqueeze(2) - x.unsqueeze(1)
    loss = (clamp_min(1 - diff, 0) * _make(pairs)).sum((1, 2)) / c
    if input.dim() != 2:
        loss = loss.reshape(())
    return _named(_reduce(loss, reduction), "MultilabelMarginLossBackward0")


_nn("soft_margin_loss", soft_margin_loss, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4, grad=False)),
    SampleInput(T(2, 3), _sign_target(2, 3), reduction="none"),
    # a target that requires grad raises in both (the gradient test checks both sides)
    SampleInput(T(3, 4), T(3, 4), reduction="sum")]),
    lambda: iter([ErrorInput(SampleInput(T(3, 4, dtype="int8"), T(3, 4, dtype="int8")),
                             RuntimeError, "result type Float can't be cast to the desired output "
                             "type Char")]))


def _sign_target(*shape):
    values = np.where(np.arange(np.prod(shape)) % 2 == 0, 1.0, -1.0).reshape(shape)
    return T(*shape, values=values.tolist(), grad=False)


_nn("margin_ranking_loss", margin_ranking_loss, lambda dt: iter([
    SampleInput(T(5), T(5), _sign_target(5), margin=0.3),
    SampleInput(T(5), T(5), _sign_target(5), reduction="none")]))


_nn("hinge_embedding_loss", hinge_embedding_loss, lambda dt: iter([
    SampleInput(T(3, 4), _sign_target(3, 4), margin=0.5),
    SampleInput(T(6), _sign_target(6), reduction="none"),
    SampleInput(T(6, dtype="int8"), _sign_target(6), margin=3.7, reduction="none",
                name="int8: stays int8, margin truncated"),
    SampleInput(T(6, dtype="int8"), _sign_target(6), margin=0.5, reduction="sum",
                name="int8: summed as int64")]),
    lambda: iter([ErrorInput(SampleInput(T(6, dtype="int8"), _sign_target(6)), RuntimeError,
                             r"mean\(\): could not infer output dtype")]))


_nn("cosine_embedding_loss", cosine_embedding_loss, lambda dt: iter([
    SampleInput(T(4, 3), T(4, 3), _sign_target(4), margin=0.1),
    SampleInput(T(4, 3), T(4, 3), _sign_target(4), reduction="none")]))


_nn("triplet_margin_loss", triplet_margin_loss, lambda dt: iter([
    SampleInput(T(4, 3), T(4, 3), T(4, 3)),
    SampleInput(T(4, 3), T(4, 3), T(4, 3), margin=2.0, p=1, swap=True, reduction="none")]))


_nn("multilabel_soft_margin_loss", multilabel_soft_margin_loss, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4, low=0, high=1, grad=False)),
    SampleInput(T(3, 4), T(3, 4, low=0, high=1, grad=False), weight=T(4, low=0.5, high=2),
                reduction="none")]),
    dtype_errors("log_sigmoid_cpu", ("int8", "uint8"),
                 lambda dt: SampleInput(T(3, 4, dtype=dt), T(3, 4, dtype=dt))))


_nn("multi_margin_loss", multi_margin_loss, lambda dt: iter([
    SampleInput(T(4, 5), _cls(4, high=5)),
    SampleInput(T(4, 5), _cls(4, high=5), p=2, margin=0.5, weight=T(5, low=0.5, high=2,
                                                                     grad=False),
                reduction="none"),
    # an inf target score: its row's terms all drop out (value and gradient 0, not NaN)
    SampleInput(T(3, 4, values=[[float("inf"), 1.0, 2.0, 0.5], [0.2, 1.0, -1.0, 3.0],
                                [-float("inf"), 0.0, 1.0, 2.0]]),
                T(3, values=[0, 2, 1], dtype="int64", grad=False), p=2, margin=0.5,
                weight=T(4, low=0.5, high=2, grad=False), reduction="none",
                name="edge: inf scores")]),
    dtype_errors("multi_margin_loss_cpu_kernel", ("float16", "int64"), lambda dt: SampleInput(
        T(4, 5, dtype=dt), _cls(4, high=5)), lambda: iter([
            ErrorInput(SampleInput(T(4, 5), _cls(4, high=5), p=3), ValueError,
                       "only p == 1 and p == 2"),
            ErrorInput(SampleInput(T(4, 5), _cls(4, high=5), weight=T(0, grad=False)),
                       RuntimeError, r"inconsistent weight size, expected 5 but got \[0\]")])))


def _mlm_target(*shape):
    return T(*shape, dtype="int64", low=-1, high=4, grad=False)


_nn("multilabel_margin_loss", multilabel_margin_loss, lambda dt: iter([
    SampleInput(T(2, 4), T(2, 4, values=[[3, 0, -1, 1], [1, 2, 3, -1]], dtype="int64",
                             grad=False)),
    # (no empty batch: torch's reduced loss then reads uninitialised memory)
    SampleInput(T(0, 4), _mlm_target(0, 4), reduction="none", name="empty batch")]),
    dtype_errors("multilabel_margin_loss_forward_out_frame", ("float16", "int32"),
                 lambda dt: SampleInput(T(2, 4, dtype=dt), _mlm_target(2, 4)), lambda: iter([
                     ErrorInput(SampleInput(T(0, 4), _mlm_target(2, 4)), RuntimeError,
                                r"inconsistent target size: \[2, 4\] for input of size: "
                                r"\[0, 4\]"),
                     ErrorInput(SampleInput(T(0), _mlm_target(0)), RuntimeError,
                                "Expected non-empty vector or matrix")])))


__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "cosine_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
           "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss"]
