"""One-input elementwise math.

The smooth functions (exp, log, trigonometric and hyperbolic functions, sqrt, sigmoid, ...) are a
table: each line names the op, its NumPy kernel, what its backward keeps (the input ``x`` or the
output ``y``) and its gradient written with ember ops. One Node class, ``Unary``, runs every line.
The ops with rules of their own (abs, sign, square, rounding, nan_to_num, ...) follow the table.
"""
import math

from ember import _dtype
from ember._backend import np
from ember.autograd.function import Node
from ember.ops._util import cast, check_dtype, conj, refuse_complex, to_float
from ember.ops.arithmetic import _out, _unary_samples
from ember.ops.registry import (ALL, COMPLEX, INT_FLOAT, OpInfo, SampleInput, T, dtype_errors,
                                register)

# What a table op's backward keeps.
X, Y, NOTHING = "input", "output", None


class UnaryOp:
    """One line of the table: ``kernel(x)`` on arrays; ``grad(g, v)`` with ember ops, where ``v``
    is the input (``keeps=X``), the output (``keeps=Y``) or None."""

    __slots__ = ("name", "kernel", "keeps", "grad", "node_name", "onnx", "holomorphic")

    def __init__(self, name, kernel, keeps, grad, node_name=None, onnx=None, holomorphic=True):
        self.name, self.kernel, self.keeps, self.grad = name, kernel, keeps, grad
        # ``grad(g, v)`` is ``g * f'(v)`` with a real-coefficient ``f'``: for complex inputs
        # it is given ``conj(v)``, which makes it torch's ``g * conj(f'(v))``
        self.holomorphic = holomorphic
        self.onnx = onnx  # the ONNX form: an operator name, or ``f(call, x)`` (ember.onnx)
        self.node_name = (node_name or name[0].upper() + name[1:]) + "Backward0"


class TableNode(Node):
    """What the Nodes of the op tables share (``Unary`` here, ``Binary`` in ``binary.py``): the
    table line, ``ctx.op``, names the node and gives the ONNX form."""

    def name(self):
        return self.op.node_name

    @staticmethod
    def onnx(call):
        line = call.params[0]
        if line.onnx is None:
            call.fail("%s has no ONNX form" % line.name)
        xs = call.operands()
        return call.g.op(line.onnx, *xs) if isinstance(line.onnx, str) else line.onnx(call, *xs)


class Unary(TableNode):
    """The Node of every table op; the table line is its one parameter."""

    def forward(ctx, a, op):
        ctx.op = op
        if op.keeps is X:
            ctx.save = (0,)
        elif op.keeps is Y:
            ctx.save_output = True
        return op.kernel(a)

    def backward(ctx, g):
        if ctx.op.keeps is NOTHING:
            return ctx.op.grad(g, None)
        (v,) = ctx.saved_tensors
        return ctx.op.grad(g, conj(v) if ctx.op.holomorphic else v)


def unary_function(op, float_only=True):
    """The public function of table op ``op`` (integer inputs become float unless told)."""

    def fn(input, *, out=None):
        t = to_float(input) if float_only else input
        return _out(Unary.apply((t,), op), out)

    fn.__name__ = fn.__qualname__ = op.name
    return fn


def table_op(name, kernel, keeps, grad, low=-2.0, high=2.0, aliases=(), onnx=None, edge=None):
    """Define, register (with samples in ``[low, high]``, and ``edge`` values: poles, domain
    ends, compared with torch but not gradchecked) and return the table op ``name``."""
    fn = unary_function(UnaryOp(name, kernel, keeps, grad, onnx=onnx))
    samples = _unary_samples(low, high)
    if edge is not None:
        ranged = samples

        def samples(dtype):
            yield from ranged(dtype)
            if not dtype.startswith("complex"):  # for complex numbers these lie on branch cuts
                yield SampleInput(T(len(edge), values=edge), name="edge: domain ends")
    for n in (name,) + aliases:
        register(OpInfo(n, fn, samples, method=True, inplace=n + "_", dtypes=INT_FLOAT + COMPLEX))
    return fn


def _stable_sigmoid(a):
    if a.dtype.kind == "c":
        return 1 / (1 + np.exp(-a))
    # exp of a non-positive number only: no overflow for large |a|.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


class TanhBackward(Node):
    """g * (1 - y**2) in one kernel; its own backward gives tanh's second derivative."""

    save = (0, 1)

    def forward(ctx, g, y):
        return g * (1 - y * y)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return gg * conj(1 - y * y), -2 * gg * conj(g * y)


class SigmoidBackward(Node):
    """g * y * (1 - y) in one kernel; differentiable again."""

    save = (0, 1)

    def forward(ctx, g, y):
        return g * (y * (1 - y))

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return gg * conj(y * (1 - y)), gg * conj(g * (1 - 2 * y))


_LN2, _LN10 = math.log(2.0), math.log(10.0)

# name, kernel, keeps, gradient, sample range
reciprocal = table_op("reciprocal", np.reciprocal, Y, lambda g, y: -g * y * y, 0.5, 2.0,
                      onnx="Reciprocal")
sqrt = table_op("sqrt", np.sqrt, Y, lambda g, y: g / (2 * y), 0.1, 3.0,
                onnx="Sqrt")
rsqrt = table_op("rsqrt", lambda a: 1 / np.sqrt(a), Y, lambda g, y: -0.5 * g * y * y * y, 0.2, 3.0,
                 onnx=lambda c, x: c.g.op("Reciprocal", c.g.op("Sqrt", x)))
exp = table_op("exp", np.exp, Y, lambda g, y: g * y,
               onnx="Exp")
exp2 = table_op("exp2", np.exp2, Y, lambda g, y: g * y * _LN2,
                onnx=lambda c, x: c.g.op("Pow", c.scalar(2), x))
expm1 = table_op("expm1", np.expm1, Y, lambda g, y: g * (y + 1),
                 onnx=lambda c, x: c.g.op("Sub", c.g.op("Exp", x), c.scalar(1)))
log = table_op("log", np.log, X, lambda g, x: g / x, 0.1, 3.0,
               onnx="Log")
log2 = table_op("log2", np.log2, X, lambda g, x: g / (x * _LN2), 0.1, 3.0,
                onnx=lambda c, x: c.g.op("Div", c.g.op("Log", x), c.scalar(_LN2)))
log10 = table_op("log10", np.log10, X, lambda g, x: g / (x * _LN10), 0.1, 3.0,
                 onnx=lambda c, x: c.g.op("Div", c.g.op("Log", x), c.scalar(_LN10)))
log1p = table_op("log1p", np.log1p, X, lambda g, x: g / (x + 1), -0.5, 3.0,
                 onnx=lambda c, x: c.g.op("Log", c.g.op("Add", x, c.scalar(1))))
sin = table_op("sin", np.sin, X, lambda g, x: g * cos(x), -3.0, 3.0,
               onnx="Sin")
cos = table_op("cos", np.cos, X, lambda g, x: -g * sin(x), -3.0, 3.0,
               onnx="Cos")
tan = table_op("tan", np.tan, Y, lambda g, y: g * (1 + y * y), -1.2, 1.2,
               onnx="Tan")
asin = arcsin = table_op("asin", np.arcsin, X, lambda g, x: g * rsqrt(1 - x * x), -0.9, 0.9,
                         aliases=("arcsin",), onnx="Asin", edge=[1.0, -1.0, 0.0, 1.5])
acos = arccos = table_op("acos", np.arccos, X, lambda g, x: -g * rsqrt(1 - x * x), -0.9, 0.9,
                         aliases=("arccos",),
                         onnx="Acos")
atan = arctan = table_op("atan", np.arctan, X, lambda g, x: g / (1 + x * x), -3.0, 3.0,
                         aliases=("arctan",),
                         onnx="Atan")
sinh = table_op("sinh", np.sinh, X, lambda g, x: g * cosh(x),
                onnx="Sinh")
cosh = table_op("cosh", np.cosh, X, lambda g, x: g * sinh(x),
                onnx="Cosh")
asinh = arcsinh = table_op("asinh", np.arcsinh, X, lambda g, x: g * rsqrt(x * x + 1),
                           aliases=("arcsinh",), onnx="Asinh")
acosh = arccosh = table_op("acosh", np.arccosh, X, lambda g, x: g * rsqrt(x * x - 1), 1.1, 3.0,
                           aliases=("arccosh",), onnx="Acosh")
atanh = arctanh = table_op("atanh", np.arctanh, X, lambda g, x: g / (1 - x * x), -0.9, 0.9,
                           aliases=("arctanh",), onnx="Atanh",
                           edge=[1.0, -1.0, 0.0, -0.0, 1.5, float("nan")])
tanh = table_op("tanh", np.tanh, Y, lambda g, y: TanhBackward.apply((g, y)), -3.0, 3.0,
                onnx="Tanh")
sigmoid = table_op("sigmoid", _stable_sigmoid, Y, lambda g, y: SigmoidBackward.apply((g, y)),
                   -5.0, 5.0,
                   onnx="Sigmoid")

_ABS = UnaryOp("abs", np.abs, X, lambda g, x: g * sgn(x), onnx="Abs", holomorphic=False)
def _sign_kernel(a):
    if a.dtype.kind != "f":
        return np.sign(a)
    # torch's (0 < x) - (x < 0): sign(NaN) is 0, not NaN
    return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)


_SIGN = UnaryOp("sign", _sign_kernel, NOTHING, lambda g, _: g * 0,
                onnx="Sign")
_SQUARE = UnaryOp("square", np.square, X, lambda g, x: g * 2 * x, node_name="Pow",
                  onnx=lambda c, x: c.g.op("Mul", x, x))
_FRAC = UnaryOp("frac", lambda a: a - np.trunc(a), NOTHING, lambda g, _: g,
                onnx=lambda c, x: c.g.op("Sub", x, c.g.trunc(x)))


def abs(input, *, out=None):
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return _out(Unary.apply((input,), _ABS), out)


absolute = abs


def _away_from_ties(dtype):
    yield SampleInput(T(3, 4, values=[[-1.7, -0.4, 0.3, 2.6], [1.2, -2.2, 0.8, -0.9],
                                       [3.1, -3.3, 0.1, 5.4]]))
    yield SampleInput(T(values=1.3))


register(OpInfo("abs", abs, _away_from_ties, method=True, inplace="abs_",
                operators=("__abs__",), dtypes=INT_FLOAT))
register(OpInfo("absolute", absolute, _away_from_ties, method=True))


def sign(input, *, out=None):
    refuse_complex("Unlike NumPy, torch.sign is not intended to support complex numbers. Please "
                   "use torch.sgn instead.", input)
    if input._data.dtype.kind == "b":
        return input.clone()
    return _out(Unary.apply((input,), _SIGN), out)


def _sign_samples(dtype):
    yield from _unary_samples()(dtype)
    yield SampleInput(T(5, values=[float("nan"), -0.0, 0.0, -float("inf"), float("inf")]),
                      name="edge: NaN, zeros, inf")


register(OpInfo("sign", sign, _sign_samples, method=True, inplace="sign_", dtypes=ALL))


def sgn(input, *, out=None):
    """The sign of each element: ``z / |z|`` for complex ``z`` (0 at 0); for real tensors,
    :func:`sign`."""
    if input._data.dtype.kind == "c":
        from ember.ops.indexing import where

        magnitude = abs(input)
        return _out(where(magnitude == 0, 0, input / where(magnitude == 0, 1, magnitude)), out)
    return _out(sign(input), out)


# torch's sgn returns its zero gradient as a ZeroTensor, which has no NumPy form; for real
# tensors sgn is sign, whose gradient is an ordinary zero tensor, so the oracle is sign.
register(OpInfo("sgn", sgn, _unary_samples(-2.0, 2.0), method=True, inplace="sgn_", dtypes=ALL,
                ref=lambda torch, *args, **kwargs: torch.sign(*args, **kwargs)))


def square(input, *, out=None):
    if input._data.dtype.kind == "b":
        input = cast(input, _dtype.int64)
    return _out(Unary.apply((input,), _SQUARE), out)


register(OpInfo("square", square, _unary_samples(), method=True, inplace="square_",
                dtypes=INT_FLOAT))


def frac(input, *, out=None):
    check_dtype("frac_cpu", input)
    return _out(Unary.apply((input,), _FRAC), out)


register(OpInfo("frac", frac, _unary_samples(-3.0, 3.0),
                dtype_errors("frac_cpu", ("int64", "uint8", "bool")), method=True,
                inplace="frac_"))


class Rounding(Node):
    """floor, ceil, round, trunc: piecewise constant, gradient zero."""

    def forward(ctx, a, fn, decimals=0):
        if decimals:
            return fn(a, decimals)
        return fn(a)

    def backward(ctx, g):
        return g * 0

    @staticmethod
    def onnx(call):
        fn, decimals = call.params[0], (call.params[1:] or (0,))[0]
        g, (x,) = call.g, call.operands()
        if fn is np.trunc:
            return g.trunc(x)
        op = {np.floor: "Floor", np.ceil: "Ceil", np.round: "Round", np.rint: "Round"}.get(fn)
        if op is None:
            call.fail("rounding with %s" % getattr(fn, "__name__", fn))
        if not decimals:
            return g.op(op, x)
        s = call.scalar(10.0 ** decimals)
        return g.op("Div", g.op(op, g.op("Mul", x, s)), s)


def round(input, *, decimals=0, out=None):
    """Round half to even, as torch (and NumPy) do; ``decimals`` as torch's."""
    refuse_complex('"round_cpu" not implemented for \'%s\'' if decimals
                   else '"round_vml_cpu" not implemented for \'%s\'', input)
    if input._data.dtype.kind in "iub":
        if decimals:
            check_dtype("round_cpu", input)
        check_dtype("round_vml_cpu", input, kinds="iu")
        return _out(input.clone(), out)
    return _out(Rounding.apply((input,), np.round, decimals), out)


def _round_samples(dtype):
    yield from _away_from_ties(dtype)
    yield SampleInput(T(values=[0.123, 1.571, 2.449, -0.333, 1.212, 3.14159]), decimals=1)


register(OpInfo("round", round, _round_samples, dtype_errors("round_vml_cpu", ("bool",)),
                method=True, inplace="round_", dtypes=INT_FLOAT))


def _rounding(np_fn, name):
    kernel = "%s_vml_cpu" % ("trunc" if name == "fix" else name)
    complex_error = "%s is not supported for complex inputs" % ("trunc" if name == "fix" else name)

    def op(input, *, out=None):
        refuse_complex(complex_error, input)
        if input._data.dtype.kind in "iub":
            check_dtype(kernel, input, kinds="iu")
            return _out(input.clone(), out)
        return _out(Rounding.apply((input,), np_fn), out)

    op.__name__ = op.__qualname__ = name
    return op


floor = _rounding(np.floor, "floor")
ceil = _rounding(np.ceil, "ceil")
trunc = fix = _rounding(np.trunc, "trunc")
for _name, _fn in (("floor", floor), ("ceil", ceil), ("trunc", trunc), ("fix", fix)):
    register(OpInfo(_name, _fn, _away_from_ties,
                    dtype_errors("%s_vml_cpu" % ("trunc" if _name == "fix" else _name),
                                  ("bool",)),
                    method=True, inplace=_name + "_", dtypes=INT_FLOAT))


class NanToNum(Node):
    save = (0,)

    def forward(ctx, a, nan, posinf, neginf):
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        from ember.ops.comparison import isfinite

        return g * isfinite(a)

    @staticmethod
    def onnx(call):
        g, (x,) = call.g, call.operands()
        nan, posinf, neginf = call.params
        info = np.finfo(call.outs[0].dtype)
        x = g.op("Where", g.op("IsNaN", x), call.scalar(0.0 if nan is None else nan), x)
        x = g.op("Where", g.op("IsInf", x, detect_negative=0),
                 call.scalar(info.max if posinf is None else posinf), x)
        return g.op("Where", g.op("IsInf", x, detect_positive=0),
                    call.scalar(info.min if neginf is None else neginf), x)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    if not input.is_floating_point():
        return _out(input.clone(), out)
    if input.dtype.name == "bfloat16":
        # the kernel runs in float32, whose limits round to bfloat16's infinities
        big = float(np.finfo(input._data.dtype).max)
        posinf = big if posinf is None else posinf
        neginf = -big if neginf is None else neginf
    return _out(NanToNum.apply((input,), nan, posinf, neginf), out)


def _nan_samples(dtype):
    yield SampleInput(T(values=[1.0, float("nan"), float("inf"), -float("inf"), -2.0]))
    yield SampleInput(T(values=[1.0, float("nan"), float("inf")]), nan=2.0, posinf=9.0)


register(OpInfo("nan_to_num", nan_to_num, _nan_samples, method=True, inplace="nan_to_num_",
                gradgrad=True))


def deg2rad(input, *, out=None):
    """Degrees to radians."""
    refuse_complex("deg2rad is not supported for complex tensors.", input, error=RuntimeError)
    return _out(to_float(input) * (math.pi / 180.0), out)


register(OpInfo("deg2rad", deg2rad, _unary_samples(-200.0, 200.0), method=True,
                inplace="deg2rad_", dtypes=INT_FLOAT))


def rad2deg(input, *, out=None):
    """Radians to degrees."""
    refuse_complex("rad2deg is not supported for complex tensors.", input, error=RuntimeError)
    return _out(to_float(input) * (180.0 / math.pi), out)


register(OpInfo("rad2deg", rad2deg, _unary_samples(-4.0, 4.0), method=True, inplace="rad2deg_",
                dtypes=INT_FLOAT, atol=1e-4))
