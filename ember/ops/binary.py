"""Two-input elementwise math: atan2, hypot, copysign, logaddexp/logaddexp2 and heaviside.

Operands broadcast; gradients are reduced back to each input's shape with ``sum_to_shape``.
"""
import math

from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops._util import binary_operands, check_broadcast, no_derivative, sum_to_shape, to_float
from ember.ops.arithmetic import _binary_apply, _nonzero_binary_samples, _out, _require_tensors
from ember.ops.registry import INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.unary import sigmoid


class Atan2(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return np.arctan2(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        denom = a * a + b * b
        # torch zeroes the gradient where 1 / denom is inf (atan2(0, 0) has slope 0, not NaN)
        zero = denom == 0
        recip = (~zero) / (denom + zero)
        return sum_to_shape(g * b * recip, sa), sum_to_shape(-g * a * recip, sb)

    @staticmethod
    def onnx(call):
        # atan(y / x), shifted by +-pi where x < 0
        g, (y, x) = call.g, call.operands()
        pi, zero = call.scalar(math.pi), call.scalar(0)
        shift = g.op("Where", g.op("Less", y, zero), g.op("Neg", pi), pi)
        return g.op("Add", g.op("Atan", g.op("Div", y, x)),
                    g.op("Where", g.op("Less", x, zero), shift, zero))


def atan2(input, other, *, out=None):
    _require_tensors("atan2", input, other)
    a, b = binary_operands(input, other)
    return _out(_binary_apply(Atan2, to_float(a), to_float(b)), out)


arctan2 = atan2


def _nonzero_tensor_samples(dtype):
    for s in _nonzero_binary_samples(dtype):
        if all(not isinstance(a, (int, float)) for a in s.args):
            yield s


def _atan2_samples(dtype):
    yield from _nonzero_tensor_samples(dtype)
    yield SampleInput(T(3, values=[0.0, -0.0, 1.0]), T(3, values=[0.0, 0.0, 0.0]),
                      name="edge: origin")


register(OpInfo("atan2", atan2, _atan2_samples, method=True, inplace="atan2_"))


register(OpInfo("arctan2", arctan2, _nonzero_tensor_samples, method=True))


def _require_tensor(name, other, arg="other"):
    if not isinstance(other, Tensor):
        raise TypeError("%s(): argument '%s' (position 2) must be Tensor, not %s"
                        % (name, arg, type(other).__name__))


def _binary(node, a, b):
    if a._data.shape != b._data.shape:
        check_broadcast(a._data, b._data)
    return node.apply((a, b))


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

    @staticmethod
    def onnx(call):
        g, (a, b) = call.g, call.operands()
        return g.op("Sqrt", g.op("Add", g.op("Mul", a, a), g.op("Mul", b, b)))


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)`` without overflow or underflow in the squares."""
    _require_tensor("hypot", other)
    return _out(_binary(Hypot, *binary_operands(input, other)), out)


def _ranged_binary_samples(low=-2.0, high=2.0):
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


def _tensor_other_errors(name):
    def errors():
        yield ErrorInput(SampleInput(T(3), 2.0), TypeError, r"%s\(\): argument 'other'" % name)
        yield ErrorInput(SampleInput(T(2, 3), T(4)), RuntimeError,
                         r"size of tensor a \(3\) must match the size of tensor b \(4\)")

    return errors


register(OpInfo("hypot", hypot, _ranged_binary_samples(), _tensor_other_errors("hypot"),
                method=True, inplace="hypot_"))


def _float_operands(input, other):
    """Both operands promoted to a common dtype, integers to the default float."""
    a, b = binary_operands(input, other)
    return to_float(a), to_float(b)


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


def _copysign_samples(dtype):
    yield from _ranged_binary_samples()(dtype)
    yield SampleInput(T(values=[1.5, -2.0, 0.5, -0.25]),
                      T(values=[-0.0, 0.0, -1.0, 2.0], grad=False), name="signed zeros")
    yield SampleInput(T(3, 4), -1.0, name="scalar other")


register(OpInfo("copysign", copysign, _copysign_samples, method=True, inplace="copysign_",
                dtypes=INT_FLOAT))


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
        ga = g * sigmoid((a - b) * scale)
        gb = g * sigmoid((b - a) * scale)
        return sum_to_shape(ga, sa), sum_to_shape(gb, sb)

    def name(self):
        return "LogAddExp2Backward0" if self.base2 else "LogAddExpBackward0"

    @staticmethod
    def onnx(call):
        g, (a, b) = call.g, call.operands()
        if call.params[0]:  # logaddexp2: in natural-log units, and back
            a, b = (g.op("Mul", v, call.scalar(math.log(2))) for v in (a, b))
        m = g.op("Max", a, b)
        s = g.op("Add", g.op("Exp", g.op("Sub", a, m)), g.op("Exp", g.op("Sub", b, m)))
        out = g.op("Add", m, g.op("Log", s))
        return g.op("Div", out, call.scalar(math.log(2))) if call.params[0] else out


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))``, computed without overflow."""
    _require_tensor("logaddexp", other)
    a, b = binary_operands(input, other)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data, b._data)
    return _out(LogAddExp.apply((a, b), False), out)


register(OpInfo("logaddexp", logaddexp, _ranged_binary_samples(-3.0, 3.0),
                _tensor_other_errors("logaddexp"), method=True))


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)``, computed without overflow."""
    _require_tensor("logaddexp2", other)
    a, b = binary_operands(input, other)
    if a._data.shape != b._data.shape:
        check_broadcast(a._data, b._data)
    return _out(LogAddExp.apply((a, b), True), out)


register(OpInfo("logaddexp2", logaddexp2, _ranged_binary_samples(-3.0, 3.0),
                _tensor_other_errors("logaddexp2"), method=True))


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
    return _out(no_derivative("heaviside", np.asarray(res, dtype=a.dtype), input, values), out)


def _heaviside_samples(dtype):
    yield SampleInput(T(values=[-1.5, 0.0, 2.0, 0.0]), T(values=[0.5, 0.25, 0.75, 2.0]))
    yield SampleInput(T(values=[[-1.0, 0.0, 3.0], [0.0, 2.0, -2.0]]), T(values=0.5),
                      name="0-d values")
    yield SampleInput(T(values=[[-1.0, 0.0, 3.0], [0.0, 2.0, -2.0]]), T(values=[0.1, 0.2, 0.3]),
                      name="broadcast")


def _heaviside_errors():
    yield ErrorInput(SampleInput(T(3), 0.5), TypeError, "must be Tensor")
    yield ErrorInput(SampleInput(T(3), T(3, dtype="float64")), RuntimeError, "different dtypes")


register(OpInfo("heaviside", heaviside, _heaviside_samples, _heaviside_errors, method=True,
                inplace="heaviside_", grad=False))
