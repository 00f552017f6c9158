"""Elementwise math: arithmetic, unary functions, clamps, where, casts."""
import math

import numpy as np

from ember.ops import arithmetic as A
from ember.ops import indexing as I
from ember.ops import special as SP
from ember.ops import unary as U
from ember.ops.nn import activation as ACT
from ember.onnx._trace import lowers


def operands(call):
    """The inputs, cast to the output's dtype where the trace shows another (ember promotes
    operand dtypes before its kernels; ONNX wants them equal)."""
    dt = call.outs[0].dtype
    return [x if a.dtype == dt else call.g.cast(x, dt)
            for x, a in zip(call.inputs, call.arrays)]


def scalar(call, value, dtype=None):
    return call.g.const(np.asarray(value, dtype=dtype or call.outs[0].dtype))


_SIMPLE = {A.Neg: "Neg", ACT.Relu: "Relu"}


@lowers(*_SIMPLE)
def _simple(call):
    return call.g.op(_SIMPLE[call.op_class], *operands(call))


# The lines of the one-input table (ember.ops.unary) by name: an ONNX operator, or a function
# of (graph, x, call) composing several.
_TABLE = {name: name.capitalize() for name in (
    "abs", "acos", "asin", "atan", "cos", "cosh", "erf", "exp", "log", "reciprocal", "sigmoid",
    "sign", "sin", "sinh", "sqrt", "tan", "tanh")}
_TABLE.update({
    "square": lambda g, x, c: g.op("Mul", x, x),
    "rsqrt": lambda g, x, c: g.op("Reciprocal", g.op("Sqrt", x)),
    "log1p": lambda g, x, c: g.op("Log", g.op("Add", x, scalar(c, 1))),
    "expm1": lambda g, x, c: g.op("Sub", g.op("Exp", x), scalar(c, 1)),
    "exp2": lambda g, x, c: g.op("Pow", scalar(c, 2), x),
    "log2": lambda g, x, c: g.op("Div", g.op("Log", x), scalar(c, math.log(2))),
    "log10": lambda g, x, c: g.op("Div", g.op("Log", x), scalar(c, math.log(10))),
    "erfc": lambda g, x, c: g.op("Sub", scalar(c, 1), g.op("Erf", x)),
    "frac": lambda g, x, c: g.op("Sub", x, _trunc(g, x)),
    "sinc": lambda g, x, c: _sinc(g, x, c),
})


def _trunc(g, x):
    return g.op("Mul", g.op("Sign", x), g.op("Floor", g.op("Abs", x)))


def _sinc(g, x, c):
    pix = g.op("Mul", x, scalar(c, math.pi))
    zero = g.op("Equal", x, scalar(c, 0))
    safe = g.op("Where", zero, scalar(c, 1), pix)
    return g.op("Where", zero, scalar(c, 1), g.op("Div", g.op("Sin", safe), safe))


@lowers(U.Unary)
def _unary(call):
    line = call.params[0]
    how = _TABLE.get(line.name)
    if how is None:
        call.fail("%s has no ONNX form" % line.name)
    (x,) = operands(call)
    return call.g.op(how, x) if isinstance(how, str) else how(call.g, x, call)


_BINARY = {A.Mul: "Mul", A.Div: "Div", A.Maximum: "Max", A.Minimum: "Min", A.Pow: "Pow"}


@lowers(*_BINARY)
def _binary(call):
    if call.op_class is A.Pow:
        a = operands(call)[0]
        return call.g.op("Pow", a, call.inputs[1])
    return call.g.op(_BINARY[call.op_class], *operands(call))


@lowers(A.Add, A.Sub)
def _add_sub(call):
    a, b = operands(call)
    alpha = call.params[0] if call.params else 1
    if alpha != 1:
        b = call.g.op("Mul", b, scalar(call, alpha))
    return call.g.op("Add" if call.op_class is A.Add else "Sub", a, b)


@lowers(A.AddScalar, A.MulScalar)
def _scalar_op(call):
    (x,) = operands(call)
    return call.g.op("Add" if call.op_class is A.AddScalar else "Mul", x,
                     scalar(call, call.params[0]))


@lowers(A.SubScalar, A.DivScalar)
def _scalar_sub_div(call):
    (x,) = operands(call)
    s, reverse = call.params
    s = scalar(call, s)
    op = "Sub" if call.op_class is A.SubScalar else "Div"
    return call.g.op(op, s, x) if reverse else call.g.op(op, x, s)


@lowers(ACT.LogSigmoid)
def _log_sigmoid(call):
    # -softplus(-x), stable for large |x|
    g, (x,) = call.g, operands(call)
    return g.op("Neg", g.op("Softplus", g.op("Neg", x)))


@lowers(A.Clamp)
def _clamp(call):
    (x,) = operands(call)
    lo, hi = call.params
    return call.g.op("Clip", x, None if lo is None else scalar(call, lo),
                     None if hi is None else scalar(call, hi))


@lowers(A.ClampTensor)
def _clamp_tensor(call):
    g, ops = call.g, operands(call)
    x = ops[0]
    if call.arrays[1] is not None:
        x = g.op("Max", x, ops[1])
    if len(ops) > 2:
        x = g.op("Min", x, ops[2])
    return x


@lowers(I.Where)
def _where(call):
    g, dt = call.g, call.outs[0].dtype
    cond = call.inputs[0]
    if call.arrays[0].dtype != np.bool_:
        cond = g.cast(cond, np.bool_)
    a, b = [x if arr.dtype == dt else g.cast(x, dt)
            for x, arr in zip(call.inputs[1:], call.arrays[1:])]
    return g.op("Where", cond, a, b)


@lowers(A.ToCopy)
def _to_copy(call):
    return call.g.cast(call.inputs[0], call.outs[0].dtype)


@lowers(U.Rounding)
def _rounding(call):
    fn = call.params[0]
    decimals = call.params[1] if len(call.params) > 1 else 0
    names = {np.floor: "Floor", np.ceil: "Ceil", np.round: "Round", np.rint: "Round"}
    g, (x,) = call.g, operands(call)
    if fn is np.trunc:
        return _trunc(g, x)
    if fn not in names:
        call.fail("rounding with %s" % getattr(fn, "__name__", fn))
    if decimals:
        s = scalar(call, 10.0 ** decimals)
        return g.op("Div", g.op(names[fn], g.op("Mul", x, s)), s)
    return g.op(names[fn], x)


@lowers(A.RoundedDiv)
def _rounded_div(call):
    g = call.g
    a, b = call.inputs
    dt = call.outs[0].dtype
    mode = call.params[0]
    if dt.kind == "f":
        q = g.op("Div", *operands(call))
        if mode == "floor":
            return g.op("Floor", q)
        return g.op("Mul", g.op("Sign", q), g.op("Floor", g.op("Abs", q)))
    call.fail("integer division with rounding_mode=%r" % mode)


@lowers(A.Remainder, A.Fmod)
def _remainder(call):
    g, (a, b) = call.g, operands(call)
    if call.op_class is A.Fmod:
        return g.op("Mod", a, b, fmod=1)
    if call.outs[0].dtype.kind != "f":
        return g.op("Mod", a, b, fmod=0)
    # Python's remainder (the sign of the divisor): a - floor(a / b) * b
    return g.op("Sub", a, g.op("Mul", g.op("Floor", g.op("Div", a, b)), b))


@lowers(A.Atan2)
def _atan2(call):
    # atan(y/x) corrected by quadrant
    g = call.g
    y, x = operands(call)
    base = g.op("Atan", g.op("Div", y, x))
    pi = scalar(call, math.pi)
    zero = scalar(call, 0)
    x_neg = g.op("Less", x, zero)
    y_neg = g.op("Less", y, zero)
    shift = g.op("Where", y_neg, g.op("Neg", pi), pi)
    return g.op("Add", base, g.op("Where", x_neg, shift, zero))


@lowers(A.Lerp)
def _lerp(call):
    g = call.g
    a, b, w = operands(call)
    return g.op("Add", a, g.op("Mul", w, g.op("Sub", b, a)))


@lowers(A.Addcmul, A.Addcdiv)
def _addc(call):
    g = call.g
    a, t1, t2 = operands(call)
    prod = g.op("Mul" if call.op_class is A.Addcmul else "Div", t1, t2)
    value = call.params[0]
    if value != 1:
        prod = g.op("Mul", prod, scalar(call, value))
    return g.op("Add", a, prod)


@lowers(U.NanToNum)
def _nan_to_num(call):
    g, (x,) = call.g, operands(call)
    nan, posinf, neginf = call.params
    info = np.finfo(call.outs[0].dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    x = g.op("Where", g.op("IsNaN", x), scalar(call, 0.0 if nan is None else nan), x)
    x = g.op("Where", g.op("IsInf", x, detect_negative=0), scalar(call, posinf), x)
    return g.op("Where", g.op("IsInf", x, detect_positive=0), scalar(call, neginf), x)


@lowers(A.Hypot)
def _hypot(call):
    g, (a, b) = call.g, operands(call)
    return g.op("Sqrt", g.op("Add", g.op("Mul", a, a), g.op("Mul", b, b)))


@lowers(A.LogAddExp)
def _logaddexp(call):
    g, (a, b) = call.g, operands(call)
    base2 = call.params[0]
    if base2:
        ln2 = scalar(call, math.log(2))
        a, b = g.op("Mul", a, ln2), g.op("Mul", b, ln2)
    m = g.op("Max", a, b)
    s = g.op("Add", g.op("Exp", g.op("Sub", a, m)), g.op("Exp", g.op("Sub", b, m)))
    out = g.op("Add", m, g.op("Log", s))
    return g.op("Div", out, ln2) if base2 else out


@lowers(SP.Xlogy)
def _xlogy(call):
    g, (x, y) = call.g, operands(call)
    zero = scalar(call, 0)
    prod = g.op("Mul", x, g.op("Log", y))
    return g.op("Where", g.op("Equal", x, zero), zero, prod)
