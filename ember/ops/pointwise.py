"""Pointwise ops of three inputs: lerp, addcmul and addcdiv (torch's PointwiseOps and Lerp).

Operands broadcast; gradients are reduced back to each input's shape with ``sum_to_shape``.
"""
from ember import _dtype
from ember.autograd.function import Node
from ember._tensor import Tensor
from ember.ops._util import as_tensor_operand, cast, check_dtype, sum_to_shape
from ember.ops.arithmetic import _out
from ember.ops.registry import OpInfo, SampleInput, T, dtype_errors, register


class Lerp(Node):
    save = (0, 1, 2)

    def forward(ctx, start, end, weight):
        ctx.shapes = (start.shape, end.shape, weight.shape)
        return start + weight * (end - start)

    def backward(ctx, g):
        s, e, w = ctx.saved_tensors
        ss, se, sw = ctx.shapes
        need = ctx.needs_input_grad
        return (sum_to_shape(g * (1 - w), ss) if need[0] else None,
                sum_to_shape(g * w, se) if need[1] else None,
                sum_to_shape(g * (e - s), sw) if need[2] else None)

    @staticmethod
    def onnx(call):
        g, (a, b, w) = call.g, call.operands()
        return g.op("Add", a, g.op("Mul", w, g.op("Sub", b, a)))


def lerp(input, end, weight, *, out=None):
    check_dtype("lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar",
                input)
    dt = input.dtype
    w = cast(as_tensor_operand(weight, dt), dt)
    return _out(Lerp.apply((input, cast(end, dt), w)), out)


def _lerp_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4), 0.3)
    yield SampleInput(T(3, 4), T(4), T(3, 1, low=0, high=1))


register(OpInfo("lerp", lerp, _lerp_samples,
                dtype_errors("lerp_kernel_scalar", ("int64", "uint8", "bool"),
                             lambda dt: SampleInput(T(3, dtype=dt), T(3, dtype=dt), 0.3)),
                method=True, inplace="lerp_"))


class Addcmul(Node):
    save = (1, 2)

    def forward(ctx, a, t1, t2, value):
        ctx.shapes, ctx.value = (a.shape, t1.shape, t2.shape), value
        return a + value * (t1 * t2)

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        sa, s1, s2 = ctx.shapes
        v = ctx.value
        return (sum_to_shape(g, sa), sum_to_shape(g * t2 * v, s1), sum_to_shape(g * t1 * v, s2))

    @staticmethod
    def onnx(call):
        g, (a, t1, t2) = call.g, call.operands()
        prod = g.op("Mul", t1, t2)
        value = call.params[0]
        return g.op("Add", a, prod if value == 1 else g.op("Mul", prod, call.scalar(value)))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    dt = _dtype.result_type(input, tensor1, tensor2)
    input, tensor1, tensor2 = cast(input, dt), cast(tensor1, dt), cast(tensor2, dt)
    if not dt.is_floating_point:
        check_dtype("addcmul_cpu_out", input, kinds="iu")
        value = int(value)  # torch converts the scalar to the integer dtype (truncating)
    return _out(Addcmul.apply((input, tensor1, tensor2), value), out)


def _addc_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4), T(3, 4, low=0.5, high=2), value=0.5)
    yield SampleInput(T(4), T(3, 1), T(3, 4, low=0.5, high=2))


def _addcmul_samples(dtype):
    yield from _addc_samples(dtype)
    yield SampleInput(T(3, 4, dtype="int8"), T(3, 4, dtype="int8"), T(3, 4, dtype="int8"),
                      value=2.7, name="integer: value truncated")


register(OpInfo("addcmul", addcmul, _addcmul_samples,
                dtype_errors("addcmul_cpu_out", ("bool",),
                             lambda dt: SampleInput(*(T(3, dtype=dt) for _ in range(3)))),
                method=True, inplace="addcmul_"))


class Addcdiv(Node):
    save = (1, 2)

    def forward(ctx, a, t1, t2, value):
        ctx.shapes, ctx.value = (a.shape, t1.shape, t2.shape), value
        return a + value * (t1 / t2)

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        sa, s1, s2 = ctx.shapes
        v = ctx.value
        return (sum_to_shape(g, sa), sum_to_shape(g * v / t2, s1),
                sum_to_shape(-g * v * t1 / (t2 * t2), s2))

    @staticmethod
    def onnx(call):
        g, (a, t1, t2) = call.g, call.operands()
        quotient = g.op("Div", t1, t2)
        value = call.params[0]
        return g.op("Add", a, quotient if value == 1 else g.op("Mul", quotient,
                                                               call.scalar(value)))


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future release addcdiv will perform a true division of tensor1 and "
                           "tensor2. The historic addcdiv behavior can be implemented as "
                           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
                           "for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    dt = _dtype.result_type(input, tensor1, tensor2)
    return _out(Addcdiv.apply((cast(input, dt), cast(tensor1, dt), cast(tensor2, dt)), value), out)


register(OpInfo("addcdiv", addcdiv, _addc_samples, method=True, inplace="addcdiv_"))
