"""Comparisons, logic and arg-reductions: public ops that compute outside ``Node.apply``, so the
tracer wraps their functions (``PUBLIC_LOWERINGS``) while it runs."""
import numpy as np

from ember._tensor import Tensor
from ember.onnx._trace import lowers_public

_COMPARE = {"eq": "Equal", "ne": "Equal", "lt": "Less", "le": "LessOrEqual", "gt": "Greater",
            "ge": "GreaterOrEqual"}


def _common(call, a, b):
    """Both operands in the dtype ember compares them in (a Python number takes the tensor's
    dtype unless it is a float compared with an integer tensor)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        dt = np.result_type(a._data.dtype, b._data.dtype)
    else:
        t, n = (a, b) if isinstance(a, Tensor) else (b, a)
        dt = t._data.dtype
        if isinstance(n, float) and dt.kind != "f":
            dt = np.dtype(np.float32)
    return call.value(a, dt), call.value(b, dt)


@lowers_public(*_COMPARE)
def _compare(call):
    a, b = call.params[:2]
    name = call.op
    x, y = _common(call, a, b)
    out = call.g.op(_COMPARE[name], x, y)
    return call.g.op("Not", out) if name == "ne" else out


@lowers_public("logical_and", "logical_or", "logical_xor")
def _logical(call):
    a, b = call.params[:2]
    op = {"logical_and": "And", "logical_or": "Or", "logical_xor": "Xor"}[call.op]
    return call.g.op(op, *[call.value(v, np.bool_) for v in (a, b)])


@lowers_public("bitwise_and", "bitwise_or", "bitwise_xor")
def _bitwise(call):
    a, b = call.params[:2]
    dt = np.result_type(*[v._data.dtype if isinstance(v, Tensor) else np.asarray(v).dtype
                          for v in (a, b)])
    op = call.op.split("_")[1].capitalize()
    if dt != np.bool_:
        if call.g.opset < 18:
            call.fail("bitwise ops on integers need opset 18 or later")
        op = "Bitwise" + op
    return call.g.op(op, call.value(a, dt), call.value(b, dt))


@lowers_public("bitwise_not")
def _bitwise_not(call):
    a = call.params[0]
    if a._data.dtype == np.bool_:
        return call.g.op("Not", call.value(a))
    if call.g.opset < 18:
        call.fail("bitwise ops on integers need opset 18 or later")
    return call.g.op("BitwiseNot", call.value(a))


@lowers_public("logical_not")
def _logical_not(call):
    return call.g.op("Not", call.value(call.params[0], np.bool_))


@lowers_public("isnan")
def _isnan(call):
    return call.g.op("IsNaN", call.value(call.params[0]))


@lowers_public("isinf")
def _isinf(call):
    return call.g.op("IsInf", call.value(call.params[0]))


def _dim_args(call):
    args = list(call.params[1:]) + [None, False]
    dim = call.kwparams.get("dim", args[0])
    keepdim = call.kwparams.get("keepdim", args[1])
    return dim, bool(keepdim)


@lowers_public("argmax", "argmin")
def _argmax(call):
    g = call.g
    x = call.value(call.params[0])
    dim, keepdim = _dim_args(call)
    op = "ArgMax" if call.op == "argmax" else "ArgMin"
    if dim is None:
        flat = g.op("Reshape", x, g.ints([-1]))
        out = g.op(op, flat, axis=0, keepdims=0, select_last_index=0)
        return g.op("Reshape", out, g.ints([1] * call.arrays[0].ndim)) if keepdim else out
    dim = int(dim) % max(call.arrays[0].ndim, 1)
    return g.op(op, x, axis=dim, keepdims=int(keepdim))


@lowers_public("max", "min")
def _max_min(call):
    g = call.g
    x = call.value(call.params[0])
    other = call.kwparams.get("other")
    if other is None and len(call.params) > 1 and isinstance(call.params[1], Tensor):
        other = call.params[1]
    reduce = "ReduceMax" if call.op == "max" else "ReduceMin"
    if other is not None:
        return g.op("Max" if call.op == "max" else "Min", x, call.value(other,
                                                                      call.outs[0].dtype))
    dim, keepdim = _dim_args(call)
    if dim is None:
        return g.reduce(reduce, x, None, False)
    dim = int(dim) % max(call.arrays[0].ndim, 1)
    values = g.reduce(reduce, x, [dim], keepdim)
    indices = g.op("ArgMax" if call.op == "max" else "ArgMin", x, axis=dim,
                   keepdims=int(keepdim))
    return [values, indices]
