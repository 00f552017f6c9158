"""ChannelShuffle (ShuffleNet's interleaving of channel groups)."""
from ember.nn import functional as F
from ember.nn.modules.module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """``(N, g k, *)`` to ``(N, k g, *)``: the channels of ``groups`` groups interleaved.

    Example::

        >>> import ember
        >>> ChannelShuffle(2)(ember.arange(4.).reshape(1, 4, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return "groups=%s" % self.groups
