"""Argument helpers shared by the layers, as ``torch.nn.modules.utils``."""
import collections.abc
import itertools


def _ntuple(n, name="parse"):
    """A parser turning one value into an ``n``-tuple of it; sequences pass through as tuples.

    Example:
        >>> _pair(3), _pair((1, 2)), _triple(0)
        ((3, 3), (1, 2), (0, 0, 0))
    """

    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(itertools.repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")
