"""Fused neural-network kernels with hand-written backward: softmax, log_softmax, ...

On eager NumPy a fused kernel beats composing primitives; the backward is still written with
ember ops, so double backward works.
"""
import math

from ember import _dtype as D
from ember._backend import np
from ember._tensor import _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.autograd.grad_mode import _State
from ember.ops import elementwise as E
from ember.ops._util import cast, to_float, wrap_dim
from ember.ops.elementwise import _erf
from ember.ops.inplace import apply_inplace
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register
from ember.random import default_generator


class Softmax(Node):
    save_output = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True)


class LogSoftmax(Node):
    save_output = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        shifted = a - a.max(axis=dim, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        return shifted

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)


def _softmax_dim(input, dim):
    if dim is None:
        # torch's legacy implicit choice
        nd = input._data.ndim
        return 0 if nd in (0, 1, 3) else 1
    return wrap_dim(dim, input._data.ndim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed stably (max subtracted first)."""
    if dtype is not None:
        input = cast(input, D.as_dtype(dtype))
    input = to_float(input)
    if input._data.ndim == 0:
        return Softmax.apply((input.reshape(1),), 0).reshape(())
    return Softmax.apply((input,), _softmax_dim(input, dim))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim`` without overflow for large logits."""
    if dtype is not None:
        input = cast(input, D.as_dtype(dtype))
    input = to_float(input)
    if input._data.ndim == 0:
        return LogSoftmax.apply((input.reshape(1),), 0).reshape(())
    return LogSoftmax.apply((input,), _softmax_dim(input, dim))


def _softmax_samples(dtype):
    yield SampleInput(T(3, 5), 1)
    yield SampleInput(T(3, 5), 0)
    yield SampleInput(T(2, 3, 4), -1)
    yield SampleInput(T(4, 6, noncontig=True), 1)
    yield SampleInput(T(3, 4, values=[[1000.0, 0.0, -1000.0, 5.0], [88.0, 89.0, 90.0, 91.0],
                                      [-500.0, -501.0, 3.0, 0.0]]), 1, name="large logits")
    yield SampleInput(T(), 0)


register(OpInfo("softmax", softmax, _softmax_samples, method=True))
register(OpInfo("log_softmax", log_softmax, _softmax_samples, method=True))


# --- helpers -------------------------------------------------------------------------------------

def _const(arr):
    """A constant (no-grad) tensor wrapping ``arr``."""
    return _make(arr)


def _inplace(input, fn, *args, **kwargs):
    """Run the out-of-place ``fn`` and write its result into ``input`` (the ``inplace=True``
    form of an activation)."""
    return apply_inplace(input, fn, args, kwargs)


def _check_float(input, name):
    if input._data.dtype.kind != "f":
        raise RuntimeError('"%s" not implemented for \'%s\'' % (name, dtype_word(input._data.dtype)))


# --- piecewise-linear activations: the backward is ``g`` times a constant mask -------------------

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


class Hardtanh(_PiecewiseLinear):
    def forward(ctx, a, lo, hi):
        ctx.slope = ((a > lo) & (a < hi)).astype(a.dtype)
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)


class Threshold(_PiecewiseLinear):
    def forward(ctx, a, threshold, value):
        keep = a > threshold
        ctx.slope = keep.astype(a.dtype)
        return np.where(keep, a, a.dtype.type(value))


class Hardshrink(_PiecewiseLinear):
    def forward(ctx, a, lambd):
        keep = (a < -lambd) | (a > lambd)
        ctx.slope = keep.astype(a.dtype)
        return a * ctx.slope


class Softshrink(_PiecewiseLinear):
    def forward(ctx, a, lambd):
        keep = (a < -lambd) | (a > lambd)
        ctx.slope = keep.astype(a.dtype)
        return (a - np.sign(a) * a.dtype.type(lambd)) * ctx.slope


class Hardsigmoid(_PiecewiseLinear):
    def forward(ctx, a):
        ctx.slope = ((a > -3) & (a < 3)).astype(a.dtype) * a.dtype.type(1 / 6)
        return np.clip(a / 6 + a.dtype.type(0.5), 0, 1).astype(a.dtype, copy=False)


class RreluNoise(_PiecewiseLinear):
    def forward(ctx, a, lower, upper):
        r = default_generator._rng.uniform(lower, upper, a.shape).astype(a.dtype)
        ctx.slope = np.where(a <= 0, r, a.dtype.type(1))
        return a * ctx.slope


# --- smooth activations: NumPy derivative for plain backward, ember ops under create_graph -------

class _Smooth(Node):
    """A smooth activation. ``grad_np(x)`` gives f'(x) on arrays (one fused multiply in a plain
    backward); ``grad_ember(x)`` gives it with ember ops so that double backward works."""

    save = (0,)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if not _State.enabled:
            return _make(g._data * ctx.grad_np(x._data))
        return g * ctx.grad_ember(x)


class Elu(_Smooth):
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.p = (alpha, scale, input_scale)
        neg = np.expm1(np.minimum(a, 0) * a.dtype.type(input_scale)) * a.dtype.type(alpha)
        return np.where(a > 0, a, neg) * a.dtype.type(scale)

    def grad_np(ctx, x):
        alpha, scale, s_in = ctx.p
        t = x.dtype.type
        return np.where(x > 0, t(scale), np.exp(np.minimum(x, 0) * t(s_in)) * t(alpha * scale * s_in))

    def grad_ember(ctx, x):
        alpha, scale, s_in = ctx.p
        return E.where(x > 0, float(scale), E.exp(E.clamp(x, max=0) * s_in) * (alpha * scale * s_in))


class Gelu(_Smooth):
    _K = math.sqrt(2 / math.pi)

    def forward(ctx, a, approximate):
        ctx.approximate = approximate
        t = a.dtype.type
        if approximate == "tanh":
            inner = t(Gelu._K) * (a + t(0.044715) * a * a * a)
            return t(0.5) * a * (1 + np.tanh(inner))
        return t(0.5) * a * (1 + _erf(a * t(1 / math.sqrt(2))))

    def grad_np(ctx, x):
        t = x.dtype.type
        if ctx.approximate == "tanh":
            th = np.tanh(t(Gelu._K) * (x + t(0.044715) * x * x * x))
            return t(0.5) * (1 + th) + t(0.5) * x * (1 - th * th) * t(Gelu._K) * (
                1 + t(3 * 0.044715) * x * x)
        cdf = t(0.5) * (1 + _erf(x * t(1 / math.sqrt(2))))
        return cdf + x * np.exp(t(-0.5) * x * x) * t(1 / math.sqrt(2 * math.pi))

    def grad_ember(ctx, x):
        if ctx.approximate == "tanh":
            th = E.tanh(Gelu._K * (x + 0.044715 * x * x * x))
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * Gelu._K * (1 + 3 * 0.044715 * x * x)
        cdf = 0.5 * (1 + E.erf(x * (1 / math.sqrt(2))))
        return cdf + x * E.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))


def _sigmoid_np(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus_np(x, beta, threshold):
    t = x.dtype.type
    bx = x * t(beta)
    return np.where(bx > threshold, x, np.log1p(np.exp(np.minimum(bx, threshold))) / t(beta))


class Silu(_Smooth):
    def forward(ctx, a):
        return a * _sigmoid_np(a)

    def grad_np(ctx, x):
        s = _sigmoid_np(x)
        return s * (1 + x * (1 - s))

    def grad_ember(ctx, x):
        s = E.sigmoid(x)
        return s * (1 + x * (1 - s))


class Mish(_Smooth):
    def forward(ctx, a):
        return a * np.tanh(_softplus_np(a, 1.0, 20.0))

    def grad_np(ctx, x):
        tsp = np.tanh(_softplus_np(x, 1.0, 20.0))
        return tsp + x * (1 - tsp * tsp) * _sigmoid_np(x)

    def grad_ember(ctx, x):
        tsp = E.tanh(softplus(x))
        return tsp + x * (1 - tsp * tsp) * E.sigmoid(x)


class Softplus(_Smooth):
    def forward(ctx, a, beta, threshold):
        ctx.p = (beta, threshold)
        return _softplus_np(a, beta, threshold)

    def grad_np(ctx, x):
        beta, threshold = ctx.p
        bx = x * x.dtype.type(beta)
        return np.where(bx > threshold, x.dtype.type(1), _sigmoid_np(bx))

    def grad_ember(ctx, x):
        beta, threshold = ctx.p
        bx = x * beta
        return E.where(bx > threshold, 1.0, E.sigmoid(bx))


class Hardswish(_Smooth):
    def forward(ctx, a):
        t = a.dtype.type
        return a * np.clip(a + t(3), 0, 6) / t(6)

    def grad_np(ctx, x):
        t = x.dtype.type
        return np.where(x < -3, t(0), np.where(x <= 3, x / t(3) + t(0.5), t(1)))

    def grad_ember(ctx, x):
        return E.where(x < -3, 0.0, E.where(x <= 3, x / 3 + 0.5, 1.0))


# --- activation functions ------------------------------------------------------------------------

def leaky_relu(input, negative_slope=0.01, inplace=False):
    """max(0, x) + negative_slope * min(0, x)."""
    _check_float(input, "leaky_relu")
    if inplace:
        return _inplace(input, leaky_relu, negative_slope)
    return LeakyRelu.apply((input,), negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val] (gradient zero at and beyond the bounds)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(input, hardtanh, min_val, max_val)
    return Hardtanh.apply((input,), min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    if inplace:
        return _inplace(input, globals()["threshold"], threshold, value)
    return Threshold.apply((input,), threshold, value)


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, True)


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


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    _check_float(input, "hardswish")
    if inplace:
        return _inplace(input, hardswish)
    return Hardswish.apply((input,))


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    _check_float(input, "elu")
    if inplace:
        return _inplace(input, elu, alpha)
    return Elu.apply((input,), alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


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


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_float(input, "gelu")
    return Gelu.apply((input,), approximate)


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


def softsign(input):
    """x / (1 + |x|)."""
    return input / (E.abs(input) + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - E.tanh(input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky ReLU with a random slope in [lower, upper] per element when training, the mean
    slope (lower + upper) / 2 otherwise."""
    _check_float(input, "rrelu")
    if inplace:
        return _inplace(input, rrelu, lower, upper, training)
    if not training:
        return LeakyRelu.apply((input,), (lower + upper) / 2)
    return RreluNoise.apply((input,), lower, upper)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), one weight per channel (dim 1) or one shared."""
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
    return E.where(input > 0, input, w * input)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size % 2:
        raise RuntimeError("Halving dimension must be even, but dimension %d is size %d"
                           % (d, size))
    head = (slice(None),) * d
    a = input[head + (slice(0, size // 2),)]
    b = input[head + (slice(size // 2, size),)]
    return a * E.sigmoid(b)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dtype is not None:
        input = cast(input, D.as_dtype(dtype))
    return softmax(-input, dim)


def tanh(input):
    return E.tanh(input)


def sigmoid(input):
    return E.sigmoid(input)


def relu_(input):
    return E.relu(input, inplace=True)


# --- linear --------------------------------------------------------------------------------------

class Linear(Node):
    """y = x @ W.T + b in one BLAS call; the backward computes grad_x, grad_W and grad_b in one
    pass (on arrays for a plain backward, with ember ops when building a graph)."""

    save = (0, 1)

    def forward(ctx, x, w, b=None):
        out = x @ w.T
        if b is not None:
            out += b
        return out

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        has_bias = len(need) == 3
        if not _State.enabled:
            ga = g._data
            gx = _make(ga @ w._data) if need[0] else None
            g2 = ga.reshape(-1, ga.shape[-1]) if ga.ndim != 2 else ga
            gw = gb = None
            if need[1]:
                xa = x._data
                x2 = xa.reshape(-1, xa.shape[-1]) if xa.ndim != 2 else xa
                gw = _make(g2.T @ x2)
            if has_bias and need[2]:
                gb = _make(g2.sum(0))
            return (gx, gw, gb) if has_bias else (gx, gw)
        gx = g @ w if need[0] else None
        g2 = g.reshape(-1, g.shape[-1])
        gw = g2.t() @ x.reshape(-1, x.shape[-1]) if need[1] else None
        if has_bias:
            return gx, gw, (g2.sum(0) if need[2] else None)
        return gx, gw


def linear(input, weight, bias=None):
    """y = x A^T + b over the last dimension of ``input``.

    Shape:
        - input: ``(*, in_features)``; weight: ``(out_features, in_features)``;
          bias: ``(out_features)``; output: ``(*, out_features)``.
    """
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError("mat1 and mat2 must have the same dtype, but got %s and %s"
                           % (dtype_word(input._data.dtype), dtype_word(weight._data.dtype)))
    if input._data.ndim == 0 or weight._data.ndim != 2 or \
            input._data.shape[-1] != weight._data.shape[1]:
        rows = input._data.size // max(input._data.shape[-1], 1) if input._data.ndim else 1
        cols = input._data.shape[-1] if input._data.ndim else 1
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (%dx%d and %dx%d)" % (
            rows, cols, *(tuple(reversed(weight._data.shape)) + (1,))[:2]))
    if bias is None:
        return Linear.apply((input, weight))
    if bias._data.dtype != input._data.dtype:
        bias = cast(bias, input.dtype)
    return Linear.apply((input, weight, bias))


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b for each output feature (A is ``weight[k]``).

    Shape:
        - input1: ``(*, in1)``, input2: ``(*, in2)``, weight: ``(out, in1, in2)``,
          bias: ``(out)``, output: ``(*, out)``.
    """
    if input1._data.shape[:-1] != input2._data.shape[:-1]:
        raise RuntimeError("bilinear(): input batch dimensions do not match: got %s and %s"
                           % (list(input1.shape[:-1]), list(input2.shape[:-1])))
    if weight._data.ndim != 3 or weight._data.shape[1] != input1._data.shape[-1] or \
            weight._data.shape[2] != input2._data.shape[-1]:
        raise RuntimeError("bilinear(): input size does not match weight size: got %d but "
                           "expected %d" % (input1._data.shape[-1], weight._data.shape[1]))
    lead = input1._data.shape[:-1]
    x1 = input1.reshape(-1, input1._data.shape[-1])
    x2 = input2.reshape(-1, input2._data.shape[-1])
    out_f, in1, in2 = weight._data.shape
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with x2.
    t = (x1 @ weight.permute(1, 0, 2).reshape(in1, out_f * in2)).reshape(-1, out_f, in2)
    y = (t @ x2.unsqueeze(-1)).reshape(-1, out_f)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out_f,))


# --- dropout -------------------------------------------------------------------------------------

class Dropout(Node):
    """x * mask, the mask drawn from ember's default generator (kept as a constant)."""

    def forward(ctx, a, mask, shift=None):
        ctx.mask = mask
        out = a * mask
        if shift is not None:
            out += shift
        return out

    def backward(ctx, g):
        return g * _const(ctx.mask)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError("dropout probability has to be between 0 and 1, but got %s" % p)


def _keep_mask(shape, p, dtype):
    rng = default_generator._rng
    r = rng.random(shape, dtype=np.float32 if dtype != np.float64 else np.float64)
    return (r >= p).astype(dtype)


def _dropout(input, p, training, inplace, feature_dims=None, alpha=False):
    _check_p(p)
    if not training or p == 0 or input._data.size == 0:
        return input
    if inplace:
        return _inplace(input, _dropout, p, training, False, feature_dims, alpha)
    a = input._data
    shape = a.shape
    if feature_dims is not None:
        shape = shape[:feature_dims] + (1,) * (a.ndim - feature_dims)
    dt = a.dtype
    if p == 1:
        mask = np.zeros(shape, dtype=dt)
        return Dropout.apply((input,), mask, None if not alpha else np.zeros(shape, dtype=dt))
    keep = _keep_mask(shape, p, dt)
    if not alpha:
        keep *= dt.type(1.0 / (1.0 - p))
        return Dropout.apply((input,), keep)
    neg_sat = 1.7580993408473766
    scale = 1.0 / math.sqrt((neg_sat * neg_sat * p + 1) * (1 - p))
    shift = (keep - 1) * dt.type(neg_sat * scale) + dt.type(neg_sat * scale * p)
    return Dropout.apply((input,), keep * dt.type(scale), shift)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` during
    training; the identity otherwise."""
    return _dropout(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps the self-normalising mean and variance (for SELU networks)."""
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _dropout(input, p, training, inplace, feature_dims=2, alpha=True)


def _feature_dropout(input, p, training, inplace, ndim, name):
    nd = input._data.ndim
    if nd not in (ndim + 1, ndim + 2):
        raise RuntimeError("%s: Expected %dD or %dD input, but received a %dD input. Note that "
                           "%s will exhibit incorrect behavior if the input tensor is not %d or "
                           "%d dimensional." % (name, ndim + 1, ndim + 2, nd, name, ndim + 1,
                                                ndim + 2))
    return _dropout(input, p, training, inplace, feature_dims=nd - ndim)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (``(N, C, L)`` or ``(C, L)`` input) with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (``(N, C, H, W)`` or ``(C, H, W)`` input) with probability ``p``."""
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


# --- embedding -----------------------------------------------------------------------------------

class Embedding(Node):
    """weight[indices]; the backward scatters-adds rows (padding row excluded)."""

    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.num, ctx.padding_idx = idx, w.shape[0], padding_idx
        ctx.scale = scale_grad_by_freq
        return w[idx]

    def backward(ctx, g):
        return EmbeddingBackward.apply((g,), ctx.idx, ctx.num, ctx.padding_idx, ctx.scale)


class EmbeddingBackward(Node):
    def forward(ctx, g, idx, num, padding_idx, scale_grad_by_freq):
        ctx.idx = idx
        dim = g.shape[-1]
        flat = idx.reshape(-1)
        g2 = g.reshape(-1, dim)
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=num).astype(g.dtype)
            g2 = g2 / counts[flat][:, None]
        if padding_idx is not None:
            keep = flat != padding_idx
            flat, g2 = flat[keep], g2[keep]
        out = np.zeros((num, dim), dtype=g.dtype)
        np.add.at(out, flat, g2)
        ctx.padding_idx, ctx.scale, ctx.num = padding_idx, scale_grad_by_freq, num
        return out

    def backward(ctx, gg):
        res = Embedding.apply((gg,), ctx.idx, None, False)
        mult = None
        if ctx.scale:
            flat = ctx.idx.reshape(-1)
            mult = 1.0 / np.bincount(flat, minlength=ctx.num)[ctx.idx]
        if ctx.padding_idx is not None:
            keep = (ctx.idx != ctx.padding_idx).astype(float)
            mult = keep if mult is None else mult * keep
        if mult is not None:
            res = res * _const(mult[..., None].astype(gg._data.dtype))
        return res


def _check_indices(input, name="embedding"):
    if input._data.dtype.kind not in "iu" or input._data.dtype.itemsize < 4:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           "scalar types: Long, Int; but got %s instead (while checking arguments "
                           "for %s)" % (input.type(), name))


def _embedding_renorm(weight, idx, max_norm, norm_type):
    rows = np.unique(idx)
    w = weight._data
    norms = np.sum(np.abs(w[rows]) ** norm_type, axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    weight._bump_version()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at the integer ``input`` indices.

    ``padding_idx``'s row gets no gradient; ``max_norm`` renormalises the looked-up rows of
    ``weight`` in place first, as torch does.
    """
    num = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    _check_indices(input)
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = input._data.astype(np.intp, copy=False)
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return Embedding.apply((weight,), idx, padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxes of bags of embeddings, without building the per-index rows list.

    ``input`` is ``(B, N)`` (fixed-size bags) or 1-D with ``offsets`` giving each bag's start.
    """
    _check_indices(input, "embedding_bag")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' (got "
                                  "mode='%s'). Please open a feature request on GitHub." % mode)
    num = weight._data.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    idx = input._data.astype(np.int64)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             "type %s" % type(offsets).__name__)
        b, n = idx.shape
        starts = np.arange(0, b * n, n, dtype=np.int64)
        flat = idx.reshape(-1)
        psw = per_sample_weights.reshape(-1) if per_sample_weights is not None else None
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        starts = offsets._data.astype(np.int64)
        if include_last_offset:
            starts = starts[:-1]
        flat = idx
        psw = per_sample_weights
    else:
        raise ValueError("input has to be 1D or 2D Tensor, but got Tensor of dimension %d"
                         % idx.ndim)
    if flat.size and (flat.min() < 0 or flat.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm(weight, flat, max_norm, norm_type)
    nbags = starts.size
    ends = np.append(starts[1:], flat.size)
    bag_of = np.repeat(np.arange(nbags), ends - starts)
    valid = np.ones(flat.size, dtype=bool) if padding_idx is None else flat != padding_idx
    rows = embedding(_make(flat), weight, padding_idx, None, scale_grad_by_freq)
    if mode == "max":
        return _bag_max(rows, bag_of, valid, nbags)
    counts = np.bincount(bag_of[valid], minlength=nbags).astype(weight._data.dtype)
    coef = valid.astype(weight._data.dtype)
    if mode == "mean":
        coef = coef / np.maximum(counts, 1)[bag_of]
    mat = np.zeros((nbags, flat.size), dtype=weight._data.dtype)
    mat[bag_of, np.arange(flat.size)] = coef
    if psw is not None:
        return (_const(mat) * psw.reshape(1, -1)) @ rows
    return _const(mat) @ rows


class _BagMax(Node):
    def forward(ctx, rows, bag_of, valid, nbags):
        out = np.zeros((nbags, rows.shape[1]), dtype=rows.dtype)
        arg = np.full((nbags, rows.shape[1]), -1, dtype=np.int64)
        for i in range(rows.shape[0]):
            if not valid[i]:
                continue
            b = bag_of[i]
            better = (arg[b] < 0) | (rows[i] > out[b])
            out[b] = np.where(better, rows[i], out[b])
            arg[b] = np.where(better, i, arg[b])
        ctx.arg, ctx.n = arg, rows.shape[0]
        return out

    def backward(ctx, g):
        sel = np.zeros((ctx.n,) + ctx.arg.shape, dtype=g._data.dtype)
        b_idx, c_idx = np.nonzero(ctx.arg >= 0)
        sel[ctx.arg[b_idx, c_idx], b_idx, c_idx] = 1
        return (g.unsqueeze(0) * _const(sel)).sum(1)


def _bag_max(rows, bag_of, valid, nbags):
    return _BagMax.apply((rows,), bag_of, valid, nbags)


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding of an integer tensor along a new last dimension."""
    if tensor._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return _make((a[..., None] == np.arange(num_classes)).astype(np.int64))


# --- padding and resampling: separable index maps ------------------------------------------------

class ConstantPad(Node):
    """Pad (or crop, for negative amounts) the trailing dims with a constant; the backward is
    the opposite pad, so double backward comes free."""

    def forward(ctx, a, pads, value):
        ctx.pads = pads
        return _constant_pad_np(a, pads, value)

    def backward(ctx, g):
        return ConstantPad.apply((g,), [(-lo, -hi) for lo, hi in ctx.pads], 0)


def _constant_pad_np(a, pads, value):
    """``pads`` lists (before, after) for every dim of ``a``."""
    crop = tuple(slice(max(-lo, 0), a.shape[d] - max(-hi, 0)) for d, (lo, hi) in enumerate(pads))
    a = a[crop]
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
    shape = tuple(s + lo + hi for s, (lo, hi) in zip(a.shape, grow))
    if any(s < 0 for s in shape):
        raise RuntimeError("The input size %d, plus negative padding %d and %d resulted in a "
                           "negative output size, which is invalid. Check dimension %d of your "
                           "input." % _negative_pad_info(a.shape, pads))
    out = np.full(shape, value, dtype=a.dtype)
    out[tuple(slice(lo, lo + s) for s, (lo, _) in zip(a.shape, grow))] = a
    return out


def _negative_pad_info(shape, pads):
    for d, (s, (lo, hi)) in enumerate(zip(shape, pads)):
        if s + lo + hi < 0:
            return s, lo, hi, d
    return 0, 0, 0, 0


class AxisMaps(Node):
    """Apply a matrix along each of some axes: ``out = M_d @ x`` along axis ``d``. Reflect,
    replicate and circular padding, nearest and linear interpolation are all such maps; the
    backward applies the transposed matrices."""

    def forward(ctx, a, mats):
        ctx.mats = mats
        for d, m in mats:
            a = np.moveaxis(np.tensordot(m, a, axes=([1], [d])), 0, d)
        return np.ascontiguousarray(a)

    def backward(ctx, g):
        return AxisMaps.apply((g,), [(d, m.T) for d, m in reversed(ctx.mats)])


def _gather_matrix(src, n_in, dtype):
    m = np.zeros((len(src), n_in), dtype=dtype)
    m[np.arange(len(src)), src] = 1
    return m


_NP_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)`` starting
    from the last dim. Modes: ``constant`` (negative pads crop), ``reflect``, ``replicate``,
    ``circular``."""
    pad = tuple(int(p) for p in pad)
    nd = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length %d and input of dimension %d"
                           % (len(pad), nd))
    k = len(pad) // 2
    pairs = [(0, 0)] * (nd - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    if mode == "constant":
        return ConstantPad.apply((input,), pairs, 0 if value is None else value)
    if mode not in _NP_PAD_MODES:
        raise NotImplementedError("Unrecognised padding mode %s" % mode)
    if value is not None and value != 0:
        raise RuntimeError('Padding mode "%s" doesn\'t take in value argument.' % mode)
    if not (1 <= k <= 3 and nd in (k + 1, k + 2)):
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are "
                                  "supported for now")
    mats = []
    for d in range(nd - k, nd):
        lo, hi = pairs[d]
        n = input._data.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError("Argument #4: Padding size should be less than the corresponding "
                               "input dimension, but got: padding (%d, %d) at dimension %d of "
                               "input %s" % (lo, hi, d, list(input.shape)))
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        base = np.arange(n)[max(-lo, 0): n - max(-hi, 0)]
        src = np.pad(base, (max(lo, 0), max(hi, 0)), mode=_NP_PAD_MODES[mode])
        if mode == "circular" and (lo < 0 or hi < 0):
            src = np.pad(np.arange(n), (max(lo, 0), max(hi, 0)), mode="wrap")
            src = src[max(-lo, 0): len(src) - max(-hi, 0)]
        if lo or hi:
            mats.append((d, _gather_matrix(src, n, input._data.dtype)))
    if not mats:
        return input.clone()
    return AxisMaps.apply((input,), mats)


def _interp_matrix(n_in, n_out, mode, align_corners, scale, dtype):
    """The (n_out, n_in) matrix of one axis of nearest / linear interpolation, with torch's
    source-index rules."""
    dst = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        s = np.float32(n_in / n_out if scale is None else 1.0 / scale)
        if mode == "nearest":
            src = np.floor(dst.astype(np.float32) * s).astype(np.int64)
        else:
            src = np.floor((dst.astype(np.float32) + np.float32(0.5)) * s).astype(np.int64)
        return _gather_matrix(np.minimum(src, n_in - 1), n_in, dtype)
    if mode == "area":
        # adaptive average pooling: output i averages inputs [floor(i*n/m), ceil((i+1)*n/m))
        start = dst * n_in // n_out
        end = -((-(dst + 1) * n_in) // n_out)
        cols = np.arange(n_in)
        inside = (cols >= start[:, None]) & (cols < end[:, None])
        return (inside / (end - start)[:, None]).astype(dtype)
    if mode == "bicubic":
        return _cubic_matrix(n_in, n_out, align_corners, scale, dtype)
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = dst * s
    else:
        s = n_in / n_out if scale is None else 1.0 / scale
        src = np.maximum((dst + 0.5) * s - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w1 = (src - i0).astype(dtype)
    m = np.zeros((n_out, n_in), dtype=dtype)
    rows = np.arange(n_out)
    np.add.at(m, (rows, i0), 1 - w1)
    np.add.at(m, (rows, i1), w1)
    return m


def _cubic_matrix(n_in, n_out, align_corners, scale, dtype):
    """One axis of bicubic interpolation: torch's cubic convolution (A = -0.75) over four
    taps whose indices are clamped to the edges."""
    dst = np.arange(n_out)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = (dst + 0.5) * (n_in / n_out if scale is None else 1.0 / scale) - 0.5
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    t = np.clip(src - i0, 0.0, 1.0)
    a = -0.75

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    m = np.zeros((n_out, n_in), dtype=dtype)
    rows = np.arange(n_out)
    for k, w in enumerate((far(t + 1), near(t), near(1 - t), far(2 - t))):
        np.add.at(m, (rows, np.clip(i0 - 1 + k, 0, n_in - 1)), w)
    return m


_INTERP_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (all dims after the first two) by ``size`` or
    ``scale_factor``. Modes: ``nearest``, ``nearest-exact``, ``linear``, ``bilinear``,
    ``bicubic``, ``trilinear`` (``align_corners`` as torch) and ``area`` (adaptive average
    pooling)."""
    nd = input._data.ndim
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif mode in _INTERP_DIMS:
        if align_corners is None:
            align_corners = False
        if nd != _INTERP_DIMS[mode] + 2:
            raise NotImplementedError("Got %dD input, but %s mode needs %dD input"
                                      % (nd, mode, _INTERP_DIMS[mode] + 2))
    else:
        raise NotImplementedError("Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  "%dD) for the modes: nearest | linear | bilinear | bicubic | "
                                  "trilinear | area | nearest-exact (got %s)" % (nd, mode))
    if nd < 3:
        raise ValueError("Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for "
                         "the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                         "nearest-exact (got %s)" % (nd, mode))
    k = nd - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    in_sizes = input._data.shape[2:]
    scales = [None] * k
    if size is not None:
        sizes = list(size) if isinstance(size, (tuple, list)) else [size] * k
        if len(sizes) != k:
            raise ValueError("Input and output must have the same number of spatial dimensions, "
                             "but got input with spatial dimensions of %s and output size of %s. "
                             "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "output size in (o1, o2, ...,oK) format."
                             % (list(in_sizes), sizes))
    else:
        factors = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else \
            [scale_factor] * k
        if len(factors) != k:
            raise ValueError("Input and scale_factor must have the same number of spatial "
                             "dimensions, but got input with spatial dimensions of %s and "
                             "scale_factor of shape %s. Please provide input tensor in (N, C, d1, "
                             "d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                             % (list(in_sizes), factors))
        sizes = [int(math.floor(float(n) * f)) for n, f in zip(in_sizes, factors)]
        if not recompute_scale_factor:
            scales = [float(f) for f in factors]
    mats = []
    for i, (n_in, n_out) in enumerate(zip(in_sizes, sizes)):
        if n_in == n_out and scales[i] in (None, 1.0):
            continue
        mats.append((2 + i, _interp_matrix(n_in, int(n_out), mode, align_corners, scales[i],
                                           input._data.dtype)))
    if not mats:
        return input.clone()
    return AxisMaps.apply((input,), mats)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """``(*, C r^2, H, W)`` to ``(*, C, H r, W r)``."""
    r = upscale_factor
    if input._data.ndim < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           "input with %d dimension(s)" % input._data.ndim)
    *lead, c, h, w = input._data.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           "by the square of upscale_factor, but input.size(-3)=%d is not "
                           "divisible by %d" % (c, r * r))
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H r, W r)`` to ``(*, C r^2, H, W)``."""
    r = downscale_factor
    if input._data.ndim < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           "input with %d dimension(s)" % input._data.ndim)
    *lead, c, h, w = input._data.shape
    if h % r or w % r:
        raise RuntimeError("pixel_unshuffle expects height and width to be divisible by "
                           "downscale_factor, but input.size(-2)=%d and input.size(-1)=%d" % (h, w))
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


# --- norms and distances -------------------------------------------------------------------------

class VectorNorm(Node):
    """The p-norm along ``dim`` (p > 0 or inf); gradient 0 where the norm is 0, as torch."""

    save = (0,)
    save_output = True

    def forward(ctx, a, p, dim, keepdim):
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        if p == 2:
            return np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
        if p == math.inf:
            return np.max(np.abs(a), axis=dim, keepdims=keepdim)
        if p == 1:
            return np.sum(np.abs(a), axis=dim, keepdims=keepdim)
        return np.sum(np.abs(a) ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p = ctx.p
        if not ctx.keepdim:
            g, out = g.unsqueeze(ctx.dim), out.unsqueeze(ctx.dim)
        if p == 1:
            return g * E.sign(x)
        if p == math.inf:
            hit = (E.abs(x) == out)
            count = hit.sum(ctx.dim, keepdim=True)
            return g * E.sign(x) * hit / count
        safe = E.where(out == 0, 1.0, out)
        if p == 2:
            return E.where(out == 0, 0.0, g * x / safe)
        return E.where(out == 0, 0.0, g * E.sign(x) * E.abs(x) ** (p - 1) / safe ** (p - 1))


def _vector_norm(x, p, dim, keepdim=False):
    return VectorNorm.apply((x,), p, wrap_dim(dim, x._data.ndim), keepdim)


class ClampMinValue(Node):
    """Clamp the value from below while passing the gradient through unchanged (torch clamps
    norms in place under no_grad in cosine_similarity and normalize)."""

    def forward(ctx, a, lo):
        return np.maximum(a, a.dtype.type(lo))

    def backward(ctx, g):
        return g


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    norm = _vector_norm(input, p, dim, keepdim=True)
    return input / E.clamp_min(norm, eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim`` (broadcasting)."""
    if x1.shape != x2.shape:
        from ember.ops.shape import broadcast_tensors

        x1, x2 = broadcast_tensors(x1, x2)
    n1 = ClampMinValue.apply((_vector_norm(x1, 2, dim, True),), eps)
    n2 = ClampMinValue.apply((_vector_norm(x2, 2, dim, True),), eps)
    return ((x1 / n1) * (x2 / n2)).sum(wrap_dim(dim, x1._data.ndim))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension."""
    nd = max(x1._data.ndim, x2._data.ndim)
    diff = x1 - x2 + eps
    if nd == 0:
        return _vector_norm(diff.reshape(1), p, 0, keepdim)
    return _vector_norm(diff, p, nd - 1, keepdim)


# --- registry records ----------------------------------------------------------------------------

def _nn(name, func, samples, errors=None, **kw):
    register(OpInfo("nn.functional." + name, func, samples, errors,
                    torch_name="nn.functional." + name, **kw))


def _act_samples(*extra, low=-3.0, high=3.0):
    def samples(dtype):
        yield SampleInput(T(3, 4, low=low, high=high), *extra)
        yield SampleInput(T(2, 3, 4, noncontig=True, low=low, high=high), *extra)
        yield SampleInput(T(low=low, high=high), *extra)

    return samples


def _float_only_errors(fn_name):
    """torch refuses integer input for most activations."""

    def errors():
        yield ErrorInput(SampleInput(T(3, dtype="int64")), RuntimeError, "not implemented")

    return errors


for _name, _fn, _extra in (
        ("leaky_relu", leaky_relu, (0.2,)), ("hardtanh", hardtanh, (-0.5, 1.5)),
        ("relu6", relu6, ()), ("threshold", threshold, (0.3, -2.0)),
        ("hardshrink", hardshrink, (0.7,)), ("softshrink", softshrink, (0.7,)),
        ("hardsigmoid", hardsigmoid, ()), ("hardswish", hardswish, ()),
        ("elu", elu, (0.7,)), ("selu", selu, ()), ("celu", celu, (1.3,)),
        ("silu", silu, ()), ("mish", mish, ()), ("softplus", softplus, (2.0, 3.0)),
        ("softsign", softsign, ()), ("tanhshrink", tanhshrink, ())):
    _nn(_name, _fn, _act_samples(*_extra),
        None if _name in ("softsign", "tanhshrink", "hardtanh", "relu6", "threshold")
        else _float_only_errors(_name))
_nn("gelu", gelu, _act_samples())
_nn("gelu_tanh", lambda x: gelu(x, approximate="tanh"), _act_samples(),
    ref=lambda torch, x: torch.nn.functional.gelu(x, approximate="tanh"))
_nn("rrelu", rrelu, _act_samples(0.1, 0.3))
_nn("prelu", prelu, lambda dt: iter([SampleInput(T(2, 3, 4), T(3)), SampleInput(T(2, 3), T(1)),
                                     SampleInput(T(5), T(1))]),
    lambda: iter([ErrorInput(SampleInput(T(2, 3, 4), T(2)), RuntimeError, "Mismatch")]))
_nn("glu", glu, lambda dt: iter([SampleInput(T(3, 4)), SampleInput(T(2, 4, 3), 1)]),
    lambda: iter([ErrorInput(SampleInput(T(3, 5)), RuntimeError, "Halving dimension")]))
_nn("softmin", softmin, lambda dt: iter([SampleInput(T(3, 4), 1), SampleInput(T(2, 3, 4), 0)]))
_nn("softmax", softmax, lambda dt: iter([SampleInput(T(3, 4), 1)]))
_nn("log_softmax", log_softmax, lambda dt: iter([SampleInput(T(3, 4), -1)]))


def _linear_samples(dtype):
    yield SampleInput(T(4, 3), T(5, 3), T(5))
    yield SampleInput(T(2, 3, 3), T(5, 3))
    yield SampleInput(T(3), T(2, 3), T(2))
    yield SampleInput(T(4, 3, noncontig=True), T(5, 3, noncontig=True), T(5))


def _linear_errors():
    yield ErrorInput(SampleInput(T(4, 3), T(5, 4)), RuntimeError, "cannot be multiplied")
    yield ErrorInput(SampleInput(T(4, 3), T(5, 3, dtype="float64")), RuntimeError, "same dtype")


_nn("linear", linear, _linear_samples, _linear_errors)
_nn("bilinear", bilinear, lambda dt: iter([SampleInput(T(3, 2), T(3, 4), T(5, 2, 4), T(5)),
                                           SampleInput(T(2, 3, 2), T(2, 3, 4), T(2, 2, 4))]))
_nn("dropout", lambda x, p=0.5, training=True: dropout(x, p, training),
    lambda dt: iter([SampleInput(T(3, 4), 0.4, False), SampleInput(T(3, 4), 0.0),
                     SampleInput(T(3, 4), 1.0)]),
    lambda: iter([ErrorInput(SampleInput(T(3), 1.5), ValueError, "between 0 and 1")]),
    ref=lambda torch, x, p=0.5, training=True: torch.nn.functional.dropout(x, p, training))


def _embedding_samples(dtype):
    # padding_idx and scale_grad_by_freq alter the gradient on purpose (gradcheck would fail):
    # tests/nn/test_sparse.py compares them with torch.
    yield SampleInput(T(2, 3, dtype="int64", low=0, high=6, grad=False), T(6, 4))
    yield SampleInput(T(5, dtype="int64", low=0, high=6, grad=False), T(6, 4))


def _embedding_errors():
    yield ErrorInput(SampleInput(T(3), T(6, 4)), RuntimeError, "Long, Int")
    yield ErrorInput(SampleInput(T(3, dtype="int64", values=[0, 7, 1]), T(6, 4)), IndexError,
                     "index out of range")


_nn("embedding", embedding, _embedding_samples, _embedding_errors)
_nn("one_hot", one_hot, lambda dt: iter([
    SampleInput(T(2, 3, dtype="int64", low=0, high=5, grad=False), 6),
    SampleInput(T(4, dtype="int64", low=0, high=5, grad=False))]),
    lambda: iter([ErrorInput(SampleInput(T(3, dtype="int64", values=[0, 7, 1]), 4),
                             RuntimeError, "smaller than num_classes")]),
    dtypes=("int64",), grad=False)


def _pad_samples(dtype):
    yield SampleInput(T(2, 3, 4), (1, 2))
    yield SampleInput(T(2, 3, 4), (1, 0, -1, 2), value=1.5)
    yield SampleInput(T(1, 2, 4, 5), (2, 1, 1, 3), mode="reflect")
    yield SampleInput(T(2, 3, 4), (3, 2), mode="replicate")
    yield SampleInput(T(1, 2, 4, 5), (2, 1, 1, 3), mode="circular")
    yield SampleInput(T(1, 2, 3, 4, 3), (1, 1, 2, 0, 1, 1), mode="replicate")


def _pad_errors():
    yield ErrorInput(SampleInput(T(2, 3), (1, 2, 3)), RuntimeError, "divisible by 2")
    yield ErrorInput(SampleInput(T(1, 2, 3), (3, 1), mode="reflect"), RuntimeError,
                     "Padding size should be less than")


_nn("pad", pad, _pad_samples, _pad_errors)


def _interp_samples(dtype):
    yield SampleInput(T(1, 2, 3, 4), scale_factor=2)
    yield SampleInput(T(1, 2, 5, 4), size=(3, 7))
    yield SampleInput(T(2, 2, 5), scale_factor=1.7)
    yield SampleInput(T(1, 2, 3, 4), size=(5, 6), mode="bilinear")
    yield SampleInput(T(1, 2, 3, 4), size=(5, 3), mode="bilinear", align_corners=True)
    yield SampleInput(T(1, 2, 4, 6), scale_factor=0.5, mode="bilinear")
    yield SampleInput(T(2, 2, 5), size=8, mode="linear")
    yield SampleInput(T(1, 2, 3, 4), scale_factor=(2.5, 1.5), mode="nearest-exact")
    yield SampleInput(T(1, 2, 3, 4), size=(5, 7), mode="bicubic")
    yield SampleInput(T(1, 2, 4, 3), size=(3, 5), mode="bicubic", align_corners=True)
    yield SampleInput(T(1, 2, 3, 4), scale_factor=(1.7, 0.6), mode="bicubic")
    yield SampleInput(T(1, 2, 7, 5), size=(3, 4), mode="area")
    yield SampleInput(T(2, 2, 7), scale_factor=0.5, mode="area")
    yield SampleInput(T(1, 1, 2, 3, 4), size=(3, 2, 5), mode="area")


def _interp_errors():
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), scale_factor=2, align_corners=True), ValueError,
                     "align_corners option")


_nn("interpolate", interpolate, _interp_samples, _interp_errors)
_nn("pixel_shuffle", pixel_shuffle, lambda dt: iter([SampleInput(T(2, 8, 2, 3), 2),
                                                     SampleInput(T(9, 2, 2), 3)]),
    lambda: iter([ErrorInput(SampleInput(T(1, 3, 2, 2), 2), RuntimeError, "divisible")]))
_nn("pixel_unshuffle", pixel_unshuffle, lambda dt: iter([SampleInput(T(2, 2, 4, 6), 2)]))
_nn("normalize", normalize, lambda dt: iter([
    SampleInput(T(3, 4)), SampleInput(T(3, 4), p=1.0, dim=0), SampleInput(T(2, 3, 4), 3.0, -1)]))
_nn("cosine_similarity", cosine_similarity, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4)), SampleInput(T(2, 3, 4), T(3, 4), dim=-1),
    SampleInput(T(4, 5), T(4, 5), 0, 0.5)]))
_nn("pairwise_distance", pairwise_distance, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4)), SampleInput(T(3, 4), T(4), p=1.0, keepdim=True),
    SampleInput(T(3, 4), T(3, 4), p=3.0), SampleInput(T(3, 4), T(3, 4), p=math.inf)]))


from ember.ops import loss as _loss  # noqa: E402,F401  (registers the loss records)
