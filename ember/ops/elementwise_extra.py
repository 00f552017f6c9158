"""More elementwise math: hypot, logaddexp, logit, xlogy, copysign, sinc, erfc, the gamma family.

The ops follow ``elementwise.py``: a Node's forward on arrays sits above its backward written
with ember tensor ops, so second derivatives work. erfinv, lgamma, digamma and polygamma need
SciPy's special functions; they are defined only when SciPy is installed (imported on first
use, not at ``import ember``).
"""
import importlib.util
import math

from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops import elementwise as E
from ember.ops._util import binary_operands, check_broadcast, sum_to_shape, to_float
from ember.ops.elementwise import _out, _unary_samples
from ember.ops.registry import ALL, INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register

_HAVE_SCIPY = importlib.util.find_spec("scipy") is not None


def _special(name):
    """``scipy.special.<name>``, imported on first use."""
    import scipy.special

    return getattr(scipy.special, name)


def _require_tensor(name, other, arg="other"):
    if not isinstance(other, Tensor):
        raise TypeError("%s(): argument '%s' (position 2) must be Tensor, not %s"
                        % (name, arg, type(other).__name__))


def _float_operands(input, other):
    """Both operands promoted to a common dtype, integers to the default float."""
    a, b = binary_operands(input, other)
    return to_float(a), to_float(b)


def _binary(node, a, b):
    if a._data.shape != b._data.shape:
        check_broadcast(a._data, b._data)
    return node.apply((a, b))


# --- binary ops ----------------------------------------------------------------------------------

class Hypot(Node):
    save = (0, 1)
    save_output = True

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return np.hypot(a, b)

    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        sa, sb = ctx.shapes
        return sum_to_shape(g * a / out, sa), sum_to_shape(g * b / out, sb)


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)`` without overflow or underflow in the squares."""
    _require_tensor("hypot", other)
    return _out(_binary(Hypot, *binary_operands(input, other)), out)


class LogAddExp(Node):
    """``log(exp(a) + exp(b))`` (``base2``: ``log2(2**a + 2**b)``)."""

    save = (0, 1)

    def forward(ctx, a, b, base2):
        ctx.shapes, ctx.base2 = (a.shape, b.shape), base2
        return np.logaddexp2(a, b) if base2 else np.logaddexp(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        scale = math.log(2.0) if ctx.base2 else 1.0
        # d/da = exp(a) / (exp(a) + exp(b)) = sigmoid(a - b), with the base's scale.
        ga = g * E.sigmoid((a - b) * scale)
        gb = g * E.sigmoid((b - a) * scale)
        return sum_to_shape(ga, sa), sum_to_shape(gb, sb)

    def name(self):
        return "LogAddExp2Backward0" if self.base2 else "LogAddExpBackward0"


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))``, computed without overflow."""
    _require_tensor("logaddexp", other)
    a, b = binary_operands(input, other)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data, b._data)
    return _out(LogAddExp.apply((a, b), False), out)


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)``, computed without overflow."""
    _require_tensor("logaddexp2", other)
    a, b = binary_operands(input, other)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data, b._data)
    return _out(LogAddExp.apply((a, b), True), out)


class Xlogy(Node):
    save = (0, 1)

    def forward(ctx, x, y):
        ctx.shapes = (x.shape, y.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x * np.log(y)
        # 0 * log(y) is 0 even where log(y) is -inf, but NaN in y still propagates.
        return np.where((x == 0) & ~np.isnan(y), np.zeros((), x.dtype), out)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        sx, sy = ctx.shapes
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            # d/dx is log(y), also at x == 0 (as torch), except where the value is pinned to 0
            # because y <= 0 as well.
            gx = E.where((x == 0) & (y <= 0), 0.0, xlogy(g, y))
            gx = sum_to_shape(gx, sx)
        if need[1]:
            gy = sum_to_shape(g * x / y, sy)
        return gx, gy


def xlogy(input, other, *, out=None):
    """``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return _out(_binary(Xlogy, *_float_operands(input, other)), out)


class Copysign(Node):
    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        out = np.copysign(a, b)
        # The gradient is +-1 (0 where a is 0): whether the sign was flipped.
        ctx.flip = np.where(a == 0, 0, np.where(np.signbit(a) == np.signbit(out), 1, -1))
        return out

    def backward(ctx, g):
        sa, sb = ctx.shapes
        need = ctx.needs_input_grad
        ga = sum_to_shape(g * _make(ctx.flip.astype(g._data.dtype)), sa) if need[0] else None
        # The result does not change with other's magnitude: a zero gradient, as torch.
        gb = sum_to_shape(g * 0, sb) if need[1] else None
        return ga, gb


def copysign(input, other, *, out=None):
    """``input``'s magnitude with ``other``'s sign (the sign bit, so -0.0 counts negative)."""
    return _out(_binary(Copysign, *_float_operands(input, other)), out)


def heaviside(input, values, *, out=None):
    """0 where ``input < 0``, 1 where ``input > 0`` and ``values`` where it is 0.

    Not differentiable (as torch). ``values`` must be a tensor of ``input``'s dtype.
    """
    _require_tensor("heaviside", values, "values")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    a, v = input._data, values._data
    if a.shape != v.shape:
        check_broadcast(a, v)
    res = np.where(a == 0, v, (a > 0).astype(a.dtype))
    return _out(_make(np.asarray(res, dtype=a.dtype)), out)


# --- unary ops -----------------------------------------------------------------------------------

def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    p = to_float(input)
    if eps is not None:
        p = E.clamp(p, eps, 1 - eps)
    return _out(E.log(p / (1 - p)), out)


def sgn(input, *, out=None):
    """The sign of each element (for real tensors, :func:`sign`)."""
    return _out(E.sign(input), out)


def deg2rad(input, *, out=None):
    """Degrees to radians."""
    return _out(to_float(input) * (math.pi / 180.0), out)


def rad2deg(input, *, out=None):
    """Radians to degrees."""
    return _out(to_float(input) * (180.0 / math.pi), out)


class Sinc(Node):
    save = (0,)

    def forward(ctx, a):
        return np.sinc(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        zero = a == 0
        # sinc is smooth at 0 with slope 0; keep the division away from 0/0 there.
        x = E.where(zero, 1.0, a) * math.pi
        slope = (x * E.cos(x) - E.sin(x)) * math.pi / (x * x)
        return g * E.where(zero, 0.0, slope)


def sinc(input, *, out=None):
    """The normalised sinc, ``sin(pi x) / (pi x)``, and 1 at 0."""
    return _out(Sinc.apply((to_float(input),)), out)


class Erfc(Node):
    save = (0,)

    def forward(ctx, a):
        if _HAVE_SCIPY:
            return _special("erfc")(a).astype(a.dtype, copy=False)
        flat = a.reshape(-1)
        res = np.fromiter((math.erfc(v) for v in flat.tolist()), dtype=a.dtype, count=flat.size)
        return res.reshape(a.shape)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (-2 / math.sqrt(math.pi)) * E.exp(-(a * a))


def erfc(input, *, out=None):
    """``1 - erf(input)``, accurate where erf is close to 1."""
    return _out(Erfc.apply((to_float(input),)), out)


class Erfinv(Node):
    save_output = True

    def forward(ctx, a):
        return _special("erfinv")(a).astype(a.dtype, copy=False)

    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (math.sqrt(math.pi) / 2) * E.exp(out * out)


def erfinv(input, *, out=None):
    """The inverse of :func:`erf` on ``(-1, 1)`` (needs SciPy)."""
    return _out(Erfinv.apply((to_float(input),)), out)


class Lgamma(Node):
    save = (0,)

    def forward(ctx, a):
        return _special("gammaln")(a).astype(a.dtype, copy=False)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * digamma(a)


def lgamma(input, *, out=None):
    """``log(|gamma(input)|)`` (needs SciPy)."""
    return _out(Lgamma.apply((to_float(input),)), out)


class Polygamma(Node):
    """The ``n``-th derivative of digamma (``n = 0``: digamma itself)."""

    save = (0,)

    def forward(ctx, a, n):
        ctx.n = n
        if n == 0:
            res = _special("psi")(a)
            # SciPy gives NaN at 0; torch gives -inf there (the left and right limits differ).
            res = np.where(a == 0, -np.inf, res)
        else:
            res = _special("polygamma")(n, a)
        return np.asarray(res).astype(a.dtype, copy=False)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * Polygamma.apply((a,), ctx.n + 1)

    def name(self):
        return "DigammaBackward0" if self.n == 0 else "PolygammaBackward0"


def digamma(input, *, out=None):
    """The logarithmic derivative of gamma (needs SciPy)."""
    return _out(Polygamma.apply((to_float(input),), 0), out)


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of :func:`digamma` (needs SciPy)."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(Polygamma.apply((to_float(input),), n), out)


def _polygamma_method(self, n):
    return polygamma(n, self)


# --- samples and registration ------------------------------------------------------------------

def _binary_samples(low=-2.0, high=2.0):
    def samples(dtype):
        yield SampleInput(T(3, 4, low=low, high=high), T(3, 4, low=low, high=high), name="same")
        yield SampleInput(T(3, 4, low=low, high=high), T(4, low=low, high=high),
                          name="broadcast")
        yield SampleInput(T(2, 1, 4, low=low, high=high), T(3, 1, low=low, high=high),
                          name="broadcast both")
        yield SampleInput(T(low=low, high=high), T(low=low, high=high), name="0-d")
        yield SampleInput(T(3, 4, low=low, high=high, noncontig=True),
                          T(3, 4, low=low, high=high), name="noncontig")
        yield SampleInput(T(0, 4, low=low, high=high), T(4, low=low, high=high), name="empty")

    return samples


def _xlogy_samples(dtype):
    yield from _binary_samples(0.2, 3.0)(dtype)
    yield SampleInput(T(values=[0.0, 1.5, 0.0, -2.0]), T(values=[0.5, 2.0, 3.0, 0.5]),
                      name="zero x")
    # log(0) = -inf: only the values are compared there.
    yield SampleInput(T(values=[0.0, 0.0, 1.5, 0.0], grad=False),
                      T(values=[0.0, float("nan"), 0.0, -1.0], grad=False), name="zero y")
    yield SampleInput(2.0, T(3, 4, low=0.2, high=3.0), name="scalar input")
    yield SampleInput(T(3, 4), 3, name="scalar other")


def _copysign_samples(dtype):
    yield from _binary_samples()(dtype)
    yield SampleInput(T(values=[1.5, -2.0, 0.5, -0.25]), T(values=[-0.0, 0.0, -1.0, 2.0], grad=False),
                      name="signed zeros")
    yield SampleInput(T(3, 4), -1.0, name="scalar other")


def _heaviside_samples(dtype):
    yield SampleInput(T(values=[-1.5, 0.0, 2.0, 0.0]), T(values=[0.5, 0.25, 0.75, 2.0]))
    yield SampleInput(T(values=[[-1.0, 0.0, 3.0], [0.0, 2.0, -2.0]]), T(values=0.5),
                      name="0-d values")
    yield SampleInput(T(values=[[-1.0, 0.0, 3.0], [0.0, 2.0, -2.0]]), T(values=[0.1, 0.2, 0.3]),
                      name="broadcast")


def _heaviside_errors():
    yield ErrorInput(SampleInput(T(3), 0.5), TypeError, "must be Tensor")
    yield ErrorInput(SampleInput(T(3), T(3, dtype="float64")), RuntimeError, "different dtypes")


def _tensor_other_errors(name):
    def errors():
        yield ErrorInput(SampleInput(T(3), 2.0), TypeError, r"%s\(\): argument 'other'" % name)
        yield ErrorInput(SampleInput(T(2, 3), T(4)), RuntimeError,
                         r"size of tensor a \(3\) must match the size of tensor b \(4\)")

    return errors


def _logit_samples(dtype):
    yield from _unary_samples(0.05, 0.95)(dtype)
    yield SampleInput(T(values=[0.05, 0.3, 0.97, 0.5, 0.01, 0.6]), 0.1, name="eps")


def _sinc_samples(dtype):
    yield from _unary_samples(-2.5, 2.5)(dtype)
    yield SampleInput(T(values=[1.0, -2.0, 0.5, 1e-3]), name="integers")
    # The slope at 0 is 0 (compared with torch); the second derivative there is not modelled.
    yield SampleInput(T(values=[0.0, 1.5], grad=False), name="zero")


register(OpInfo("hypot", hypot, _binary_samples(), _tensor_other_errors("hypot"), method=True,
                inplace="hypot_"))
register(OpInfo("logaddexp", logaddexp, _binary_samples(-3.0, 3.0),
                _tensor_other_errors("logaddexp"), method=True))
register(OpInfo("logaddexp2", logaddexp2, _binary_samples(-3.0, 3.0),
                _tensor_other_errors("logaddexp2"), method=True))
register(OpInfo("xlogy", xlogy, _xlogy_samples, method=True, inplace="xlogy_",
                dtypes=INT_FLOAT))
register(OpInfo("copysign", copysign, _copysign_samples, method=True, inplace="copysign_",
                dtypes=INT_FLOAT))
register(OpInfo("heaviside", heaviside, _heaviside_samples, _heaviside_errors, method=True,
                inplace="heaviside_", grad=False))
register(OpInfo("logit", logit, _logit_samples, method=True, inplace="logit_"))
# torch's sgn returns its zero gradient as a ZeroTensor, which has no NumPy form; for real
# tensors sgn is sign, whose gradient is an ordinary zero tensor, so the oracle is sign.
register(OpInfo("sgn", sgn, _unary_samples(-2.0, 2.0), method=True, inplace="sgn_", dtypes=ALL,
                ref=lambda torch, *args, **kwargs: torch.sign(*args, **kwargs)))
register(OpInfo("deg2rad", deg2rad, _unary_samples(-200.0, 200.0), method=True,
                inplace="deg2rad_", dtypes=INT_FLOAT))
register(OpInfo("rad2deg", rad2deg, _unary_samples(-4.0, 4.0), method=True, inplace="rad2deg_",
                dtypes=INT_FLOAT, atol=1e-4))
register(OpInfo("sinc", sinc, _sinc_samples, method=True, inplace="sinc_"))
register(OpInfo("erfc", erfc, _unary_samples(-2.0, 2.0), method=True, inplace="erfc_",
                dtypes=INT_FLOAT))

if _HAVE_SCIPY:
    def _polygamma_samples(dtype):
        yield SampleInput(1, T(3, 4, low=0.5, high=4.0))
        yield SampleInput(2, T(low=0.5, high=4.0))
        yield SampleInput(0, T(0, 3, low=0.5, high=4.0))

    register(OpInfo("erfinv", erfinv, _unary_samples(-0.9, 0.9), method=True,
                    inplace="erfinv_"))
    register(OpInfo("lgamma", lgamma, _unary_samples(0.2, 5.0), method=True, inplace="lgamma_",
                    dtypes=INT_FLOAT, atol=1e-4, rtol=1e-5))
    register(OpInfo("digamma", digamma, _unary_samples(0.3, 5.0), method=True,
                    inplace="digamma_", atol=1e-4, rtol=1e-5))
    register(OpInfo("polygamma", polygamma, _polygamma_samples, atol=1e-4, rtol=1e-5))
    if not hasattr(Tensor, "polygamma"):
        Tensor.polygamma = _polygamma_method
