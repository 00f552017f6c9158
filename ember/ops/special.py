"""Special functions (``torch.special``): erf, erfc, erfcx, erfinv, lgamma, digamma, polygamma,
mvlgamma, xlogy, xlog1py, entr, logit, sinc, ndtr, ndtri, log_ndtr, i0, i0e, i1, i1e, zeta,
igamma, igammac.

The one-input ones are lines of the table in ``unary.py`` (their host kernels live in
``_special_math.py``), xlogy and xlog1py lines of the one in ``binary.py``. The Bessel and Airy
functions are in ``special_bessel.py``, the orthogonal polynomials in ``special_polynomials.py``.
"""
import math

from ember._backend import array_module, np
from ember._tensor import Tensor
from ember.autograd.function import Node
from ember.ops import _special_math
from ember._tensor_str import dtype_word
from ember.ops._util import (binary_operands, check_broadcast, refuse_complex, sum_to_shape,
                             to_float)
from ember.ops.arithmetic import _out, _unary_samples
from ember.ops.binary import _ranged_binary_samples, float_operands
from ember.ops.binary import table_op as binary_table_op
from ember.ops.registry import INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.unary import X, Y, Unary, UnaryOp, cos, exp, sin, table_op, unary_function

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

# name, kernel, keeps, gradient, sample range
erf = table_op("erf", _special_math.erf, X, lambda g, x: g * _TWO_OVER_SQRT_PI * exp(-(x * x)),
               onnx="Erf")
erfc = table_op("erfc", _special_math.erfc, X,
                lambda g, x: g * -_TWO_OVER_SQRT_PI * exp(-(x * x)),
                onnx=lambda c, x: c.g.op("Sub", c.scalar(1), c.g.op("Erf", x)))
_ERFINV = UnaryOp("erfinv", _special_math.erfinv, Y,
                  lambda g, y: g * (math.sqrt(math.pi) / 2) * exp(y * y))
_LGAMMA = UnaryOp("lgamma", _special_math.gammaln, X, lambda g, x: g * digamma(x))


def erfinv(input, *, out=None):
    """The inverse of :func:`erf` on ``(-1, 1)``."""
    return _out(Unary.apply((to_float(input),), _ERFINV), out)


def lgamma(input, *, out=None):
    """``log(|gamma(input)|)``."""
    return _out(Unary.apply((to_float(input),), _LGAMMA), out)


class Polygamma(Node):
    """The ``n``-th derivative of digamma (``n = 0``: digamma itself)."""

    save = (0,)

    def forward(ctx, a, n):
        ctx.n = n
        return _special_math.polygamma(n, a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * Polygamma.apply((a,), ctx.n + 1)

    def name(self):
        return "DigammaBackward0" if self.n == 0 else "PolygammaBackward0"


def digamma(input, *, out=None):
    """The logarithmic derivative of gamma."""
    return _out(Polygamma.apply((to_float(input),), 0), out)


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of :func:`digamma`."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(Polygamma.apply((to_float(input),), n), out)


def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_samples(dtype):
    yield SampleInput(1, T(3, 4, low=0.5, high=4.0))
    yield SampleInput(2, T(low=0.5, high=4.0))
    yield SampleInput(0, T(0, 3, low=0.5, high=4.0))


register(OpInfo("erfinv", erfinv, _unary_samples(-0.9, 0.9), method=True, inplace="erfinv_"))
register(OpInfo("lgamma", lgamma, _unary_samples(0.2, 5.0), method=True, inplace="lgamma_",
                dtypes=INT_FLOAT, atol=1e-4, rtol=1e-5))
register(OpInfo("digamma", digamma, _unary_samples(0.3, 5.0), method=True, inplace="digamma_",
                atol=1e-4, rtol=1e-5))
register(OpInfo("polygamma", polygamma, _polygamma_samples, atol=1e-4, rtol=1e-5))
if not hasattr(Tensor, "polygamma"):
    Tensor.polygamma = _polygamma_method


def _xlogy_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    # 0 * log(y) is 0 even where log(y) is -inf, but NaN in y still propagates.
    return np.where((x == 0) & ~np.isnan(y), array_module(x).zeros((), x.dtype), out)


def _xlogy_onnx(call, x, y):
    g, zero = call.g, call.scalar(0)
    return g.op("Where", g.op("Equal", x, zero), zero, g.op("Mul", x, g.op("Log", y)))


def _real_float_operands(name, input, other):
    a, b = float_operands(name, input, other)
    refuse_complex('"%s_cpu" not implemented for \'%%s\'' % name, a)
    return a, b


# A line of the binary table (``binary.py``). d/dx is log(y), also at x == 0 (as torch), except
# where the value is pinned to 0 because y <= 0 as well.
xlogy = binary_table_op("xlogy", _xlogy_kernel, "ab",
                        lambda g, x, y, out: where((x == 0) & (y <= 0), 0.0, xlogy(g, y)),
                        lambda g, x, y, out: g * x / y,
                        _real_float_operands, onnx=_xlogy_onnx)
xlogy.__doc__ = "``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is NaN)."


def _xlogy_samples(dtype):
    yield from _ranged_binary_samples(0.2, 3.0)(dtype)
    yield SampleInput(T(values=[0.0, 1.5, 0.0, -2.0]), T(values=[0.5, 2.0, 3.0, 0.5]),
                      name="zero x")
    # log(0) = -inf: only the values are compared there.
    yield SampleInput(T(values=[0.0, 0.0, 1.5, 0.0], grad=False),
                      T(values=[0.0, float("nan"), 0.0, -1.0], grad=False), name="zero y")
    yield SampleInput(2.0, T(3, 4, low=0.2, high=3.0), name="scalar input")
    yield SampleInput(T(3, 4), 3, name="scalar other")


register(OpInfo("xlogy", xlogy, _xlogy_samples, method=True, inplace="xlogy_",
                dtypes=INT_FLOAT))


class Logit(Node):
    """``log(p / (1 - p))``; the gradient ``1 / (p (1 - p))`` is inf at 0 and 1 (as torch),
    NaN outside [0, 1], and 0 where ``eps`` clamped ``p``."""
    save = (0,)

    def forward(ctx, a, eps):
        ctx.eps = eps
        if eps is not None:
            a = np.clip(a, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a / (1 - a))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        grad = g / (x * (1 - x))
        if ctx.eps is None:
            return where((x < 0) | (x > 1), math.nan, grad)
        return where((x < ctx.eps) | (x > 1 - ctx.eps), 0.0, grad)


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    refuse_complex('"logit_cpu" not implemented for \'%s\'', input)
    return _out(Logit.apply((to_float(input),), eps), out)


def _logit_samples(dtype):
    yield from _unary_samples(0.05, 0.95)(dtype)
    yield SampleInput(T(values=[0.05, 0.3, 0.97, 0.5, 0.01, 0.6]), 0.1, name="eps")
    yield SampleInput(T(5, values=[0.0, 1.0, 1.5, -0.5, 0.5]), name="edge: 0, 1, outside")


register(OpInfo("logit", logit, _logit_samples, method=True, inplace="logit_"))


def _sinc_grad(g, x):
    # torch's formula, (pi x cos(pi x) - sin(pi x)) / (pi x^2), and 0 wherever pi x^2 is 0:
    # at 0 (the slope there) and where x^2 underflows (tiny x, whose slope is ~0 too)
    t = x * math.pi
    sq = x * x * math.pi
    zero = sq == 0
    return where(zero, 0.0, g * (t * cos(t) - sin(t)) / where(zero, 1.0, sq))


def _sinc_onnx(call, x):
    g = call.g
    zero = g.op("Equal", x, call.scalar(0))
    safe = g.op("Where", zero, call.scalar(1), g.op("Mul", x, call.scalar(math.pi)))
    return g.op("Where", zero, call.scalar(1), g.op("Div", g.op("Sin", safe), safe))


def _sinc_kernel(x):
    # float16 in float32, as torch's half kernels (pi x overflows float16 from 20861 up)
    return np.sinc(x.astype(np.float32)).astype(x.dtype) if x.dtype == np.float16 else np.sinc(x)


_sinc = unary_function(UnaryOp("sinc", _sinc_kernel, X, _sinc_grad,
                               onnx=_sinc_onnx))


def sinc(input, *, out=None):
    """The normalised sinc, ``sin(pi x) / (pi x)``, and 1 at 0."""
    return _sinc(input, out=out)


def _sinc_samples(dtype):
    yield from _unary_samples(-2.5, 2.5)(dtype)
    yield SampleInput(T(values=[1.0, -2.0, 0.5, 1e-3]), name="integers")
    # The slope at 0 is 0 (compared with torch); the second derivative there is not modelled.
    yield SampleInput(T(values=[0.0, 1.5], grad=False), name="zero")
    if dtype == "float32":  # x^2 underflows: torch's slope is 0 there, not 0/0
        yield SampleInput(T(values=[1e-30, -1e-45, 0.0, 2.0]), name="edge: tiny")


register(OpInfo("sinc", sinc, _sinc_samples, method=True, inplace="sinc_"))



def _xlog1py_kernel(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log1p(y)
    return np.where((x == 0) & ~np.isnan(y), array_module(x).zeros((), x.dtype), out)


# d/dx is log1p(y), also at x == 0, except where the value is pinned to 0 because y <= -1 too.
xlog1py = binary_table_op("xlog1py", _xlog1py_kernel, "ab",
                          lambda g, x, y, out: where((x == 0) & (y <= -1), 0.0, xlog1py(g, y)),
                          lambda g, x, y, out: g * x / (y + 1), _real_float_operands,
                          node_name="SpecialXlog1py")
xlog1py.__doc__ = "``input * log1p(other)``, and 0 where ``input`` is 0 (unless ``other`` is NaN)."


def _xlog1py_samples(dtype):
    yield from _ranged_binary_samples(-0.8, 3.0)(dtype)
    yield SampleInput(T(values=[0.0, 1.5, 0.0, -2.0]), T(values=[0.5, 2.0, -0.5, 0.5]),
                      name="zero x")
    yield SampleInput(T(values=[0.0, 0.0, 1.5, 0.0], grad=False),
                      T(values=[-1.0, float("nan"), -1.0, -2.0], grad=False), name="edge: -1")
    yield SampleInput(2.0, T(3, 4, low=0.2, high=3.0), name="scalar input")
    yield SampleInput(T(3, 4), 3, name="scalar other")


register(OpInfo("special.xlog1py", xlog1py, _xlog1py_samples, dtypes=INT_FLOAT))


def _special_unary(name, kernel, keeps, grad, low, high, node_name=None, edges=(),
                   top_level=False, half=True):
    """Define and register the one-input special function ``name`` (``torch.special.name``,
    and ``torch.name`` with Tensor method and in-place form when ``top_level``); ``half=False``:
    torch has no float16 kernel for it."""
    table_fn = unary_function(UnaryOp(name, kernel, keeps, grad, node_name=node_name))
    if half:
        fn = table_fn
    else:
        def fn(input, *, out=None):
            _half_kernel((input,), name + "_cpu")
            return table_fn(input, out=out)

        fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = kernel.__doc__

    def samples(dtype):
        yield from _unary_samples(low, high)(dtype)
        if edges:
            yield SampleInput(T(values=list(edges), grad=False), name="edge: values")

    if top_level:
        register(OpInfo(name, fn, samples, method=True, inplace=name + "_", dtypes=INT_FLOAT))
    else:
        register(OpInfo("special." + name, fn, samples, dtypes=INT_FLOAT))
    return fn


_EDGES = (0.0, -0.0, math.inf, -math.inf, math.nan, 1e-300, -1e-300, 1e300, -1e300, 30.0,
          -30.0, 50.0, -50.0)
_SQRT_2PI = math.sqrt(2 * math.pi)

erfcx = _special_unary("erfcx", _special_math.erfcx, X,
                       lambda g, x: g * (2 * x * erfcx(x) - _TWO_OVER_SQRT_PI), -3.0, 3.0,
                       node_name="SpecialErfcx", edges=_EDGES, half=False)
ndtr = _special_unary("ndtr", _special_math.ndtr, X,
                      lambda g, x: g * exp(-0.5 * x * x) / _SQRT_2PI, -4.0, 4.0,
                      node_name="SpecialNdtr", edges=_EDGES)
ndtri = _special_unary("ndtri", _special_math.ndtri, Y,
                       lambda g, y: g * _SQRT_2PI * exp(0.5 * y * y), 0.02, 0.98,
                       node_name="SpecialNdtri", edges=(0.0, 1.0, 0.5, -0.5, 1.5, 1e-300,
                                                       1 - 1e-16, math.nan), half=False)
log_ndtr = _special_unary("log_ndtr", _special_math.log_ndtr, X,
                          lambda g, x: g * exp(-0.5 * x * x - log_ndtr(x)) / _SQRT_2PI,
                          -5.0, 3.0, node_name="SpecialLogNdtr", edges=_EDGES, half=False)
i0 = _special_unary("i0", _special_math.i0, X, lambda g, x: g * i1(x), -3.0, 3.0,
                    edges=_EDGES, top_level=True)
i0e = _special_unary("i0e", _special_math.i0e, X,
                     lambda g, x: g * (i1e(x) - x.sign() * i0e(x)), -3.0, 3.0,
                     node_name="SpecialI0e", edges=_EDGES)
i1 = _special_unary("i1", _special_math.i1, X,
                    lambda g, x: g * where(x == 0, 0.5, i0(x) - i1(x) / where(x == 0, 1.0, x)),
                    -3.0, 3.0, node_name="SpecialI1", edges=_EDGES)
i1e = _special_unary("i1e", _special_math.i1e, X,
                     lambda g, x: g * where(x == 0, 0.5, i0e(x) - i1e(x) * (
                         x.sign() + 1 / where(x == 0, 1.0, x))),
                     -3.0, 3.0, node_name="SpecialI1e", edges=_EDGES)


def _entr_kernel(a):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -a * np.log(a)
    xp = array_module(a)
    out = np.where(a == 0, xp.zeros((), a.dtype), out)
    return np.where(a < 0, xp.array(-np.inf, a.dtype), out)


entr = _special_unary("entr", _entr_kernel, X, lambda g, x: g * -(1 + x.log()), 0.1, 3.0,
                      node_name="SpecialEntr", edges=(0.0, -1.0, math.inf, math.nan, 1e-300))
entr.__doc__ = "Elementwise entropy ``-x log(x)``: 0 at 0, -inf for negative ``x``."


def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_{i < p} lgamma(input - i / 2)``."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input._data.dtype == np.bool_:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    x = to_float(input)
    total = lgamma(x)
    for i in range(1, p):
        total = total + lgamma(x - 0.5 * i)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def multigammaln(input, p, *, out=None):
    """Alias of :func:`mvlgamma` (``torch.special.multigammaln``)."""
    return _out(mvlgamma(input, p), out)


def _mvlgamma_samples(dtype):
    yield SampleInput(T(3, 4, low=1.6, high=5.0), 1)
    yield SampleInput(T(3, 4, low=1.6, high=5.0), 3)
    yield SampleInput(T(low=2.0, high=4.0), p=2)
    yield SampleInput(T(values=[0.3, 0.5, -1.0, 1.0], grad=False), 2, name="edge: poles")


def _mvlgamma_errors():
    yield ErrorInput(SampleInput(T(3, low=2.0, high=3.0), 0), RuntimeError,
                     "p has to be greater than or equal to 1")


register(OpInfo("mvlgamma", mvlgamma, _mvlgamma_samples, _mvlgamma_errors, method=True,
                inplace="mvlgamma_"))
register(OpInfo("special.multigammaln", multigammaln, _mvlgamma_samples, _mvlgamma_errors))


class Zeta(Node):
    """The Hurwitz zeta function; torch differentiates it in ``q`` only."""

    save = (0, 1)

    def forward(ctx, x, q):
        ctx.shapes = (x.shape, q.shape)
        return _special_math.zeta(x, q).astype(np.result_type(x, q), copy=False)

    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = ctx.saved_tensors
        return None, sum_to_shape(g * -x * zeta(x + 1, q), ctx.shapes[1])

    def name(self):
        return "SpecialZetaBackward0"


def _half_kernel(tensors, kernel):
    for t in tensors:
        if t._data.dtype == np.float16:
            raise NotImplementedError("\"%s\" not implemented for 'Half'" % kernel)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function ``sum_{k >= 0} (other + k)^-input``."""
    x, q = float_operands("special_zeta", input, other)
    _half_kernel((x, q), "zeta_cpu")
    if x._data.shape != q._data.shape:
        check_broadcast(x._data, q._data)
    return _out(Zeta.apply((x, q)), out)


def _zeta_samples(dtype):
    yield SampleInput(T(3, 4, low=1.5, high=6.0, grad=False), T(3, 4, low=0.5, high=4.0))
    yield SampleInput(T(4, low=1.5, high=6.0, grad=False), T(3, 1, low=0.5, high=4.0),
                      name="broadcast")
    yield SampleInput(2.0, T(3, low=0.5, high=4.0), name="scalar s")
    yield SampleInput(T(3, low=1.5, high=4.0), 1.5,
                      name="edge: differentiated in s (torch refuses)")
    yield SampleInput(T(values=[1.0, 0.5, 2.0, 2.0, 2.0, 3.0, 2.0], grad=False),
                      T(values=[1.0, 1.0, 0.0, -1.0, -1.5, -1.5, 1e-3], grad=False),
                      name="edge: domain")


register(OpInfo("special.zeta", zeta, _zeta_samples, dtypes=INT_FLOAT))


class Igamma(Node):
    """The regularized incomplete gamma functions P (``upper=False``) and Q; torch
    differentiates them in ``x`` only."""

    save = (0, 1)

    def forward(ctx, a, x, upper):
        ctx.shapes, ctx.upper = (a.shape, x.shape), upper
        return _special_math.gammainc(a, x, upper).astype(np.result_type(a, x), copy=False)

    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for '%s: input' is not implemented."
                                      % ("igammac" if ctx.upper else "igamma"))
        a, x = ctx.saved_tensors
        density = exp(-x + (a - 1) * x.log() - lgamma(a))
        return None, sum_to_shape(g * (-density if ctx.upper else density), ctx.shapes[1])

    def name(self):
        return "IgammacBackward0" if self.upper else "IgammaBackward0"


def _igamma(input, other, upper, out):
    a, x = binary_operands(input, other)
    for t in (a, x):
        if not t.is_floating_point():
            raise NotImplementedError("\"%s_cpu\" not implemented for '%s'" % (
                "igammac" if upper else "igamma", dtype_word(t._data.dtype)))
    if a._data.shape != x._data.shape:
        check_broadcast(a._data, x._data)
    return _out(Igamma.apply((a, x), upper), out)


def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function ``P(input, other)``."""
    return _igamma(input, other, False, out)


def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function ``Q(input, other) = 1 - P``."""
    return _igamma(input, other, True, out)


def _igamma_samples(dtype):
    yield SampleInput(T(3, 4, low=0.5, high=6.0, grad=False), T(3, 4, low=0.1, high=8.0))
    yield SampleInput(T(4, low=0.5, high=6.0, grad=False), T(3, 1, low=0.1, high=8.0),
                      name="broadcast")
    yield SampleInput(T(3, low=0.5, high=4.0), T(3, low=0.1, high=8.0),
                      name="edge: differentiated in a (torch refuses)")
    yield SampleInput(T(values=[0.0, 0.0, 1.0, 1.0, -1.0, 1.0, 2.0, 1e-3], grad=False),
                      T(values=[0.0, 1.0, 0.0, -1.0, 1.0, math.inf, 1e3, 1e-3], grad=False),
                      name="edge: domain")


register(OpInfo("igamma", igamma, _igamma_samples, method=True, inplace="igamma_"))
register(OpInfo("igammac", igammac, _igamma_samples, method=True, inplace="igammac_"))

from ember.ops.indexing import where  # noqa: E402
