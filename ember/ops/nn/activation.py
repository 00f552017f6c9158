"""Activation functions (``torch.nn.functional``): relu, gelu, silu, softmax, log_softmax,
the piecewise-linear family and the smooth family.
"""
import math

from ember._backend import array_module, np
from ember._tensor import _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops import unary
from ember.ops._util import check_dtype, wrap_dim
from ember.ops.arithmetic import _unary_samples, clamp
from ember.ops.indexing import where
from ember.ops.inplace import apply_inplace
from ember.ops.registry import (ErrorInput, OpInfo, SampleInput, T, dtype_errors, register,
                                register_nn)
from ember.ops import _special_math
from ember.ops.special import erf
from ember.ops.unary import _away_from_ties, _stable_sigmoid, exp
from ember.random import default_generator


# special values for "edge:" samples (compared with torch, not gradchecked)
_NONFINITE = [float("nan"), -float("inf"), float("inf"), -0.0, 0.5, -0.5]


class LogSigmoid(Node):
    save = (0,)

    def forward(ctx, a):
        # log(sigmoid(a)) = min(a, 0) - log1p(exp(-|a|)), stable for large |a|.
        return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sigmoid(-a)

    @staticmethod
    def onnx(call):
        g = call.g  # -softplus(-x): stable for large |x|
        return g.op("Neg", g.op("Softplus", g.op("Neg", call.inputs[0])))


def logsigmoid(input):
    check_dtype("log_sigmoid_cpu", input)
    return LogSigmoid.apply((input,))


register(OpInfo("logsigmoid", logsigmoid, _unary_samples(-30.0, 30.0),
                dtype_errors("log_sigmoid_cpu", ("int64", "uint8", "bool")),
                torch_name="nn.functional.logsigmoid"))


class Relu(Node):
    save_output = True

    def forward(ctx, a):
        return np.maximum(a, 0)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return ThresholdBackward.apply((g, out))

    @staticmethod
    def onnx(call):
        return call.g.op("Relu", *call.operands())


class ThresholdBackward(Node):
    """g where y > 0, else 0, for ReLU's output y: ReLU's backward as one kernel (``g * mask`` is
    5x faster than ``np.where``, see PERFORMANCE.md). Linear in ``g``, so its backward is itself."""

    def forward(ctx, g, y):
        ctx.y = y
        # y >= 0 or NaN, so y != 0 is torch's "not y <= 0" (a NaN output passes the gradient)
        # in one pass less: 1.5x faster on the seed CNN's 64x32x28x28
        return g * (y != 0)

    def backward(ctx, gg):
        return ThresholdBackward.apply((gg, _make(ctx.y))), None


def relu(input, inplace=False):
    """Applies the rectified linear unit elementwise: ``max(input, 0)``.

    Args:
        input (Tensor): the input.
        inplace (bool): write the result into ``input`` (as ``relu_``). Default: ``False``.

    Shape:
        - Input: ``(*)``, any shape. Output: the same shape.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.relu(ember.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    if input._data.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    if input._data.dtype.kind == "b":
        raise RuntimeError('"clamp_min_cpu" not implemented for \'Bool\'')
    if inplace:
        return input.relu_()
    return Relu.apply((input,))


def _relu_samples(dtype):
    yield from _away_from_ties(dtype)
    yield SampleInput(T(6, values=_NONFINITE), name="edge: nan, inf")


register(OpInfo("relu", relu, _relu_samples, method=True, inplace="relu_",
                dtypes=("float32", "float64", "int64")))


def _const(arr):
    """A constant (no-grad) tensor wrapping ``arr``."""
    return _make(arr)


def _inplace(input, fn, *args, **kwargs):
    """Run the out-of-place ``fn`` and write its result into ``input`` (the ``inplace=True``
    form of an activation)."""
    return apply_inplace(input, fn, args, kwargs)


def _check_float(input, name):
    if not input.is_floating_point():
        raise NotImplementedError('"%s" not implemented for \'%s\''
                                  % (name, dtype_word(input._data.dtype)))


class _PiecewiseLinear(Node):
    """An activation whose derivative is piecewise constant: ``forward`` stores the derivative
    (a constant array) so the backward is one multiply, and double backward is exact."""

    def backward(ctx, g):
        return g * _const(ctx.slope)


class LeakyRelu(_PiecewiseLinear):
    def forward(ctx, a, negative_slope):
        pos = a > 0
        ctx.slope = np.where(pos, a.dtype.type(1), a.dtype.type(negative_slope))
        return a * ctx.slope

    @staticmethod
    def onnx(call):
        return call.g.op("LeakyRelu", call.inputs[0], alpha=float(call.params[0]))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """max(0, x) + negative_slope * min(0, x)."""
    _check_float(input, "leaky_relu")
    if inplace:
        return _inplace(input, leaky_relu, negative_slope)
    return LeakyRelu.apply((input,), negative_slope)


def _act_samples(*extra, low=-3.0, high=3.0, edge=False):
    def samples(dtype):
        yield SampleInput(T(3, 4, low=low, high=high), *extra)
        yield SampleInput(T(2, 3, 4, noncontig=True, low=low, high=high), *extra)
        yield SampleInput(T(low=low, high=high), *extra)
        if edge:  # a NaN input receives its gradient in torch
            yield SampleInput(T(6, values=_NONFINITE), *extra, name="edge: nan, inf")

    return samples


def _activation_errors(fn_name):
    """torch refuses integer input for most activations, bool for the clamping ones, and a
    threshold or value outside an integer dtype's range."""

    def errors():
        if fn_name in ("hardtanh", "relu6"):
            yield ErrorInput(SampleInput(T(3, dtype="bool")), RuntimeError,
                             "Bool inputs not supported for hardtanh")
        elif fn_name == "threshold":
            yield ErrorInput(SampleInput(T(3, dtype="bool"), 0.3, 1.0), NotImplementedError,
                             "\"threshold_cpu\" not implemented for 'Bool'")
            yield ErrorInput(SampleInput(T(3, dtype="uint8"), 0.3, -2.0), RuntimeError,
                             "value cannot be converted to type uint8_t without overflow")
            yield ErrorInput(SampleInput(T(3, dtype="int8"), 300, 1), RuntimeError,
                             "value cannot be converted to type int8_t without overflow")
        elif fn_name not in ("softsign", "tanhshrink"):
            yield ErrorInput(SampleInput(T(3, dtype="int64")), RuntimeError, "not implemented")

    return errors


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val] (gradient zero at and beyond the bounds)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if inplace:
        return _inplace(input, hardtanh, min_val, max_val)
    return Hardtanh.apply((input,), min_val, max_val)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    check_dtype("threshold_cpu", input, kinds="fiu")
    dt = input._data.dtype
    if dt.kind in "iu":
        info = np.iinfo(dt)
        for v in (threshold, value):
            if not info.min <= v <= info.max:
                raise RuntimeError("value cannot be converted to type %s without overflow"
                                   % ("int" if dt == np.int32 else str(dt) + "_t"))
    if inplace:
        return _inplace(input, globals()["threshold"], threshold, value)
    return Threshold.apply((input,), threshold, value)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    _check_float(input, "hardshrink")
    return Hardshrink.apply((input,), lambd)


def softshrink(input, lambd=0.5):
    """x - lambd, x + lambd or 0, shrinking x towards 0 by lambd."""
    if lambd < 0:
        raise RuntimeError("lambda must be greater or equal to 0, but found to be %s." % lambd)
    _check_float(input, "softshrink")
    return Softshrink.apply((input,), lambd)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    _check_float(input, "hardsigmoid")
    if inplace:
        return _inplace(input, hardsigmoid)
    return Hardsigmoid.apply((input,))


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    _check_float(input, "elu")
    if inplace:
        return _inplace(input, elu, alpha)
    return Elu.apply((input,), alpha, 1.0, 1.0)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish)."""
    _check_float(input, "silu")
    if inplace:
        return _inplace(input, silu)
    return Silu.apply((input,))


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    _check_float(input, "mish")
    if inplace:
        return _inplace(input, mish)
    return Mish.apply((input,))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold."""
    _check_float(input, "softplus")
    return Softplus.apply((input,), beta, threshold)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    _check_float(input, "hardswish")
    if inplace:
        return _inplace(input, hardswish)
    return Hardswish.apply((input,))


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    _check_float(input, "selu")
    if inplace:
        return _inplace(input, selu)
    return Elu.apply((input,), _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    _check_float(input, "celu")
    if inplace:
        return _inplace(input, celu, alpha)
    return Elu.apply((input,), alpha, 1.0, 1.0 / alpha)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (unary.abs(input) + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - unary.tanh(input)


for _name, _fn, _extra in (
        ("leaky_relu", leaky_relu, (0.2,)), ("hardtanh", hardtanh, (-0.5, 1.5)),
        ("relu6", relu6, ()), ("threshold", threshold, (0.3, -2.0)),
        ("hardshrink", hardshrink, (0.7,)), ("softshrink", softshrink, (0.7,)),
        ("hardsigmoid", hardsigmoid, ()), ("hardswish", hardswish, ()),
        ("elu", elu, (0.7,)), ("selu", selu, ()), ("celu", celu, (1.3,)),
        ("silu", silu, ()), ("mish", mish, ()), ("softplus", softplus, (2.0, 3.0)),
        ("softsign", softsign, ()), ("tanhshrink", tanhshrink, ())):
    register_nn(_name, _fn, _act_samples(*_extra, edge=_name in (
        "leaky_relu", "hardtanh", "relu6", "threshold")),
        _activation_errors(_name))


class Hardtanh(_PiecewiseLinear):
    def forward(ctx, a, lo, hi):
        # NaN lies inside: torch zeroes the gradient only at and beyond the bounds
        ctx.slope = (~((a <= lo) | (a >= hi))).astype(a.dtype)
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def onnx(call):
        lo, hi = call.params
        return call.g.op("Clip", call.inputs[0], call.scalar(lo), call.scalar(hi))


class Threshold(_PiecewiseLinear):
    def forward(ctx, a, threshold, value):
        keep = ~(a <= threshold)  # NaN is kept, with its gradient, as torch
        ctx.slope = keep.astype(a.dtype)
        return np.where(keep, a, a.dtype.type(value))

    @staticmethod
    def onnx(call):
        threshold, value = call.params
        x = call.inputs[0]
        return call.g.op("Where", call.g.op("Greater", x, call.scalar(threshold)), x,
                         call.scalar(value))


class Hardshrink(_PiecewiseLinear):
    def forward(ctx, a, lambd):
        keep = (a < -lambd) | (a > lambd)
        ctx.slope = keep.astype(a.dtype)
        return a * ctx.slope

    @staticmethod
    def onnx(call):
        return call.g.op("Shrink", call.inputs[0], lambd=float(call.params[0]), bias=0.0)


class Softshrink(_PiecewiseLinear):
    def forward(ctx, a, lambd):
        keep = (a < -lambd) | (a > lambd)
        ctx.slope = keep.astype(a.dtype)
        return (a - np.sign(a) * a.dtype.type(lambd)) * ctx.slope

    @staticmethod
    def onnx(call):
        lambd = float(call.params[0])
        return call.g.op("Shrink", call.inputs[0], lambd=lambd, bias=lambd)


class Hardsigmoid(_PiecewiseLinear):
    def forward(ctx, a):
        ctx.slope = ((a > -3) & (a < 3)).astype(a.dtype) * a.dtype.type(1 / 6)
        return np.clip(a / 6 + a.dtype.type(0.5), 0, 1).astype(a.dtype, copy=False)

    @staticmethod
    def onnx(call):
        return call.g.op("HardSigmoid", call.inputs[0], alpha=1 / 6, beta=0.5)


class RreluNoise(_PiecewiseLinear):
    def forward(ctx, a, lower, upper):
        r = default_generator._rng.uniform(lower, upper, a.shape).astype(a.dtype)
        ctx.slope = np.where(a <= 0, r, a.dtype.type(1))
        return a * ctx.slope


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky ReLU with a random slope in [lower, upper] per element when training, the mean
    slope (lower + upper) / 2 otherwise."""
    _check_float(input, "rrelu")
    if inplace:
        return _inplace(input, rrelu, lower, upper, training)
    if not training:
        return LeakyRelu.apply((input,), (lower + upper) / 2)
    return RreluNoise.apply((input,), lower, upper)


register_nn("rrelu", rrelu, _act_samples(0.1, 0.3))


class _Smooth(Node):
    """A smooth activation: ``derivative(x)`` gives f'(x) with ember ops, so that double backward
    works."""

    save = (0,)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.derivative(x)


class Elu(_Smooth):
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.p = (alpha, scale, input_scale)
        neg = np.expm1(np.minimum(a, 0) * a.dtype.type(input_scale)) * a.dtype.type(alpha)
        return np.where(a > 0, a, neg) * a.dtype.type(scale)

    def derivative(ctx, x):
        alpha, scale, s_in = ctx.p
        return where(x > 0, float(scale), exp(clamp(x, max=0) * s_in) * (alpha * scale * s_in))

    @staticmethod
    def onnx(call):
        # scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1)): ELU, SELU or CELU
        g, x = call.g, call.inputs[0]
        alpha, scale, input_scale = call.params
        if input_scale == 1 and scale == 1:
            return g.op("Elu", x, alpha=float(alpha))
        if input_scale == 1:
            return g.op("Selu", x, alpha=float(alpha), gamma=float(scale))
        if scale == 1 and math.isclose(input_scale * alpha, 1.0):
            return g.op("Celu", x, alpha=float(alpha))
        call.fail("ELU with alpha=%g, scale=%g, input_scale=%g" % (alpha, scale, input_scale))


class Gelu(_Smooth):
    _K = math.sqrt(2 / math.pi)

    def forward(ctx, a, approximate):
        ctx.approximate = approximate
        t = a.dtype.type
        if approximate == "tanh":
            inner = t(Gelu._K) * (a + t(0.044715) * a * a * a)
            return t(0.5) * a * (1 + np.tanh(inner))
        return t(0.5) * a * (1 + _special_math.erf(a * t(1 / math.sqrt(2))))

    def derivative(ctx, x):
        if ctx.approximate == "tanh":
            th = unary.tanh(Gelu._K * (x + 0.044715 * x * x * x))
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * Gelu._K * (1 + 3 * 0.044715 * x * x)
        cdf = 0.5 * (1 + erf(x * (1 / math.sqrt(2))))
        return cdf + x * exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))

    @staticmethod
    def onnx(call):
        g, x = call.g, call.inputs[0]
        half_x = g.op("Mul", call.scalar(0.5), x)
        if call.params[0] == "tanh":
            cube = g.op("Mul", g.op("Mul", x, x), x)
            inner = g.op("Mul", call.scalar(math.sqrt(2 / math.pi)),
                         g.op("Add", x, g.op("Mul", call.scalar(0.044715), cube)))
            return g.op("Mul", half_x, g.op("Add", call.scalar(1), g.op("Tanh", inner)))
        erf = g.op("Erf", g.op("Mul", x, call.scalar(1 / math.sqrt(2))))
        return g.op("Mul", half_x, g.op("Add", call.scalar(1), erf))


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_float(input, "gelu")
    return Gelu.apply((input,), approximate)


register_nn("gelu", gelu, _act_samples())


register_nn("gelu_tanh", lambda x: gelu(x, approximate="tanh"), _act_samples(),
    ref=lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh"))


class Silu(_Smooth):
    def forward(ctx, a):
        return a * _stable_sigmoid(a)

    def derivative(ctx, x):
        s = unary.sigmoid(x)
        return s * (1 + x * (1 - s))

    @staticmethod
    def onnx(call):
        x = call.inputs[0]
        return call.g.op("Mul", x, call.g.op("Sigmoid", x))


def _softplus_np(x, beta, threshold):
    t = x.dtype.type
    bx = x * t(beta)
    return np.where(bx > threshold, x, np.log1p(np.exp(np.minimum(bx, threshold))) / t(beta))


class Mish(_Smooth):
    def forward(ctx, a):
        return a * np.tanh(_softplus_np(a, 1.0, 20.0))

    def derivative(ctx, x):
        tsp = unary.tanh(softplus(x))
        return tsp + x * (1 - tsp * tsp) * unary.sigmoid(x)

    @staticmethod
    def onnx(call):
        g, x = call.g, call.inputs[0]
        return g.op("Mul", x, g.op("Tanh", g.op("Softplus", x)))


class Softplus(_Smooth):
    def forward(ctx, a, beta, threshold):
        ctx.p = (beta, threshold)
        return _softplus_np(a, beta, threshold)

    def derivative(ctx, x):
        beta, threshold = ctx.p
        bx = x * beta
        return where(bx > threshold, 1.0, unary.sigmoid(bx))

    @staticmethod
    def onnx(call):
        g, x = call.g, call.inputs[0]
        beta, threshold = call.params
        bx = g.op("Mul", x, call.scalar(beta)) if beta != 1 else x
        soft = g.op("Softplus", bx)
        if beta != 1:
            soft = g.op("Div", soft, call.scalar(beta))
        return g.op("Where", g.op("Greater", bx, call.scalar(threshold)), x, soft)


class Hardswish(_Smooth):
    def forward(ctx, a):
        t = a.dtype.type
        return a * np.clip(a + t(3), 0, 6) / t(6)

    def derivative(ctx, x):
        return where(x < -3, 0.0, where(x <= 3, x / 3 + 0.5, 1.0))

    @staticmethod
    def onnx(call):
        return call.g.op("HardSwish", call.inputs[0])


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717


_SELU_SCALE = 1.0507009873554804934193349852946


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), one weight per channel (dim 1) or one shared."""
    check_dtype("prelu_cpu", input)
    n = weight._data.size
    if input._data.ndim == 0 and n != 1:
        raise RuntimeError("Not allow zero-dim input tensor.")
    if n != 1:
        channels = input._data.shape[1] if input._data.ndim >= 2 else input._data.shape[0] \
            if input._data.ndim == 1 else 1
        if channels != n:
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                               "parameter numbers = %d and channel size = %d." % (n, channels))
        shape = [1] * input._data.ndim
        shape[1 if input._data.ndim >= 2 else 0] = n
        w = weight.reshape(tuple(shape))
    else:
        w = weight.reshape(())
    # the slope, then one product: an infinite weight gives the positive side no NaN gradient
    one = _make(array_module(input._data).ones((), input._data.dtype))
    return input * where(input > 0, one, w)


register_nn("prelu", prelu, lambda dt: iter([SampleInput(T(2, 3, 4), T(3)),
                                             SampleInput(T(2, 3), T(1)),
                                             SampleInput(T(5), T(1))]),
    dtype_errors("prelu_cpu", ("int8", "bool"), lambda dt: SampleInput(T(2, 3, dtype=dt),
                                                                       T(3, dtype=dt)),
                 lambda: iter([ErrorInput(SampleInput(T(2, 3, 4), T(2)), RuntimeError,
                                          "Mismatch")])))


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    check_dtype("glu_cpu", input)
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size % 2:
        raise RuntimeError("Halving dimension must be even, but dimension %d is size %d"
                           % (d, size))
    head = (slice(None),) * d
    a = input[head + (slice(0, size // 2),)]
    b = input[head + (slice(size // 2, size),)]
    return a * unary.sigmoid(b)


register_nn("glu", glu, lambda dt: iter([SampleInput(T(3, 4)), SampleInput(T(2, 4, 3), 1)]),
    dtype_errors("glu_cpu", ("int64", "bool"), more=lambda: iter([
        ErrorInput(SampleInput(T(3, 5)), RuntimeError, "Halving dimension")])))


def tanh(input):
    return unary.tanh(input)


def sigmoid(input):
    return unary.sigmoid(input)


def relu_(input):
    return relu(input, inplace=True)
