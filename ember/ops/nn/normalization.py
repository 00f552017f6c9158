"""Normalization: batch, layer, group, instance and local-response norm.

Batch, layer, group and instance norm share one fused node, ``_Normalize``: the input is viewed
in a "statistics shape" (``(N, G, -1)`` for group norm...), normalised over some of its axes with
either its own statistics or fixed ones (running stats in eval mode), then scaled and shifted by
an optional affine weight and bias broadcast over the original shape. Forward and backward are
single NumPy passes; when the backward itself is being recorded (``create_graph=True``) it is
computed with ember ops instead, so double backward works.
"""
import builtins
import math

from ember._backend import np
from ember._tensor import _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.autograd.grad_mode import _State
from ember.ops.arithmetic import clamp_min
from ember.ops.nn.conv import _Geometry, _shape_str
from ember.ops.nn.distance import _vector_norm
from ember.ops.nn.pooling import _AvgPool
from ember.ops._util import check_dtype
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register, register_nn

_int = builtins.int


class _NormSpec:
    """How to normalise: stats view shape, stats axes, eps and the affine broadcast shape."""

    __slots__ = ("stat_shape", "axes", "eps", "param_shape", "batch_stats", "mean", "rstd",
                 "xhat")

    def __init__(self, stat_shape, axes, eps, param_shape, batch_stats, mean, rstd):
        self.stat_shape, self.axes, self.eps = stat_shape, axes, eps
        self.param_shape, self.batch_stats = param_shape, batch_stats
        self.mean, self.rstd = mean, rstd


def _param_axes(shape, param_shape):
    lead = len(shape) - len(param_shape)
    return tuple(i for i in range(len(shape))
                 if i < lead or param_shape[i - lead] == 1 and shape[i] != 1)


class _Normalize(Node):
    """y = (x - mean) * rstd; with ``_NormalizeAffine`` also ``* w [+ b]``."""

    save = (0,)

    def forward(ctx, x, *rest):
        spec = rest[-1]
        ctx.spec = spec
        xhat = (x.reshape(spec.stat_shape) - spec.mean) * spec.rstd
        xhat = xhat.reshape(x.shape)
        ctx.xhat = xhat
        if len(rest) == 1:
            return xhat
        y = xhat * rest[0].reshape(spec.param_shape)
        if len(rest) == 3:
            y += rest[1].reshape(spec.param_shape)
        return y

    def backward(ctx, g):
        # The raw-array path below is 1.08-1.17x faster per MLP training step than the ember-op
        # formula (bench/bench_backward_forks.py); a graph (create_graph=True) needs the latter.
        if _State.enabled:
            return _normalize_backward_graph(ctx, g)
        spec, xhat = ctx.spec, ctx.xhat
        need = ctx.needs_input_grad
        ga = g._data
        out = [None] * len(need)
        affine = len(need) > 1
        if affine:
            w = ctx.saved_tensors[1]._data
            axes = _param_axes(ga.shape, spec.param_shape)
            if need[1]:
                out[1] = _make((ga * xhat).sum(axes).reshape(w.shape))
            if len(need) == 3 and need[2]:
                out[2] = _make(ga.sum(axes).reshape(w.shape))
        if need[0]:
            gxh = ga * w.reshape(spec.param_shape) if affine else ga
            gs = gxh.reshape(spec.stat_shape)
            if spec.batch_stats:
                xs = xhat.reshape(spec.stat_shape)
                gx = gs - gs.mean(spec.axes, keepdims=True)
                gx -= xs * (gs * xs).mean(spec.axes, keepdims=True)
                gx *= spec.rstd
            else:
                gx = gs * spec.rstd
            out[0] = _make(gx.reshape(ga.shape))
        return tuple(out)

    def name(self):
        return "NativeBatchNormBackward0"

    @staticmethod
    def onnx(call):
        return _normalize_onnx(call)


class _NormalizeAffine(_Normalize):
    save = (0, 1)


def _normalize_onnx(call):
    """Statistics recomputed in the graph (batch statistics) or constants (running ones), then
    the affine part; ``(N, groups, -1)`` statistic views reshape with 0 for the leading sizes."""
    g, x, spec = call.g, call.inputs[0], call.params[-1]
    shape, dt = call.arrays[0].shape, call.outs[0].dtype
    stat_shape = tuple(spec.stat_shape)
    xs = x
    if stat_shape != shape:
        target = [0 if i < len(shape) and s == shape[i] else s for i, s in enumerate(stat_shape)]
        xs = g.op("Reshape", x, g.ints(target))
    if spec.batch_stats:
        centered = g.op("Sub", xs, g.reduce("ReduceMean", xs, spec.axes, True))
        var = g.reduce("ReduceMean", g.op("Mul", centered, centered), spec.axes, True)
        rstd = g.op("Reciprocal", g.op("Sqrt", g.op("Add", var, call.scalar(spec.eps))))
        xhat = g.op("Mul", centered, rstd)
    else:
        xhat = g.op("Mul", g.op("Sub", xs, g.const(np.asarray(spec.mean, dt))),
                    g.const(np.asarray(spec.rstd, dt)))
    if stat_shape != shape:
        xhat = g.op("Reshape", xhat, g.op("Shape", x))
    pshape = tuple(spec.param_shape)
    affine = [n if a.shape == pshape else g.op("Reshape", n, g.ints(pshape))
              for n, a in zip(call.inputs[1:], call.arrays[1:])]
    for op, value in zip(("Mul", "Add"), affine):
        xhat = g.op(op, xhat, value)
    return xhat



def _normalize_backward_graph(ctx, g):
    """The same gradients written with ember ops, so they can be differentiated again."""
    spec = ctx.spec
    saved = ctx.saved_tensors
    x = saved[0]
    need = ctx.needs_input_grad
    w = saved[1] if len(saved) > 1 else None
    shape = tuple(x.shape)
    xs = x.reshape(spec.stat_shape)
    if spec.batch_stats:
        xc = xs - xs.mean(spec.axes, keepdim=True)
        rstd = ((xc * xc).mean(spec.axes, keepdim=True) + spec.eps).rsqrt()
    else:
        rstd = _make(spec.rstd)
        xc = xs - _make(spec.mean)
    xhat = xc * rstd
    out = [None] * len(need)
    if need[0]:
        gs = (g * w.reshape(spec.param_shape) if w is not None else g).reshape(spec.stat_shape)
        if spec.batch_stats:
            gx = (gs - gs.mean(spec.axes, keepdim=True)
                  - xhat * (gs * xhat).mean(spec.axes, keepdim=True)) * rstd
        else:
            gx = gs * rstd
        out[0] = gx.reshape(shape)
    axes = _param_axes(shape, spec.param_shape)
    if len(need) > 1 and need[1]:
        out[1] = (g * xhat.reshape(shape)).sum(axes).reshape(w.shape)
    if len(need) > 2 and need[2]:
        out[2] = g.sum(axes).reshape(w.shape)
    return tuple(out)


def _normalize(x, spec, weight, bias):
    if weight is None and bias is not None:
        from ember.ops.creation import ones

        weight = ones(tuple(bias.shape), dtype=bias.dtype)
    if weight is None:
        return _Normalize.apply((x,), spec)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return _NormalizeAffine.apply(inputs, spec)


def _stats(xs, axes):
    mean = xs.mean(axes, keepdims=True)
    var = xs.var(axes, keepdims=True, mean=mean)
    return mean, var


def _rstd(var, eps):
    return (1.0 / np.sqrt(var + eps)).astype(var.dtype)


def _update_running(buf, value, momentum):
    """``buf = (1 - momentum) * buf + momentum * value`` in place (torch's running stats)."""
    arr = buf._data
    arr *= 1.0 - momentum
    arr += (momentum * value).astype(arr.dtype)
    _mark_written(buf)


def _mark_written(buf):
    bump = getattr(buf, "_bump_version", None)
    if bump is not None:
        bump()


def _check_params(t, n, what):
    if t is not None and t.numel() != n:
        raise RuntimeError("%s should contain %d elements not %d" % (what, n, t.numel()))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization over ``(N, C, *)``: statistics per channel over batch and space.

    In training the batch's mean and biased variance normalise; ``running_mean`` and
    ``running_var`` (if given) move towards the batch mean and the *unbiased* variance by
    ``momentum``. In evaluation the running statistics normalise.

    Args:
        input (Tensor): ``(N, C)`` or ``(N, C, *)``.
        running_mean (Tensor or None): ``(C)``, updated in place in training.
        running_var (Tensor or None): ``(C)``, updated in place in training.
        weight (Tensor, optional): the scale ``gamma``, ``(C)``. Default: ``None``.
        bias (Tensor, optional): the shift ``beta``, ``(C)``. Default: ``None``.
        training (bool): normalise with the batch's statistics. Default: ``False``.
        momentum (float): the running statistics' update factor. Default: 0.1.
        eps (float): added to the variance. Default: 1e-5.

    Shape:
        - Input: ``(N, C, *)``. Output: the same shape.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.tensor([[1.0, 10.0], [3.0, 30.0]])
        >>> mean, var = ember.zeros(2), ember.ones(2)
        >>> F.batch_norm(x, mean, var, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> mean
        tensor([0.2000, 2.0000])
    """
    shape = tuple(input.shape)
    if input.numel() == 0:
        # torch's shortcut for an empty input: no statistics, no checks, the affine of
        # channel 0 (an empty weight or bias raises IndexError there)
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        return out if bias is None else out + bias[0]
    check_dtype("batch_norm", input)
    c = shape[1] if len(shape) > 1 else 0
    for t, what in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_params(t, c, what)
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    axes = (0,) + tuple(range(2, len(shape)))
    count = 1
    for a in axes:
        count *= shape[a]
    if training and count == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         "torch.Size(%s)" % list(shape))
    x = input._data
    pshape = (1, c) + (1,) * (len(shape) - 2)
    if training:
        mean, var = _stats(x, axes)
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(-1), momentum)
        if running_var is not None:
            unbiased = var.reshape(-1) * (count / max(count - 1, 1))
            _update_running(running_var, unbiased, momentum)
    else:
        mean = running_mean._data.reshape(pshape).astype(x.dtype)
        var = running_var._data.reshape(pshape).astype(x.dtype)
    spec = _NormSpec(shape, axes, eps, pshape, training, mean, _rstd(var, eps))
    return _normalize(input, spec, weight, bias)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims; elementwise affine."""
    if isinstance(normalized_shape, (_int, np.integer)):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of "
                        "ints, not int")
    normalized_shape = tuple(_int(s) for s in normalized_shape)
    shape = tuple(input.shape)
    k = len(normalized_shape)
    if k == 0 or shape[len(shape) - k:] != normalized_shape or len(shape) < k:
        raise RuntimeError("Given normalized_shape=%s, expected input with shape [*, %s], but "
                           "got input of size%s" % (list(normalized_shape),
                                                    ", ".join(map(str, normalized_shape)),
                                                    _shape_str(shape)))
    for t, what in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError("Expected %s to be of same shape as normalized_shape, but got %s "
                               "of shape %s and normalized_shape = %s"
                               % (what, what, _shape_str(t.shape), _shape_str(normalized_shape)))
    check_dtype("LayerNormKernelImpl", input)
    axes = tuple(range(len(shape) - k, len(shape)))
    mean, var = _stats(input._data, axes)
    spec = _NormSpec(shape, axes, eps, normalized_shape, True, mean, _rstd(var, eps))
    return _normalize(input, spec, weight, bias)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each of ``num_groups`` channel groups per sample; per-channel affine."""
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received %d"
                           % len(shape))
    n, c = shape[:2]
    if c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, "
                           "but got input of shape %s and num_groups=%d"
                           % (_shape_str(shape), num_groups))
    # torch's check on the (N * C / G, G, *spatial) view: each group needs two values
    groups_view = [n * c // num_groups, num_groups] + list(shape[2:])
    if n * c // num_groups * math.prod(shape[2:]) == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         "%s" % groups_view)
    for t in (weight, bias):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError("Expected weight to be a vector of size equal to the number of "
                               "channels in input, but got weight of shape %s and input of "
                               "shape %s" % (_shape_str(t.shape), _shape_str(shape)))
    check_dtype("GroupNormKernelImpl", input)
    stat_shape = (n, num_groups, c // num_groups * math.prod(shape[2:]))
    xs = input._data.reshape(stat_shape)
    mean, var = _stats(xs, (2,))
    spec = _NormSpec(stat_shape, (2,), eps, (1, c) + (1,) * (len(shape) - 2), True, mean,
                     _rstd(var, eps))
    return _normalize(input, spec, weight, bias)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample over its spatial dims."""
    shape = tuple(input.shape)
    spatial = math.prod(shape[2:])
    if use_input_stats and spatial == 1:
        raise ValueError("Expected more than 1 spatial element when training, got input size "
                         "torch.Size(%s)" % list(shape))
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    # torch runs batch_norm on (1, n*c, *spatial) with the parameters repeated n times
    n, c = shape[:2]
    if not input.numel():  # batch_norm's empty shortcut: no checks, no statistics
        out = batch_norm(input, None, None, *(None if t is None else t.repeat(n)
                                              for t in (weight, bias)))
        for buf in (running_mean, running_var) if use_input_stats else ():
            _running_after_empty(buf, n, c)
        return out
    check_dtype("batch_norm", input)
    for t, what in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        if t is not None and t.numel() != c:
            raise RuntimeError("%s should contain %d elements not %d"
                               % (what, n * c, n * t.numel()))
    stat_shape = (n, c, spatial)
    pshape = (1, c) + (1,) * (len(shape) - 2)
    if use_input_stats:
        mean, var = _stats(input._data.reshape(stat_shape), (2,))
        if running_mean is not None:
            _update_running(running_mean, mean.mean(0).reshape(-1), momentum)
        if running_var is not None:
            unbiased = var * (spatial / max(spatial - 1, 1))
            _update_running(running_var, unbiased.mean(0).reshape(-1), momentum)
    else:
        dt = input._data.dtype
        mean = running_mean._data.astype(dt).reshape(1, c, 1)
        var = running_var._data.astype(dt).reshape(1, c, 1)
    spec = _NormSpec(stat_shape, (2,), eps, pshape, use_input_stats, mean, _rstd(var, eps))
    return _normalize(input, spec, weight, bias)


def _running_after_empty(buf, n, c):
    """What torch's instance_norm writes back into a running statistic after an empty input:
    the mean over the batch of its n copies (unchanged, or NaN for an empty batch)."""
    if buf is None:
        return
    k = buf.numel()
    if n * k != n * c:
        raise RuntimeError("shape '[%d, %d]' is invalid for input of size %d" % (n, c, n * k))
    if n == 0:
        if k != c and c != 1:
            raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d) "
                               "at non-singleton dimension 0" % (k, c))
        buf._data[...] = np.nan
        _mark_written(buf)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide each value by ``(k + alpha/size * sum of squares over size neighbouring
    channels) ** beta`` (AlexNet's LRN)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError("Expected 3D or higher dimensionality input (got %d dimensions)" % dim)
    if input.numel() == 0:
        return input
    if input._data.dtype != np.int64:  # torch averages with avg_pool, which has int64 only
        check_dtype("avg_pool2d" if dim == 3 else "avg_pool3d_out_frame", input)
    shape = tuple(input.shape)
    sq = (input * input).reshape(shape[0], 1, shape[1], -1)
    c, rest = sq.shape[2], sq.shape[3]
    geom = _Geometry((size, 1), (1, 1), (1, 1), (size // 2, 0), ((size - 1) // 2, 0), 1,
                     (c, rest), (c, rest))
    div = _AvgPool.apply((sq,), geom, input._data.dtype.type(size))
    div = (div.reshape(shape) * alpha + k).pow(beta)
    return input / div


# --- registry records -----------------------------------------------------------------------------

def _batch_norm_samples(dtype):
    yield SampleInput(T(0, 3), T(0, grad=False), T(0, grad=False), T(3), T(3), training=True,
                      name="empty: no statistics, no checks")
    for training in (True, False):
        yield SampleInput(T(4, 3), T(3, grad=False), T(3, low=0.5, high=2.0, grad=False),
                          T(3), T(3), training=training)
        yield SampleInput(T(2, 3, 4), T(3, grad=False), T(3, low=0.5, high=2.0, grad=False),
                          None, None, training, 0.2, 1e-3)
        yield SampleInput(T(2, 2, 3, 3), T(2, grad=False), T(2, low=0.5, high=2.0, grad=False),
                          T(2), T(2), training=training)
    yield SampleInput(T(3, 2, 4), None, None, T(2), None, True)


def _batch_norm_errors():
    yield ErrorInput(SampleInput(T(4, 3, dtype="int64"), None, None, training=True),
                     NotImplementedError, "\"batch_norm\" not implemented for 'Long'")
    yield ErrorInput(SampleInput(T(0, 3), T(0), T(0), T(0), T(0), training=True), IndexError,
                     "out of")
    yield ErrorInput(SampleInput(T(1, 3), T(3, grad=False), T(3, grad=False), training=True),
                     ValueError, "Expected more than 1 value per channel when training")
    yield ErrorInput(SampleInput(T(2, 3), T(4, grad=False), T(4, grad=False), training=True),
                     RuntimeError, "running_mean should contain 3 elements not 4")
    yield ErrorInput(SampleInput(T(2, 3), None, None), RuntimeError,
                     "running_mean must be defined in evaluation mode")


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dims:
    ``input / sqrt(mean(input**2) + eps) * weight``, ``eps`` defaulting to the dtype's
    machine epsilon (as torch). Built from ember ops, so every order of gradient follows."""
    from ember.ops.unary import rsqrt

    if isinstance(normalized_shape, (_int, np.integer)):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(_int(s) for s in normalized_shape)
    shape = tuple(input.shape)
    k = len(normalized_shape)
    if shape[len(shape) - k:] != normalized_shape or len(shape) < k:
        raise RuntimeError("Given normalized_shape=%s, expected input with shape [*%s], but got "
                           "input of size%s" % (list(normalized_shape),
                                                ", ".join(map(str, normalized_shape)),
                                                _shape_str(shape)))
    if not input.is_floating_point():
        raise NotImplementedError('"rms_norm" not implemented for \'%s\''
                                  % dtype_word(input._data.dtype))
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-k, 0))
    out = input * rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def _rms_norm_samples(dtype):
    yield SampleInput(T(3, 5), (5,), T(5))
    yield SampleInput(T(2, 3, 4), [3, 4], T(3, 4), 1e-3)
    yield SampleInput(T(2, 4), (4,))
    yield SampleInput(T(2, 4, noncontig=True), (4,), None, 1e-6)


def _rms_norm_errors():
    yield ErrorInput(SampleInput(T(2, 3), (4,)), RuntimeError,
                     r"Given normalized_shape=\[4\], expected input with shape \[\*4\]")


def _layer_norm_samples(dtype):
    yield SampleInput(T(3, 5), (5,), T(5), T(5))
    yield SampleInput(T(2, 3, 4), (3, 4), T(3, 4), T(3, 4), 1e-3)
    yield SampleInput(T(2, 3, 4), [4])
    yield SampleInput(T(2, 4, noncontig=True), (4,), T(4), None)


def _layer_norm_errors():
    yield ErrorInput(SampleInput(T(2, 3, dtype="int64"), (3,)), NotImplementedError,
                     "\"LayerNormKernelImpl\" not implemented for 'Long'")
    yield ErrorInput(SampleInput(T(2, 3), (4,)), RuntimeError,
                     r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\]")
    yield ErrorInput(SampleInput(T(2, 3), (3,), T(4)), RuntimeError,
                     "Expected weight to be of same shape as normalized_shape")


def _group_norm_samples(dtype):
    yield SampleInput(T(0, 4, 5), 1, name="empty batch")
    yield SampleInput(T(2, 4, 3), 2, T(4), T(4))
    yield SampleInput(T(2, 6, 2, 2), 3, T(6), T(6), 1e-3)
    yield SampleInput(T(3, 4, 5), 1)
    yield SampleInput(T(2, 4, 2, 2), 4, T(4), None)


def _group_norm_errors():
    yield ErrorInput(SampleInput(T(2, 4, 3, dtype="int64"), 2), NotImplementedError,
                     "\"GroupNormKernelImpl\" not implemented for 'Long'")
    yield ErrorInput(SampleInput(T(2, 3, 4), 2), RuntimeError,
                     "Expected number of channels in input to be divisible by num_groups")
    yield ErrorInput(SampleInput(T(2, 4, 4), 2, T(3)), RuntimeError,
                     "Expected weight to be a vector of size equal to the number of channels")
    yield ErrorInput(SampleInput(T(1, 4), 4), ValueError, "Expected more than 1 value per channel")
    yield ErrorInput(SampleInput(T(1, 2, 1), 2), ValueError, r"input size \[1, 2, 1\]")


def _instance_norm_samples(dtype):
    yield SampleInput(T(2, 3, 5))
    yield SampleInput(T(2, 2, 3, 3), T(2, grad=False), T(2, low=0.5, high=2.0, grad=False),
                      T(2), T(2))
    yield SampleInput(T(2, 2, 4), T(2, grad=False), T(2, low=0.5, high=2.0, grad=False),
                      use_input_stats=False)
    yield SampleInput(T(1, 3, 2, 3), None, None, T(3), T(3), True, 0.1, 1e-3)
    # empty inputs: torch's batch_norm shortcut on the parameters repeated per sample
    yield SampleInput(T(0, 2, 4), T(0, grad=False), T(0, grad=False), use_input_stats=False)
    yield SampleInput(T(0, 2, 4), T(2, grad=False), T(2, grad=False), name="empty batch")
    yield SampleInput(T(2, 0, 4), None, None, T(3), T(3), name="no channels")
    yield SampleInput(T(2, 2, 0), T(2, grad=False), T(2, grad=False), T(2), T(2))


def _instance_norm_errors():
    yield ErrorInput(SampleInput(T(2, 3, 5, dtype="int64")), NotImplementedError,
                     "\"batch_norm\" not implemented for 'Long'")
    yield ErrorInput(SampleInput(T(2, 3, 1)), ValueError,
                     "Expected more than 1 spatial element when training")
    yield ErrorInput(SampleInput(T(2, 2, 4), T(3, grad=False), T(3, grad=False)), RuntimeError,
                     "running_mean should contain 4 elements not 6")
    yield ErrorInput(SampleInput(T(0, 2, 4), None, None, T(2), T(2)), IndexError,
                     "index 0")  # the weight repeated 0 times, then its element 0
    yield ErrorInput(SampleInput(T(2, 0, 4), T(2, grad=False), T(2, grad=False)), RuntimeError,
                     r"shape '\[2, 0\]' is invalid for input of size 4")
    yield ErrorInput(SampleInput(T(0, 2, 4), T(0, grad=False), T(0, grad=False)), RuntimeError,
                     "The size of tensor a")
    yield ErrorInput(SampleInput(T(2, 2, 4), use_input_stats=False), RuntimeError,
                     "Expected running_mean and running_var to be defined")


def _lrn_samples(dtype):
    yield SampleInput(T(2, 5, 3), 3)
    yield SampleInput(T(1, 4, 2, 3), 2, 1e-2, 0.5, 2.0)
    yield SampleInput(T(1, 6, 2, 2, 2), 4, alpha=0.1)
    if dtype == "float32":  # a float32 result (float64 tolerances would be too tight)
        yield SampleInput(T(2, 5, 3, dtype="int64", low=-9, high=9), 3, 0.1,
                          name="int64: torch's average rounds toward zero")


def _lrn_errors():
    yield ErrorInput(SampleInput(T(2, 3), 2), ValueError, "Expected 3D or higher dimensionality")
    yield ErrorInput(SampleInput(T(2, 5, 3, dtype="int8"), 3), NotImplementedError,
                     "\"avg_pool2d\" not implemented for 'Char'")


_F = "nn.functional."
register(OpInfo("batch_norm", batch_norm, _batch_norm_samples, _batch_norm_errors,
                torch_name=_F + "batch_norm", atol=1e-5, rtol=1e-5))
register(OpInfo("layer_norm", layer_norm, _layer_norm_samples, _layer_norm_errors,
                torch_name=_F + "layer_norm", atol=1e-5, rtol=1e-5))
register(OpInfo("rms_norm", rms_norm, _rms_norm_samples, _rms_norm_errors,
                torch_name=_F + "rms_norm", atol=1e-5, rtol=1e-5))
register(OpInfo("group_norm", group_norm, _group_norm_samples, _group_norm_errors,
                torch_name=_F + "group_norm", atol=1e-5, rtol=1e-5))
register(OpInfo("instance_norm", instance_norm, _instance_norm_samples, _instance_norm_errors,
                torch_name=_F + "instance_norm", atol=1e-5, rtol=1e-5))
register(OpInfo("local_response_norm", local_response_norm, _lrn_samples, _lrn_errors,
                torch_name=_F + "local_response_norm", atol=1e-5, rtol=1e-5))
del _F


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    if not input.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           "input. Got %s" % dtype_word(input._data.dtype))
    norm = _vector_norm(input, p, dim, keepdim=True)
    return input / clamp_min(norm, eps)


register_nn("normalize", normalize, lambda dt: iter([
    SampleInput(T(3, 4)), SampleInput(T(3, 4), p=1.0, dim=0), SampleInput(T(2, 3, 4), 3.0, -1)]),
    lambda: iter([ErrorInput(SampleInput(T(3, 4, dtype="int8")), RuntimeError,
                             "Expected a floating point or complex tensor as input. Got Char")]))
