"""Two-input elementwise math: atan2, hypot, copysign, logaddexp/logaddexp2 (and maximum/minimum
in ``comparison.py``) as a table, and heaviside.

Each table line names the op, its NumPy kernel, what its backward keeps (``a``, ``b``, the output
``y``), one gradient per input written with ember ops, how the operands are prepared (the checks
and promotion torch does) and its ONNX form. One Node class, ``Binary``, runs every line; the
gradients are reduced back to each input's shape with ``sum_to_shape``.
"""
import math

from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.ops._util import (binary_operands, check_broadcast, check_dtype, no_derivative,
                             sum_to_shape, to_float)
from ember.ops.arithmetic import _binary_apply, _nonzero_binary_samples, _out, _require_tensors
from ember.ops.registry import (INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, dtype_errors,
                                register)
from ember.ops.unary import TableNode, sigmoid


class BinaryOp:
    """One line of the table: ``kernel(a, b)`` on arrays; ``grad_a(g, a, b, y)`` and
    ``grad_b(g, a, b, y)`` with ember ops, where ``a``, ``b`` and the output ``y`` are given when
    ``keeps`` names them (else None); ``operands(name, input, other)`` checks and promotes the
    public function's arguments."""

    __slots__ = ("name", "kernel", "keeps", "grad_a", "grad_b", "operands", "node_name", "onnx")

    def __init__(self, name, kernel, keeps, grad_a, grad_b, operands, node_name=None, onnx=None):
        self.name, self.kernel, self.keeps = name, kernel, keeps
        self.grad_a, self.grad_b, self.operands = grad_a, grad_b, operands
        self.onnx = onnx  # the ONNX form: an operator name, or ``f(call, a, b)`` (ember.onnx)
        self.node_name = (node_name or name[0].upper() + name[1:]) + "Backward0"


class Binary(TableNode):
    """The Node of every table op; the table line is its one parameter."""

    def forward(ctx, a, b, op):
        ctx.op, ctx.shapes = op, (a.shape, b.shape)
        ctx.save = tuple(i for i, v in enumerate("ab") if v in op.keeps)
        ctx.save_output = "y" in op.keeps
        return op.kernel(a, b)

    def backward(ctx, g):
        op, (sa, sb) = ctx.op, ctx.shapes
        kept = dict(zip([v for v in "aby" if v in op.keeps], ctx.saved_tensors))
        a, b, y = kept.get("a"), kept.get("b"), kept.get("y")
        need = ctx.needs_input_grad
        ga = sum_to_shape(op.grad_a(g, a, b, y), sa) if need[0] else None
        gb = sum_to_shape(op.grad_b(g, a, b, y), sb) if need[1] else None
        return ga, gb


def table_op(name, kernel, keeps, grad_a, grad_b, operands, node_name=None, onnx=None):
    """The public function of the table op ``name`` (its registry record is the caller's)."""
    op = BinaryOp(name, kernel, keeps, grad_a, grad_b, operands, node_name, onnx)

    def fn(input, other, *, out=None):
        a, b = operands(name, input, other)
        return _out(_binary_apply(Binary, a, b, op), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


# How a line's operands are checked and promoted (torch's argument checks differ per op).
def _require_tensor(name, other, arg="other"):
    if not isinstance(other, Tensor):
        raise TypeError("%s(): argument '%s' (position 2) must be Tensor, not %s"
                        % (name, arg, type(other).__name__))


def _float_operands(input, other):
    """Both operands promoted to a common dtype, integers to the default float."""
    a, b = binary_operands(input, other)
    return to_float(a), to_float(b)


def tensor_operands(name, input, other):
    """Both must be tensors; promoted to a common dtype."""
    _require_tensors(name, input, other)
    return binary_operands(input, other)


def _float_tensor_operands(name, input, other):
    _require_tensors(name, input, other)
    return _float_operands(input, other)


def _tensor_other_operands(name, input, other):
    _require_tensor(name, other)
    return binary_operands(input, other)


def _float_kernel_operands(name, input, other):
    """``other`` must be a tensor; the promoted dtype must be floating (torch's ``<name>_cpu``
    kernel has no integer version)."""
    a, b = _tensor_other_operands(name, input, other)
    check_dtype(name + "_cpu", a)
    return a, b


def float_operands(name, input, other):
    """Tensors or numbers, promoted to a common dtype, integers to the default float."""
    return _float_operands(input, other)


# --- gradients and ONNX forms that take more than a line -----------------------------------------

def _atan2_recip(a, b):
    # torch zeroes the gradient where 1 / denom is inf (atan2(0, 0) has slope 0, not NaN)
    denom = a * a + b * b
    zero = denom == 0
    return (~zero) / (denom + zero)


def _atan2_onnx(call, y, x):
    # atan(y / x), shifted by +-pi where x < 0
    g = call.g
    pi, zero = call.scalar(math.pi), call.scalar(0)
    shift = g.op("Where", g.op("Less", y, zero), g.op("Neg", pi), pi)
    return g.op("Add", g.op("Atan", g.op("Div", y, x)),
                g.op("Where", g.op("Less", x, zero), shift, zero))


def _hypot_onnx(call, a, b):
    g = call.g
    return g.op("Sqrt", g.op("Add", g.op("Mul", a, a), g.op("Mul", b, b)))


def _copysign_flip(g, a, y):
    # The gradient is +-1 (0 where a is 0): whether the sign was flipped.
    a, y = a._data, y._data
    flip = np.where(a == 0, 0, np.where(np.signbit(a) == np.signbit(y), 1, -1))
    return g * _make(flip.astype(g._data.dtype))


def _logaddexp_onnx(base2):
    def lowering(call, a, b):
        g = call.g
        if base2:  # logaddexp2: in natural-log units, and back
            a, b = (g.op("Mul", v, call.scalar(math.log(2))) for v in (a, b))
        m = g.op("Max", a, b)
        s = g.op("Add", g.op("Exp", g.op("Sub", a, m)), g.op("Exp", g.op("Sub", b, m)))
        out = g.op("Add", m, g.op("Log", s))
        return g.op("Div", out, call.scalar(math.log(2))) if base2 else out

    return lowering


_LN2 = math.log(2.0)

# name, kernel, keeps, d/da, d/db, operands
atan2 = table_op("atan2", np.arctan2, "ab",
                 lambda g, a, b, y: g * b * _atan2_recip(a, b),
                 lambda g, a, b, y: -g * a * _atan2_recip(a, b),
                 lambda name, input, other: _float_kernel_operands(
                     name, *_float_tensor_operands(name, input, other)),
                 onnx=_atan2_onnx)
hypot = table_op("hypot", np.hypot, "aby",
                 lambda g, a, b, y: g * a / y,
                 lambda g, a, b, y: g * b / y,
                 _float_kernel_operands, onnx=_hypot_onnx)
copysign = table_op("copysign", np.copysign, "ay",
                    lambda g, a, b, y: _copysign_flip(g, a, y),
                    # the result does not change with other's magnitude: a zero gradient, as torch
                    lambda g, a, b, y: g * 0,
                    float_operands)
# d/da log(exp(a) + exp(b)) = sigmoid(a - b) (base 2: scaled by log 2 inside)
logaddexp = table_op("logaddexp", np.logaddexp, "ab",
                     lambda g, a, b, y: g * sigmoid(a - b),
                     lambda g, a, b, y: g * sigmoid(b - a),
                     _float_kernel_operands, node_name="LogAddExp", onnx=_logaddexp_onnx(False))
logaddexp2 = table_op("logaddexp2", np.logaddexp2, "ab",
                      lambda g, a, b, y: g * sigmoid((a - b) * _LN2),
                      lambda g, a, b, y: g * sigmoid((b - a) * _LN2),
                      _float_kernel_operands, node_name="LogAddExp2",
                      onnx=_logaddexp_onnx(True))
arctan2 = atan2
atan2.__doc__ = "Elementwise ``atan2(input, other)``: the angle of the point (other, input)."
hypot.__doc__ = "``sqrt(input**2 + other**2)`` without overflow or underflow in the squares."
copysign.__doc__ = ("``input``'s magnitude with ``other``'s sign (the sign bit, so -0.0 counts "
                    "negative).")
logaddexp.__doc__ = "``log(exp(input) + exp(other))``, computed without overflow."
logaddexp2.__doc__ = "``log2(2**input + 2**other)``, computed without overflow."


def _nonzero_tensor_samples(dtype):
    for s in _nonzero_binary_samples(dtype):
        if all(not isinstance(a, (int, float)) for a in s.args):
            yield s


def _atan2_samples(dtype):
    yield from _nonzero_tensor_samples(dtype)
    yield SampleInput(T(3, values=[0.0, -0.0, 1.0]), T(3, values=[0.0, 0.0, 0.0]),
                      name="edge: origin")


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

    return dtype_errors(name + "_cpu", ("int64", "uint8", "bool"),
                        lambda dt: SampleInput(T(3, dtype=dt), T(3, dtype=dt)), errors)


def _copysign_samples(dtype):
    yield from _ranged_binary_samples()(dtype)
    yield SampleInput(T(values=[1.5, -2.0, 0.5, -0.25]),
                      T(values=[-0.0, 0.0, -1.0, 2.0], grad=False), name="signed zeros")
    yield SampleInput(T(3, 4), -1.0, name="scalar other")


register(OpInfo("atan2", atan2, _atan2_samples, method=True, inplace="atan2_"))
register(OpInfo("arctan2", arctan2, _nonzero_tensor_samples, method=True))
register(OpInfo("hypot", hypot, _ranged_binary_samples(), _tensor_other_errors("hypot"),
                method=True, inplace="hypot_"))
register(OpInfo("copysign", copysign, _copysign_samples, method=True, inplace="copysign_",
                dtypes=INT_FLOAT))
register(OpInfo("logaddexp", logaddexp, _ranged_binary_samples(-3.0, 3.0),
                _tensor_other_errors("logaddexp"), method=True))
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
    return _out(no_derivative("heaviside", array_module(a).asarray(res, dtype=a.dtype),
                                   input, values), out)


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
