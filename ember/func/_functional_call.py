"""``functional_call`` (run a module with other parameter values) and ``stack_module_state``."""
import contextlib


def _tied_names(module):
    """For every parameter/buffer name, the set of names sharing its tensor (if shared)."""
    by_id = {}
    named = list(module.named_parameters(remove_duplicate=False))
    named += list(module.named_buffers(remove_duplicate=False))
    for name, t in named:
        by_id.setdefault(id(t), set()).add(name)
    return {name: names for names in by_id.values() if len(names) > 1 for name in names}


def _untie(module, tensors):
    tied = _tied_names(module)
    given = [n for n in tensors if n in tied]
    for name in given:
        names = tied[name]
        if len(names.intersection(given)) > 1 and len({id(tensors[n]) for n in names
                                                       if n in tensors}) != 1:
            raise ValueError("functional_call got multiple values for keys %s, which are tied. "
                             "Consider using tie_weights=False" % sorted(names))
    untied = dict(tensors)
    for name in given:
        for other in tied[name]:
            untied[other] = tensors[name]
    return untied


def _owner(module, name):
    *path, attr = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, attr


def _swap(module, name, value):
    """Put ``value`` under ``name``; returns the previous value and the dict that held it."""
    mod, attr = _owner(module, name)
    for store in (mod._parameters, mod._buffers):
        if attr in store:
            old = store[attr]
            store[attr] = value
            return old, store
    old = mod.__dict__.get(attr, _MISSING)
    object.__setattr__(mod, attr, value)
    return old, mod.__dict__


_MISSING = object()


@contextlib.contextmanager
def _reparametrize(module, tensors, tie_weights, strict):
    if tie_weights:
        tensors = _untie(module, tensors)
    if strict:
        keys = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        keys |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(keys - set(tensors))
        unexpected = sorted(set(tensors) - keys)
        msgs = []
        if unexpected:
            msgs.append("Unexpected key(s): %s." % ", ".join(map(repr, unexpected)))
        if missing:
            msgs.append("Missing key(s): %s." % ", ".join(map(repr, missing)))
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for %s:\n\t%s"
                               % (module._get_name(), "\n\t".join(msgs)))
    saved = []
    try:
        for name, value in tensors.items():
            old, store = _swap(module, name, value)
            saved.append((store, name.rsplit(".", 1)[-1], old))
        yield
    finally:
        for store, attr, old in reversed(saved):
            if old is _MISSING:
                del store[attr]
            else:
                store[attr] = old


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call ``module`` with its parameters and buffers replaced by the given tensors.

    Args:
        module: the module to call.
        parameter_and_buffer_dicts: a dict ``{name: tensor}`` (state-dict names) or a tuple of
            such dicts (parameters, buffers).
        args: positional arguments (a single non-tuple value is passed as the only argument).
        kwargs: keyword arguments.
        tie_weights: tensors tied in the module stay tied in the call.
        strict: the names given must match the module's exactly.

    Example::

        >>> import ember
        >>> lin = ember.nn.Linear(2, 1)
        >>> p = {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}
        >>> ember.func.functional_call(lin, p, (ember.tensor([[1., 2.]]),))
        tensor([[3.]])
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (tuple, list)):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError("%s appeared in multiple dictionaries; behavior of functional call "
                             "is ambiguous" % repeated)
        tensors = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         "dicts, but got %s" % type(parameter_and_buffer_dicts))
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize(module, tensors, tie_weights, strict):
        return module(*args, **kwargs)


def _stacked_leaf(tensors, name):
    from ember.ops.manipulation import stack

    flags = {t.requires_grad for t in tensors}
    if len(flags) > 1:
        raise RuntimeError("Expected %s from each model to have the same .requires_grad" % name)
    res = stack(tensors)
    return res.detach().requires_grad_() if flags == {True} else res


def stack_module_state(models):
    """``(params, buffers)``: each model's parameters and buffers stacked along a new dim 0.

    The stacked parameters are new leaves (an optimizer can take them); use them with
    ``vmap(functional_call)`` to run an ensemble.

    Example::

        >>> import ember
        >>> params, buffers = ember.func.stack_module_state([ember.nn.Linear(3, 2)
        ...                                                  for _ in range(4)])
        >>> params["weight"].shape
        ember.Size([4, 2, 3])
    """
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if len({type(m) for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    params = {k: _stacked_leaf([p[k] for p in all_params], k) for k in all_params[0]}
    all_buffers = [dict(m.named_buffers()) for m in models]
    buffers = {k: _stacked_leaf([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers


def replace_all_batch_norm_modules_(root):
    """Stop every batch-norm module under ``root`` from tracking running statistics (in place),
    so that it can run under ``vmap``; returns ``root``."""
    from ember.nn.modules.batchnorm import _BatchNorm

    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root
