"""Nested containers of tensors (tuples, lists, dicts): flatten to leaves and rebuild."""


def tree_flatten(tree):
    """``(leaves, spec)``: the non-container leaves in order and how to rebuild ``tree``."""
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, (tuple, list)):
        specs = [_flatten(t, leaves) for t in tree]
        return (type(tree), None, specs)
    if isinstance(tree, dict):
        keys = list(tree)
        return (type(tree), keys, [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return None


def tree_unflatten(leaves, spec):
    """Rebuild the tree described by ``spec`` from ``leaves`` (in flatten order)."""
    it = iter(leaves)
    return _unflatten(it, spec)


def _unflatten(it, spec):
    if spec is None:
        return next(it)
    kind, keys, children = spec
    values = [_unflatten(it, c) for c in children]
    if keys is not None:
        return kind(zip(keys, values)) if kind is dict else kind(list(zip(keys, values)))
    if kind is tuple or kind is list:
        return kind(values)
    return kind(*values)  # a namedtuple

