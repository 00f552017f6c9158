"""``rearrange``: einops-style reshaping and transposition by a pattern string."""
import math
import re

from ember._tensor import Tensor

_TOKEN = re.compile(r"\(|\)|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\d+")


def _parse(side):
    """A side of the pattern as a list of groups; a group is a list of axis names ('1' for an
    anonymous unit axis, '...' for the ellipsis)."""
    groups, current = [], None
    for tok in _TOKEN.findall(side):
        if tok == "(":
            if current is not None:
                raise ValueError("rearrange: nested parentheses in %r" % side)
            current = []
        elif tok == ")":
            if current is None:
                raise ValueError("rearrange: unbalanced parentheses in %r" % side)
            groups.append(current)
            current = None
        else:
            if tok.isdigit() and tok != "1":
                raise ValueError("rearrange: only the anonymous axis 1 is supported, got %s" % tok)
            (current if current is not None else groups).append(tok if current is not None
                                                                else [tok])
    if current is not None:
        raise ValueError("rearrange: unbalanced parentheses in %r" % side)
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Reshape and permute ``tensor`` as ``pattern`` says (``"b c (h w) -> b h w c"``).

    A list or tuple of tensors is stacked along a new first dimension first.

    Example::

        >>> import ember
        >>> ember.func.rearrange(ember.arange(6).view(2, 3), "a b -> b a").shape
        ember.Size([3, 2])
    """
    if not isinstance(tensor, Tensor):
        from ember.ops.manipulation import stack

        tensor = stack(list(tensor))
    left_s, sep, right_s = pattern.partition("->")
    if not sep:
        raise ValueError("rearrange: pattern must contain '->', got %r" % pattern)
    left, right = _parse(left_s), _parse(right_s)
    if ["..."] in left:
        names = ["...%d" % i for i in range(tensor.dim() - (len(left) - 1))]
        left = [x for g in left for x in ([[n] for n in names] if g == ["..."] else [g])]
        right = [x for g in right for x in ([[n] for n in names] if g == ["..."] else
                                            [[a for e in g for a in (names if e == "..."
                                                                     else [e])]])]
    if len(left) != tensor.dim():
        raise ValueError("rearrange: pattern %r expects %d dims, the tensor has %d"
                         % (pattern, len(left), tensor.dim()))
    sizes = dict(axes_lengths)
    for group, n in zip(left, tensor.shape):
        unknown = [a for a in group if a != "1" and a not in sizes]
        known = math.prod(sizes[a] for a in group if a != "1" and a in sizes)
        if len(unknown) > 1:
            raise ValueError("rearrange: cannot infer the sizes of %s" % unknown)
        if unknown:
            if n % known:
                raise ValueError("rearrange: dim of size %d cannot be split by %d" % (n, known))
            sizes[unknown[0]] = n // known
        elif known != n:
            raise ValueError("rearrange: dim of size %d does not match the pattern's %d"
                             % (n, known))
    elementary = [a for g in left for a in g if a != "1"]
    out_axes = [a for g in right for a in g if a != "1"]
    if sorted(elementary) != sorted(out_axes) or len(set(elementary)) != len(elementary):
        raise ValueError("rearrange: the two sides of %r must name the same axes once each"
                         % pattern)
    x = tensor.reshape(tuple(sizes[a] for a in elementary))
    x = x.permute(*[elementary.index(a) for a in out_axes])
    return x.reshape(tuple(math.prod(sizes[a] for a in g if a != "1") for g in right))
