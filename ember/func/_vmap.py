"""``vmap``: map a function over a dimension of its inputs.

``vmap`` calls ``func`` once on batched tensors (``_batching``): every op inside runs once for
the whole batch through its batching rule (``_rules``), with torch's argument checking,
nesting, ``out_dims``, ``chunk_size`` and ``randomness`` semantics (``"error"`` raises when
``func`` draws random numbers; ``"same"`` draws once for the whole batch; ``"different"``, when
``func`` does draw, runs ``func`` once per sample so that each draws its own numbers).
"""
import functools

from ember._tensor import Tensor
from ember.func import _batching, _functions  # noqa: F401 (installs the public-call hook)
from ember.func._pytree import tree_flatten, tree_unflatten


def _name(func):
    return getattr(func, "__name__", repr(func))


def _treespec(tree, indent=0):
    """The structure of ``tree`` written as torch's ``TreeSpec`` repr (for error messages)."""
    if isinstance(tree, (tuple, list, dict)):
        context = list(tree) if isinstance(tree, dict) else None
        children = list(tree.values()) if isinstance(tree, dict) else list(tree)
        inner = ""
        if children:
            indent += 2
            inner = _treespec(children[0], indent) + ("," if len(children) > 1 else "")
            inner += ",".join("\n" + " " * indent + _treespec(c, indent) for c in children[1:])
        return "TreeSpec(%s, %s, [%s])" % (type(tree).__name__, context, inner)
    return "*"


def _flat_dims(dims, tree, what, func, errtree):
    """``dims`` (an int/None or a prefix tree of them) broadcast over the leaves of ``tree``."""
    if not isinstance(dims, (tuple, list, dict)):
        return [dims] * len(tree_flatten(tree)[0])
    if isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)) \
            and len(dims) == len(tree):
        return [d for p, t in zip(dims, tree) for d in _flat_dims(p, t, what, func, errtree)]
    if isinstance(dims, dict) and isinstance(tree, dict) and set(dims) == set(tree):
        return [d for k in tree for d in _flat_dims(dims[k], tree[k], what, func, errtree)]
    raise errtree()


def _check_in_dims(func, in_dims, args):
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError("vmap(%s, in_dims=%s, ...)(<inputs>): expected `in_dims` to be int or a "
                         "(potentially nested) tuple matching the structure of inputs, got: %s."
                         % (_name(func), in_dims, type(in_dims)))
    if not args:
        raise ValueError("vmap(%s)(<inputs>): got no inputs. Maybe you forgot to add inputs, or "
                         "you are trying to vmap over a function with no inputs. The latter is "
                         "unsupported." % _name(func))
    flat_args, spec = tree_flatten(args)

    def err():
        return ValueError("vmap(%s, in_dims=%s, ...)(<inputs>): in_dims is not compatible with "
                          "the structure of `inputs`. in_dims has structure %s but inputs has "
                          "structure %s." % (_name(func), in_dims, _treespec(in_dims),
                                             _treespec(args)))

    dims = _flat_dims(in_dims if isinstance(in_dims, int) else tuple(in_dims), args, "in_dims",
                      func, err)
    head = "vmap(%s, in_dims=%s, ...)(<inputs>): " % (_name(func), in_dims)
    for i, (arg, d) in enumerate(zip(flat_args, dims)):
        if d is not None and not isinstance(d, int):
            raise ValueError(head + "Got in_dim=%s for an input but in_dim must be either an "
                             "integer dimension or None." % d)
        if d is None:
            continue
        if not isinstance(arg, Tensor):
            raise ValueError(head + "Got in_dim=%d for an input but the input is of type %s. We "
                             "cannot vmap over non-Tensor arguments, please use None as the "
                             "respective in_dim" % (d, type(arg)))
        n = arg.dim()
        if not -n <= d < n:
            raise ValueError(head + "Got in_dim=%d for some input, but that input is a Tensor of "
                             "dimensionality %d so expected in_dim to satisfy -%d <= in_dim < %d."
                             % (d, n, n, n))
        dims[i] = d % n
    sizes = [a.shape[d] for a, d in zip(flat_args, dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         "dimension, got sizes %s for the mapped dimension" % sizes)
    return flat_args, spec, dims, sizes[0]


def _stack_outputs(func, outs, out_dims, batch_size):
    from ember.ops.manipulation import stack

    spec = tree_flatten(outs[0])[1]
    flat = [tree_flatten(o)[0] for o in outs]

    dims = _flat_dims(out_dims, outs[0], "out_dims", func,
                      lambda: _out_err(func, out_dims, outs[0]))
    res = []
    for i, d in enumerate(dims):
        column = [f[i] for f in flat]
        if d is None:
            res.append(column[0])
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError("vmap(%s, ...): `%s` must only return Tensors, got type %s. Did you "
                             "mean to set out_dims= to None for output?"
                             % (_name(func), _name(func), type(column[0])))
        n = column[0].dim() + 1
        if not -n <= d < n:
            raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but "
                             "got %d)" % (-n, n - 1, d))
        res.append(stack(column, dim=d))
    return tree_unflatten(res, spec)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func`` over dimension ``in_dims`` of its inputs (``torch.vmap``).

    Args:
        func: the function to map; it sees one slice of each batched input.
        in_dims: the mapped dimension of each input (an int, ``None`` for an unmapped input,
            or a tuple matching the arguments, nested for containers).
        out_dims: where the mapped dimension goes in each output.
        randomness: ``"error"``, ``"different"`` or ``"same"``.
        chunk_size: compute at most this many samples at a time.

    Example::

        >>> import ember
        >>> ember.vmap(ember.dot)(ember.ones(3, 2), ember.ones(3, 2))
        tensor([2., 2., 2.])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           "'same'. Got %s" % randomness)
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError("vmap: chunk_size should be None or greater than 0. (got %s)"
                         % chunk_size)

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        _check_out_dims(func, out_dims)
        flat_args, spec, dims, size = _check_in_dims(func, in_dims, args)
        if chunk_size is not None and chunk_size < size:
            return _chunked(func, flat_args, spec, dims, size, kwargs)
        return _batched_call(func, flat_args, spec, dims, size, kwargs)

    def _chunked(func, flat_args, spec, dims, size, kwargs):
        from ember.ops.manipulation import cat

        parts = []
        for start in range(0, size, chunk_size):
            n = min(chunk_size, size - start)
            sliced = [a if d is None else a.narrow(d, start, n) for a, d in zip(flat_args, dims)]
            parts.append(_batched_call(func, sliced, spec, dims, n, kwargs))
        flat = [tree_flatten(p)[0] for p in parts]
        out_spec = tree_flatten(parts[0])[1]
        odims = _flat_dims(out_dims, parts[0], "out_dims", func,
                           lambda: _out_err(func, out_dims, parts[0]))
        res = [column[0] if d is None else cat(list(column), dim=d)
               for d, column in zip(odims, zip(*flat))]
        return tree_unflatten(res, out_spec)

    def _batched_call(func, flat_args, spec, dims, size, kwargs):
        from ember import random

        state = random.get_rng_state()
        level = _batching.push(size)
        try:
            batched = [a if d is None else _batching.wrap(a.movedim(d, 0), level)
                       for a, d in zip(flat_args, dims)]
            out = func(*tree_unflatten(batched, spec), **kwargs)
            drew = not _same_state(state, random.get_rng_state())
            if drew and randomness == "error":
                raise RuntimeError("vmap: called random operation while in randomness error "
                                   "mode. Please either use the 'same' or 'different' "
                                   "randomness flags on vmap or perform the randomness "
                                   "operation out of vmap")
            if not (drew and randomness == "different"):
                return _unbatch_outputs(func, out, out_dims, level, size)
        finally:
            _batching.pop()
        random.set_rng_state(state)
        return _per_sample(func, flat_args, spec, dims, size, kwargs, out_dims)

    return wrapped


def _out_err(func, out_dims, outputs):
    return ValueError("vmap(%s, ..., out_dims=%s)(<inputs>): out_dims is not compatible with "
                      "the structure of `outputs`. out_dims has structure %s but outputs has "
                      "structure %s." % (_name(func), out_dims, _treespec(out_dims),
                                         _treespec(outputs)))


def _check_out_dims(func, out_dims):
    leaves = tree_flatten(out_dims)[0] if isinstance(out_dims, (tuple, list, dict)) \
        else [out_dims]
    if not all(d is None or isinstance(d, int) for d in leaves):
        raise ValueError("vmap(%s, ..., out_dims=%s): `out_dims` must be an int, None or a "
                         "python collection of ints representing where in the outputs the "
                         "vmapped dimension should appear." % (_name(func), out_dims))


def _unbatch_outputs(func, out, out_dims, level, size):
    """The outputs of the batched call with the batch dim moved to ``out_dims``."""
    leaves, spec = tree_flatten(out)
    dims = _flat_dims(out_dims, out, "out_dims", func, lambda: _out_err(func, out_dims, out))
    res = []
    for leaf, d in zip(leaves, dims):
        phys = _batching.unwrap(leaf, level) if isinstance(leaf, Tensor) else None
        if d is None:
            if phys is not None:
                raise ValueError("vmap(%s, ...): `%s` can not return a BatchedTensor when "
                                 "out_dim is None" % (_name(func), _name(func)))
            res.append(leaf)
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError("vmap(%s, ...): `%s` must only return Tensors, got type %s. Did you "
                             "mean to set out_dims= to None for output?"
                             % (_name(func), _name(func), type(leaf)))
        n = leaf.dim() + 1
        if not -n <= d < n:
            raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but "
                             "got %d)" % (-n, n - 1, d))
        if phys is None:
            phys = leaf.unsqueeze(0).expand((size,) + tuple(leaf.shape))
        res.append(phys.movedim(0, d))
    return tree_unflatten(res, spec)


def _per_sample(func, flat_args, spec, dims, size, kwargs, out_dims):
    """``randomness="different"`` with a ``func`` that draws: one call per sample."""
    outs = []
    for b in range(size):
        sliced = [a if d is None else a.select(d, b) for a, d in zip(flat_args, dims)]
        outs.append(func(*tree_unflatten(sliced, spec), **kwargs))
    return _stack_outputs(func, outs, out_dims, size)


def _same_state(a, b):
    return a.shape == b.shape and bool((a == b).all())
