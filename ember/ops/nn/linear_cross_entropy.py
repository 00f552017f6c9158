"""``linear_cross_entropy``: cross-entropy of a linear layer's logits, in one call.

torch can compute it in batch chunks (with ``options``) so that the full logits never exist at
once, which matters for large vocabularies on a GPU; the values are those of the reference
``cross_entropy(linear(input, weight, bias), target)``, which is what ember computes.
"""
import math
import warnings

from ember.ops.nn.linear import linear
from ember.ops.nn.loss import cross_entropy
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0, options=None):
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``.

    Args:
        input: ``(N, in_features)`` or ``(in_features,)``.
        linear_weight: ``(C, in_features)``, or ``(C, d_1, ..., d_K, in_features)`` for a
            K-dimensional loss (batched input only).
        target: class indices, or class probabilities shaped like the logits.
        linear_bias: ``(C, d_1, ..., d_K)`` or None.
        weight, reduction, label_smoothing: as ``cross_entropy``.
        ignore_index: as ``cross_entropy`` for class indices (None: -100).
        options: a ``LinearCrossEntropyOptions`` for torch's chunked computation (same values).
    """
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError("expected input with dimensionality 1 or 2, got %d" % input.dim())
    if linear_weight.dim() < 2:
        raise RuntimeError("expected linear_weight with dimensionality at least 2, got %d"
                           % linear_weight.dim())
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           "got %d and %d, respectively" % (in_features, linear_weight.shape[-1]))
    classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (classes,) + out_features:
        raise RuntimeError("expected linear_bias shape %s, got %s"
                           % ((classes,) + out_features, tuple(linear_bias.shape)))
    if out_features and not batches:
        raise RuntimeError("K-dimensional loss defined by linear_weight shape %s requires batched "
                           "input, (N, %d), got unbatched input with shape %s"
                           % (tuple(linear_weight.shape), in_features, tuple(input.shape)))
    logits_shape = batches + (classes,) + out_features
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    if options is not None and (out_features or reduction not in ("mean", "sum", "none")
                                or label_smoothing != 0.0 or str(target.dtype) != "ember.int64"):
        warnings.warn("linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
                      "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, "
                      "out_features == (). Got reduction=%r, label_smoothing=%s, "
                      "target.dtype=%s, out_features=%s, tracing=False, linear_bias.shape=%s."
                      % (reduction, label_smoothing, target.dtype, out_features,
                         None if linear_bias is None else tuple(linear_bias.shape)),
                      stacklevel=2)
    rows = math.prod(out_features, start=classes)
    if out_features:
        linear_weight = linear_weight.reshape(rows, in_features)
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(rows)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)


def _samples(dtype):
    yield SampleInput(T(4, 5), T(3, 5), T(4, dtype="int64", low=0, high=3, grad=False))
    yield SampleInput(T(5), T(3, 5), T(dtype="int64", low=0, high=3, grad=False),
                      linear_bias=T(3), reduction="sum")
    yield SampleInput(T(4, 5), T(3, 2, 5), T(4, 2, dtype="int64", low=0, high=3, grad=False),
                      linear_bias=T(3, 2), weight=T(3, low=0.5, high=1.5, grad=False),
                      reduction="none")
    yield SampleInput(T(4, 5), T(3, 5), T(4, 3, low=0.0, high=1.0, grad=False),
                      label_smoothing=0.2)
    yield SampleInput(T(4, 5), T(3, 5), T(4, values=[0, 1, 2, 1], dtype="int64", grad=False),
                      ignore_index=1)
    yield SampleInput(T(4, 0), T(3, 0), T(4, dtype="int64", low=0, high=3, grad=False),
                      name="no in_features")


def _errors():
    yield ErrorInput(SampleInput(T(2, 4, 5), T(3, 5), T(2, dtype="int64", low=0, high=3,
                                                         grad=False)),
                     RuntimeError, "dimensionality 1 or 2, got 3")
    yield ErrorInput(SampleInput(T(4, 5), T(3, 4), T(4, dtype="int64", low=0, high=3,
                                                      grad=False)),
                     RuntimeError, "got 5 and 4, respectively")
    yield ErrorInput(SampleInput(T(5), T(3, 2, 5), T(2, dtype="int64", low=0, high=3,
                                                      grad=False)),
                     RuntimeError, "requires batched input")
    yield ErrorInput(SampleInput(T(4, 5), T(3, 5), T(4, 3, grad=False), ignore_index=0),
                     RuntimeError, "ignore_index cannot be specified")


register_nn("linear_cross_entropy", linear_cross_entropy, _samples, _errors)
