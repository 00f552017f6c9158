"""AdaptiveLogSoftmaxWithLoss: the efficient softmax of Grave et al. (2017) for large vocabularies.

The classes are split by ``cutoffs`` into a head (the frequent classes, plus one logit per
tail cluster) and tail clusters whose logits come from a smaller projection. A class's
log-probability is its head log-probability, or its cluster's head log-probability plus its
log-probability within the cluster.
"""
import itertools
from collections import namedtuple

import ember
from ember.nn import functional as F
from ember.nn.modules.container import ModuleList, Sequential
from ember.nn.modules.linear import Linear
from ember.nn.modules.module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax: ``forward(input, target)`` returns ``(output, loss)``, the target
    log-probability of each row and their negated mean.

    Args:
        in_features (int): features of each input row.
        n_classes (int): number of classes.
        cutoffs (Sequence[int]): increasing class indices where the clusters start.
        div_value (float): each cluster's projection is ``div_value`` times narrower than the
            previous one's (default: 4.0).
        head_bias (bool): whether the head has a bias (default: False).

    Shape:
        - input: ``(N, in_features)`` or ``(in_features,)``; target: ``(N,)`` or ``()``.
        - output: ``(N,)`` or ``()``; loss: ``()``.
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in "
                             "an increasing order, where each value is between 1 and "
                             "n_classes-1")
        factory = dict(device=device, dtype=dtype)
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // div_value ** (i + 1))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **factory),
                                        Linear(hidden, size, bias=False, **factory)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection, output in self.tail:
            projection.reset_parameters()
            output.reset_parameters()

    def _check(self, input, target):
        if target.dim() == 1:
            if input.size(0) != target.size(0):
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input.dim() != 2:
                raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs "
                                   "with size %s" % (input.size(),))
        elif target.dim() == 0:
            if input.dim() != 1:
                raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs "
                                   "with size %s" % (input.size(),))
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")

    def forward(self, input, target):
        self._check(input, target)
        batched = target.dim() > 0
        if not batched:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        labels = target.detach()
        # the head column each row reads: its class, or its cluster's logit
        head_column = labels.clone()
        output = None
        used = 0
        for i, (low, high) in enumerate(itertools.pairwise([0] + self.cutoffs)):
            rows = ((labels >= low) & (labels < high)).nonzero().flatten()
            used += rows.numel()
            if i == 0 or rows.numel() == 0:
                continue
            head_column[rows] = self.shortlist_size + i - 1
            cluster = F.log_softmax(self.tail[i - 1](input.index_select(0, rows)), dim=1)
            inside = cluster.gather(1, (labels[rows] - low).unsqueeze(1)).squeeze(1)
            part = ember.zeros(labels.shape[0], dtype=input.dtype).index_add(0, rows, inside)
            output = part if output is None else output + part
        if used != labels.shape[0]:
            raise RuntimeError("Target values should be in [0, %d], but values in range [%s, %s] "
                               "were found. " % (self.n_classes - 1, labels.min().item(),
                                                 labels.max().item()))
        head = F.log_softmax(self.head(input), dim=1).gather(1, head_column.unsqueeze(1))
        head = head.squeeze(1)
        output = head if output is None else output + head
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, input, head_output):
        head = F.log_softmax(head_output, dim=1)
        parts = [head[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster + head[:, self.shortlist_size + i].unsqueeze(1))
        return ember.cat(parts, dim=1)

    def log_prob(self, input):
        """Log-probabilities of all ``n_classes`` classes: ``(N, n_classes)``."""
        return self._full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class of each row (``argmax`` of ``log_prob``, computed only for the
        rows whose best head logit is a cluster's)."""
        head_output = self.head(input)
        output = ember.argmax(head_output, dim=1)
        in_tail = output >= self.shortlist_size
        if not in_tail.any():
            return output
        if in_tail.all():
            return ember.argmax(self._full_log_prob(input, head_output), dim=1)
        output[in_tail] = ember.argmax(self._full_log_prob(input[in_tail], head_output[in_tail]),
                                       dim=1)
        return output
