"""vmap's batching rules, one per family of autograd nodes.

A rule ``rule(cls, phys, flags, size, params, kwparams, multi)`` gets the node class, the
inputs (physical tensors with the batch dim in front where ``flags`` is set, unbatched tensors
otherwise), the batch size and the node's parameters, and returns the physical output (batch
dim in front) computed by applying ``cls`` (or other ops) once. It may return
``NotImplemented`` for parameters it does not handle.

A node without a rule, or whose rule declines, runs once per sample and the results are
stacked: that is the loop fallback, allowed only for the nodes listed in ``FALLBACK`` with the
reason (``tests/func/test_vmap_registry.py`` fails for any other node that loops).
``LOOPED`` counts the fallback runs per node class name.
"""
import collections

from ember._backend import np
from ember.func._batching import _BatchedArray, logical_dim

RULES = {}
# Nodes whose rule reads batched parameter arrays itself (the others loop when they get one).
OWN_PARAMS = set()
LOOPED = collections.Counter()

# Node class name -> why it may run once per sample.
FALLBACK = {
    "_ConvInputGrad": "a per-sample weight",
    "_GridSample": "no rule yet: the grid and the input share N",
    "_Normalize": "statistics batched at an outer vmap level only",
    "_NormalizeAffine": "statistics batched at an outer vmap level only",
    "Embedding": "a per-sample table with a padding_idx",
    "RNNLayer": "fused recurrent layers step through a packed time-major batch",
    "LSTMLayer": "fused recurrent layers step through a packed time-major batch",
    "GRULayer": "fused recurrent layers step through a packed time-major batch",
    "Cdist": "no rule yet",
    "DiagonalBackward": "no rule yet (diag_embed's output shape)",
    "Inv": "tensorinv reshapes around the batch",
    "Solve": "tensorsolve reshapes around the batch",
    "IndexPut": "index arrays are parameters of one sample's shape",
    "MaskedFill": "a mask batched at an outer vmap level only",
    "Gather": "an index batched at an outer vmap level only",
    "_TakeAlong": "an index batched at an outer vmap level only",
    "MaskedScatter": "a batched mask (a parameter array)",
    "Scatter": "index arrays are parameters of one sample's shape",
    "ScatterAdd": "index arrays are parameters of one sample's shape",
    "ScatterReduce": "index arrays are parameters of one sample's shape",
    "ViewScatter": "the view is described by one sample's strides",
    "Index": "advanced indices separated by a slice (NumPy moves their dims in front), or "
             "batched index arrays",
    "CrossEntropy": "class weights, label smoothing, or probability targets with a mean",
    "CrossEntropyProbs": "probability targets",
    "Nll": "class weights with a mean reduction",
}


def run_rule(cls, phys, flags, size, params, kwparams, multi):
    rule = RULES.get(cls)
    if rule is not None and (cls in OWN_PARAMS or not _batched_params(params, kwparams)):
        out = rule(cls, phys, flags, size, params, kwparams, multi)
        if out is not NotImplemented:
            return out
    LOOPED[cls.__name__] += 1
    return _loop(cls, phys, flags, size, params, kwparams, multi)


def _batched_params(params, kwparams):
    """Whether a parameter holds an array batched at the current (innermost) level."""
    from ember.func._batching import _State, param_level

    level = len(_State.sizes)
    return any(param_level(p) == level for p in params) \
        or any(param_level(p) == level for p in kwparams.values())


def _has_batched(p):
    from ember.func._batching import param_level

    return bool(param_level(p))


def _loop(cls, phys, flags, size, params, kwparams, multi):
    from ember.func._array_rules import sample_of as _select_param
    from ember.func._batching import _State
    from ember.ops.manipulation import stack

    if not size:
        raise RuntimeError("vmap: %s has no batching rule and cannot run over an empty batch"
                           % cls.__name__)
    level = len(_State.sizes)
    outs = []
    for b in range(size):
        ins = tuple(p.select(0, b) if f else p for p, f in zip(phys, flags))
        ps = tuple(_select_param(p, level, b) for p in params)
        kw = {k: _select_param(v, level, b) for k, v in kwparams.items()}
        outs.append(cls.apply_multi(ins, *ps) if multi else cls.apply(ins, *ps, **kw))
    if multi:
        return tuple(stack([o[i] for o in outs]) for i in range(len(outs[0])))
    return stack(outs)


def _apply(cls, ins, params, kwparams, multi):
    if multi:
        return cls.apply_multi(tuple(ins), *params)
    return cls.apply(tuple(ins), *params, **kwparams)


def _ndim(phys, flags):
    return max(logical_dim(p, f) for p, f in zip(phys, flags))


def _pad(p, n):
    """A physical tensor with ones inserted after the batch dim up to ``n`` logical dims."""
    k = p.dim() - 1
    if k >= n:
        return p
    return p.reshape((p.shape[0],) + (1,) * (n - k) + tuple(p.shape[1:]))


def _aligned(phys, flags):
    n = _ndim(phys, flags)
    return [_pad(p, n) if f else p for p, f in zip(phys, flags)]


def _expanded(phys, flags, size):
    """Every input with the batch dim in front (unbatched ones expanded)."""
    return [p if f else p.unsqueeze(0).expand((size,) + tuple(p.shape))
            for p, f in zip(phys, flags)]


def elementwise(cls, phys, flags, size, params, kwparams, multi):
    """Broadcasting ops (and matmul's batch dims): align the logical dims, apply once."""
    return _apply(cls, _aligned(phys, flags), params, kwparams, multi)


def _add_matmul(cls, phys, flags, size, params, kwparams, multi):
    """addmm/baddbmm: the product's operands carry the batch whenever the added term does (the
    kernel adds into the product in place)."""
    if flags[0] and not any(flags[1:]):
        phys = [phys[0]] + _expanded(phys[1:], flags[1:], size)
        flags = [True] * len(phys)
    return elementwise(cls, phys, flags, size, params, kwparams, multi)


def _trailing(cls, phys, flags, size, params, kwparams, multi):
    """Ops on the trailing dims of one input (adaptive pooling's axis maps, padding): the batch
    dim in front is one more leading dim."""
    if any(flags[1:]):
        return NotImplemented
    return _apply(cls, phys, params, kwparams, multi)


def _fold(cls, phys, flags, size, params, kwparams, multi):
    """(N, C, ...) kernels (pooling, conv with a shared weight, unfold): the batch is folded
    into N and unfolded from the result."""
    if any(flags[1:]) or phys[0].dim() < 2:
        return NotImplemented
    x = phys[0]
    n = x.shape[1]
    folded = x.reshape((size * n,) + tuple(x.shape[2:]))
    out = _apply(cls, [folded] + list(phys[1:]), params, kwparams, multi)
    if multi:
        return tuple(o.reshape((size, n) + tuple(o.shape[1:])) for o in out)
    return out.reshape((size, n) + tuple(out.shape[1:]))


def _conv(cls, phys, flags, size, params, kwparams, multi):
    """conv with a shared weight folds the batch into N; with a batched weight (per-sample
    gradients, ensembles) the samples become groups: (N, B*C, ...) against (B*O, C/g, ...)."""
    if not any(flags[1:]):
        return _fold(cls, phys, flags, size, params, kwparams, multi)
    from ember.ops.nn.conv import _Geometry

    x, w = _expanded(phys[:2], flags[:2], size)
    n, c = x.shape[1], x.shape[2]
    spatial = tuple(x.shape[3:])
    grouped_x = x.movedim(0, 1).reshape((n, size * c) + spatial)
    o = w.shape[1]
    grouped_w = w.reshape((size * o,) + tuple(w.shape[2:]))
    ins = [grouped_x, grouped_w]
    if len(phys) == 3:
        b = phys[2] if flags[2] else phys[2].unsqueeze(0).expand(size, o)
        ins.append(b.reshape(size * o))
    g = params[-1]
    geom = _Geometry(g.kernel, g.stride, g.dilation, g.pad_lo, g.pad_hi, g.groups * size,
                     g.in_size, g.out_size)
    out = cls.apply(tuple(ins), *params[:-1], geom)
    return out.reshape((n, size, o) + tuple(out.shape[2:])).movedim(1, 0)


def _conv_transpose(cls, phys, flags, size, params, kwparams, multi):
    """conv_transpose's node takes the batch size N as a parameter: folded, it is size * N."""
    if any(flags[1:]):
        return NotImplemented
    x = phys[0]
    n = x.shape[1]
    out = cls.apply((x.reshape((size * n,) + tuple(x.shape[2:])),) + tuple(phys[1:]),
                    params[0], size * params[1])
    return out.reshape((size, n) + tuple(out.shape[1:]))


def _normalize(cls, phys, flags, size, params, kwparams, multi):
    """layer_norm / group_norm / batch_norm nodes: the spec's statistics (batched or shared)
    and views gain the batch dim; a per-sample weight or bias broadcasts from the front."""
    from ember.func._batching import _State
    from ember.ops.nn.normalization import _NormSpec

    level = len(_State.sizes)
    spec = params[-1]
    x = phys[0] if flags[0] else _expanded(phys[:1], flags[:1], size)[0]

    def stat(a):
        if a is None or not isinstance(a, np.ndarray):
            return a
        if a.__class__ is _BatchedArray and a.level == level:
            return a.phys
        if a.__class__ is _BatchedArray:
            return NotImplemented
        return a
    mean, rstd = stat(spec.mean), stat(spec.rstd)
    if mean is NotImplemented or rstd is NotImplemented:
        return NotImplemented
    n = x.dim() - 1
    param_shape = tuple(spec.param_shape)
    rest = list(phys[1:])
    if any(flags[1:]):
        rest = _expanded(rest, flags[1:], size)
        param_shape = (size,) + (1,) * (n - len(param_shape)) + param_shape
    new = _NormSpec((size,) + tuple(spec.stat_shape), tuple(a + 1 for a in spec.axes),
                    spec.eps, param_shape, spec.batch_stats, mean, rstd)
    return cls.apply(tuple([x] + rest), new)


def _embedding(cls, phys, flags, size, params, kwparams, multi):
    """embedding with per-sample indices (a parameter) and a shared table: one lookup."""
    from ember.func._batching import _State

    idx = params[0]
    level = len(_State.sizes)
    batched_idx = idx.__class__ is _BatchedArray and idx.level == level
    if not flags[0]:
        if not batched_idx:
            return NotImplemented
        return cls.apply(tuple(phys), idx.phys, *params[1:])
    # a per-sample table: the tables stacked into one, each sample's indices offset to its own
    if params[1] is not None or (idx.__class__ is _BatchedArray and not batched_idx):
        return NotImplemented
    w = phys[0]
    rows = w.shape[1]
    idx = idx.phys if batched_idx else np.broadcast_to(idx, (size,) + idx.shape)
    offsets = (np.arange(size) * rows).reshape((size,) + (1,) * (idx.ndim - 1))
    return cls.apply((w.reshape((size * rows,) + tuple(w.shape[2:])),), idx + offsets,
                     *params[1:])


def _param_batch(p, size):
    """A parameter array with the current level's batch in front (broadcast when unbatched);
    None for one batched at an outer level only."""
    from ember.func._batching import _State

    if p.__class__ is _BatchedArray:
        return p.phys if p.level == len(_State.sizes) else None
    return np.broadcast_to(p, (size,) + np.shape(p))


def _along(cls, phys, flags, size, params, kwparams, multi):
    """gather / take_along (an index array parameter and a dim): index and input both carry
    the batch, the dim moves past it."""
    index = _param_batch(params[0], size)
    if index is None:
        return NotImplemented
    (a,) = _expanded(phys, flags, size)
    n = a.dim() - 1
    return cls.apply((a,), index, _shift(params[1], n), *params[2:])


def _masked_fill(cls, phys, flags, size, params, kwparams, multi):
    """masked_fill with a mask parameter (batched or shared) and a 0-d value tensor."""
    from ember.func._batching import _State

    mask = params[0]
    if mask.__class__ is _BatchedArray and mask.level != len(_State.sizes):
        return NotImplemented
    ins = _expanded(phys[:1], flags[:1], size) + list(phys[1:])
    n = max(_ndim(ins, [True] + list(flags[1:])), np.ndim(mask))
    ins = [_pad(p, n) if f else p for p, f in zip(ins, [True] + list(flags[1:]))]
    if mask.__class__ is _BatchedArray:
        mask = mask.phys.reshape((size,) + (1,) * (n - mask.ndim) + mask.shape)
    return cls.apply(tuple(ins), mask)


def _axis_maps(cls, phys, flags, size, params, kwparams, multi):
    """Interpolation / reflect-pad maps along given axes: the axes move past the batch dim."""
    (p,) = phys
    n = p.dim() - 1
    return cls.apply((p,), [(d % n + 1, m) for d, m in params[0]])


def _constant_pad(cls, phys, flags, size, params, kwparams, multi):
    """Pads are listed for every dim: none for the batch dim."""
    return cls.apply(tuple(phys), [(0, 0)] + list(params[0]), *params[1:])


def _repeat(cls, phys, flags, size, params, kwparams, multi):
    (p,) = phys
    sizes = tuple(params[0])
    return cls.apply((_pad(p, len(sizes)),), (1,) + sizes)


def _shift(d, n):
    return (d % n if n else 0) + 1


def _shift_dims(dims, n):
    if isinstance(dims, (tuple, list)):
        return tuple(_shift(d, n) for d in dims)
    return _shift(dims, n)


def dims_at(*positions, all_when_none=False):
    """A rule for single-input ops whose parameters at ``positions`` are dims (an int or a
    tuple; None means every dim when ``all_when_none``)."""
    def rule(cls, phys, flags, size, params, kwparams, multi):
        (p,) = phys
        n = p.dim() - 1
        params = list(params)
        for i in positions:
            if params[i] is None:
                if not all_when_none:
                    return NotImplemented
                params[i] = tuple(range(1, n + 1))
            else:
                params[i] = _shift_dims(params[i], n)
        return _apply(cls, phys, params, kwparams, multi)
    return rule


def _prepend_size(cls, phys, flags, size, params, kwparams, multi):
    """View/Reshape/Squeeze/Unsqueeze/Expand: the target shape gains the batch size."""
    (p,) = phys
    shape = tuple(params[0])
    if cls.__name__ == "Expand":
        p = _pad(p, len(shape))
    return cls.apply((p,), (size,) + shape, *params[1:])


def _permute(cls, phys, flags, size, params, kwparams, multi):
    (p,) = phys
    n = p.dim() - 1
    return cls.apply((p,), (0,) + _shift_dims(params[0], n))


def _prod(cls, phys, flags, size, params, kwparams, multi):
    (p,) = phys
    dim, keepdim, dtype = params
    if dim is None:
        return cls.apply((p.reshape(size, -1),), 1, False, dtype)
    return cls.apply((p,), _shift(dim, p.dim() - 1), keepdim, dtype)


def _leading_index(cls, phys, flags, size, params, kwparams, multi):
    """Slice / basic Index: a full slice for the batch dim in front of the index."""
    (p,) = phys
    idx = params[0] if isinstance(params[0], tuple) else (params[0],)
    if cls.__name__ == "Index" and not params[1] and not _adjacent_advanced(idx):
        return NotImplemented
    return cls.apply((p,), (slice(None),) + idx, *params[1:])


def _adjacent_advanced(idx):
    """Whether the array indices of ``idx`` are consecutive (NumPy then keeps their dims in
    place, so a leading batch slice stays in front)."""
    where = [i for i, x in enumerate(idx)
             if not (x is None or x is Ellipsis or isinstance(x, (slice, int, np.integer)))]
    return not where or where[-1] - where[0] == len(where) - 1


def _cat(cls, phys, flags, size, params, kwparams, multi):
    ins = _expanded(phys, flags, size)
    n = ins[0].dim() - 1
    return cls.apply(tuple(ins), _shift(params[0], n))


def _dot(cls, phys, flags, size, params, kwparams, multi):
    from ember.ops.blas import matmul

    a, b = phys
    return matmul(a.unsqueeze(-2), b.unsqueeze(-1)).reshape(size)


def _linear(cls, phys, flags, size, params, kwparams, multi):
    if not any(flags[1:]):
        return cls.apply(tuple(phys))
    from ember.ops.blas import matmul

    x, w = phys[0], phys[1]
    lead = tuple(x.shape[1:-1]) if flags[0] else tuple(x.shape[:-1])
    rows = x.reshape(size, -1, x.shape[-1]) if flags[0] else x.reshape(-1, x.shape[-1])
    out = matmul(rows, w.transpose(-1, -2))
    if len(phys) == 3:
        b = phys[2]
        out = out + (b.unsqueeze(-2) if flags[2] else b)
    out_features = out.shape[-1]
    return out.reshape((size,) + lead + (out_features,))


def _einsum(cls, phys, flags, size, params, kwparams, multi):
    *arrays_params, subs, out_sub = params
    used = set("".join(subs) + out_sub)
    letter = next(c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  if c not in used)
    subs = [letter + s if f else s for s, f in zip(subs, flags)]
    return cls.apply(tuple(phys), *arrays_params, subs, letter + out_sub)


def _class_loss(cls, phys, flags, size, params, kwparams, multi):
    """cross_entropy / nll_loss with class-index targets (a parameter array): per-element
    losses of the whole batch in one call, then each sample's own reduction."""
    from ember._tensor import _make
    from ember.func._batching import _State

    if cls.__name__ == "CrossEntropy":
        if kwparams.get("weight") is not None or kwparams.get("label_smoothing", 0.0):
            return NotImplemented
        target = kwparams["target"]
        reduction = kwparams.get("reduction", "mean")
        ignore = kwparams.get("ignore_index", -100)
    else:
        target, weight, ignore, reduction = params
        if weight is not None and reduction == "mean":
            return NotImplemented
    if target.__class__ is _BatchedArray and target.level == len(_State.sizes):
        target = target.phys
    elif _has_batched(target) or _has_batched(params):
        return NotImplemented
    else:
        target = np.broadcast_to(target, (size,) + target.shape)
    if target.__class__ is not np.ndarray:
        return NotImplemented
    (x,) = _expanded(phys[:1], flags[:1], size)
    if x.dim() == 2:  # samples of shape (C,): one loss each, whatever the reduction
        flat_x, flat_t = x, target
    else:
        flat_x = x.movedim(2, -1).reshape(-1, x.shape[2])
        flat_t = target.reshape(-1)
    if cls.__name__ == "CrossEntropy":
        losses = cls.apply((flat_x,), **dict(kwparams, target=flat_t, reduction="none"))
    else:
        losses = cls.apply((flat_x,), flat_t, weight, ignore, "none")
    if reduction == "none" or x.dim() == 2:
        return losses.reshape(target.shape)
    summed = losses.reshape(size, -1).sum(1)
    if reduction == "sum":
        return summed
    counts = (target.reshape(size, -1) != ignore).sum(1)
    return summed / _make(counts.astype(summed._data.dtype))


def _fft(cls, phys, flags, size, params, kwparams, multi):
    """ember.fft's transforms: the axes move past the batch dim, the resized shapes gain it."""
    (p,) = phys
    core, pre, post = params
    return cls.apply((p,), core.shifted(1), None if pre is None else (size,) + tuple(pre),
                     None if post is None else (size,) + tuple(post))


def _install():
    from ember.ops import (arithmetic, binary, bits, blas, copying, cumulative, einsum, fft,
                           indexing, linalg, manipulation, pointwise, reduction,
                           reduction_minmax, scatter_gather, slicing, special, unary, views)
    from ember.ops.nn import (activation, activation_softmax, conv, distance, dropout, fold,
                              linear, loss, normalization, padding, pooling, pooling_adaptive,
                              sparse)

    for cls in (arithmetic.Add, arithmetic.Sub, arithmetic.AddScalar, arithmetic.Clamp,
                arithmetic.ClampTensor, arithmetic.Div, arithmetic.DivScalar, arithmetic.Fmod,
                arithmetic.Remainder, arithmetic.Mul, arithmetic.MulScalar, arithmetic.Neg,
                arithmetic.Pow, arithmetic.RoundedDiv, arithmetic.SubScalar,
                arithmetic.ToCopy, binary.Binary, bits.Ldexp, unary.Unary, unary.Rounding,
                unary.NanToNum, unary.SigmoidBackward, unary.TanhBackward, activation.Elu,
                activation.Gelu, activation.Hardshrink, activation.Hardsigmoid,
                activation.Hardswish, activation.Hardtanh, activation.LeakyRelu,
                activation.LogSigmoid, activation.Mish, activation.Relu, activation.Silu,
                activation.Softplus, activation.Softshrink, activation.Threshold,
                activation.ThresholdBackward, pointwise.Addcdiv, pointwise.Addcmul,
                pointwise.Lerp, indexing.Where, special.Igamma,
                special.Logit, special.Polygamma, special.Zeta, copying.Clone,
                views.Alias, distance.ClampMinValue, dropout.Dropout, blas.Matmul,
                manipulation.Tril):
        RULES[cls] = elementwise
    for cls in (reduction.Sum, reduction.Mean, reduction.NanSum, reduction.LogSumExp,
                reduction.Std, reduction.Var, reduction_minmax._Extreme, manipulation.Flip,
                cumulative.Cumsum, cumulative.Cumprod, activation_softmax.Softmax,
                activation_softmax.LogSoftmax, slicing.Unfold):
        RULES[cls] = dims_at(0)
    RULES[linalg.VectorNorm] = dims_at(1, all_when_none=True)
    RULES[distance.VectorNorm] = dims_at(1, all_when_none=True)
    RULES[manipulation.Roll] = dims_at(1)
    RULES[slicing.Diagonal] = dims_at(1, 2)
    RULES[indexing.IndexSelect] = dims_at(1)
    RULES[reduction.Prod] = _prod
    for cls in (views.View, views.Reshape, views.Squeeze, views.Unsqueeze, views.UnsafeView,
                views.Expand):
        RULES[cls] = _prepend_size
    RULES[views.Permute] = _permute
    RULES[views.Transpose] = dims_at(0, 1)
    RULES[slicing.Slice] = _leading_index
    RULES[indexing.Index] = _leading_index
    RULES[manipulation.Cat] = _cat
    RULES[manipulation.Repeat] = _repeat
    RULES[cumulative.LogCumSumExp] = dims_at(0)
    RULES[pooling_adaptive._AxisMatmul] = _trailing
    RULES[conv._ConvInputGrad] = _conv_transpose
    RULES[conv._Conv] = _conv
    for cls in (pooling._MaxPool, pooling._AvgPool, fold._Unfold, fold._Fold):
        RULES[cls] = _fold
    RULES[blas.Dot] = _dot
    RULES[blas.AddMatmul] = _add_matmul
    RULES[linear.Linear] = _linear
    RULES[einsum.Einsum] = _einsum
    RULES[loss.CrossEntropy] = _class_loss
    RULES[loss.Nll] = _class_loss
    RULES[normalization._Normalize] = _normalize
    RULES[normalization._NormalizeAffine] = _normalize
    RULES[sparse.Embedding] = _embedding
    RULES[fft.FFT] = _fft
    RULES[scatter_gather.Gather] = _along
    RULES[reduction._TakeAlong] = _along
    RULES[indexing.MaskedFill] = _masked_fill
    RULES[padding.ConstantPad] = _constant_pad
    RULES[padding.AxisMaps] = _axis_maps
    from ember.ops import complex as complex_ops

    for cls in (complex_ops.Complex, complex_ops.Real, complex_ops.Imag, complex_ops.Conj,
                complex_ops.ConjPhysical, complex_ops.Angle, complex_ops.ViewAsReal,
                complex_ops.ViewAsComplex):
        RULES[cls] = elementwise  # the batch dim in front is one more leading dim
    OWN_PARAMS.update((loss.CrossEntropy, loss.Nll, normalization._Normalize,
                       normalization._NormalizeAffine, sparse.Embedding, scatter_gather.Gather,
                       reduction._TakeAlong, indexing.MaskedFill))
    for name in dir(unary):
        obj = getattr(unary, name)
        if isinstance(obj, type) and issubclass(obj, unary.TableNode):
            RULES.setdefault(obj, elementwise)


_install()
