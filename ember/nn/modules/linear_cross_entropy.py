"""LinearCrossEntropyLoss: a linear layer to logits and the cross-entropy, as one module."""
import math

from ember.nn import functional as F
from ember.nn.modules.linear import Linear
from ember.nn.modules.loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss"]


class LinearCrossEntropyLoss(_WeightedLoss):
    """``cross_entropy(Linear(in_features, C)(input), target)`` with the linear layer inside.

    Args:
        in_features (int): features of each input row.
        num_classes (int): ``C``.
        out_features (tuple of int): ``(d_1, ..., d_K)`` for a K-dimensional loss.
        bias (bool): whether the linear layer has a bias (default: False).
        reduction, weight, ignore_index, label_smoothing: as ``CrossEntropyLoss``.
        options (LinearCrossEntropyOptions): torch's chunking settings.

    The weight is stored flat, ``linear.weight`` of shape ``(C * prod(out_features),
    in_features)``, as torch's.
    """

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None,
                 dtype=None, reduction="mean", weight=None, ignore_index=None,
                 label_smoothing=0.0, options=None):
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError("expected weight shape to be %s, got %s"
                               % ((num_classes,), tuple(weight.shape)))
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError("expected label_smoothing to be in range [0, 1], got %s"
                               % label_smoothing)
        super().__init__(weight=weight, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes), bias=bias,
                             device=device, dtype=dtype)
        self.options = options

    def forward(self, input, target):
        shape = (self.num_classes,) + tuple(self.out_features)
        bias = self.linear.bias
        return F.linear_cross_entropy(
            input, self.linear.weight.reshape(shape + (self.linear.in_features,)), target,
            linear_bias=None if bias is None else bias.reshape(shape), weight=self.weight,
            reduction=self.reduction, ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing, options=self.options)

    def extra_repr(self):
        return ("in_features=%s, num_classes=%s, out_features=%s, bias=%s, reduction=%s, "
                "ignore_index=%s, label_smoothing=%s, options=%s"
                % (self.linear.in_features, self.num_classes, self.out_features,
                   self.linear.bias is not None, self.reduction, self.ignore_index,
                   self.label_smoothing, self.options))
