"""``linear`` and ``bilinear``."""
import math

from ember._parallel import matmul as _matmul
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import cast
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


class Linear(Node):
    """y = x @ W.T + b in one BLAS call; the backward computes grad_x, grad_W and grad_b with
    ember ops (a raw-array path measured at most 1.07x, bench/bench_backward_forks.py)."""

    save = (0, 1)

    def forward(ctx, x, w, b=None):
        ctx.ndim, ctx.has_bias = x.ndim, b is not None
        out = _matmul(x, w.T)
        if b is not None:
            out += b
        return out

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        has_bias = len(need) == 3
        gx = g @ w if need[0] else None
        rows = math.prod(g.shape[:-1])  # not -1: a size may be 0
        g2 = g.reshape(rows, g.shape[-1])
        gw = g2.t() @ x.reshape(rows, x.shape[-1]) if need[1] else None
        if has_bias:
            return gx, gw, (g2.sum(0) if need[2] else None)
        return gx, gw

    @staticmethod
    def onnx(call):
        g, (x, w, *b) = call.g, call.inputs
        if call.arrays[0].ndim == 2:
            return g.op("Gemm", x, w, *b, transB=1)
        y = g.op("MatMul", x, g.op("Transpose", w, perm=[1, 0]))
        return g.op("Add", y, b[0]) if b else y

    def name(self):
        # the node torch's linear ends with: addmm/mm on 2-d input, else a reshape
        if self.ndim == 2:
            return "AddmmBackward0" if self.has_bias else "MmBackward0"
        if self.has_bias:
            return "ViewBackward0"
        return "SqueezeBackward4" if self.ndim == 1 else "UnsafeViewBackward0"


def linear(input, weight, bias=None):
    """Applies the affine map ``y = x A^T + b`` over the last dimension of ``input``.

    Args:
        input (Tensor): the input.
        weight (Tensor): ``A``.
        bias (Tensor, optional): ``b``. Default: ``None``.

    Shape:
        - input: ``(*, in_features)``; weight: ``(out_features, in_features)``;
          bias: ``(out_features)``; output: ``(*, out_features)``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.linear(ember.ones(2, 3), ember.ones(4, 3), ember.tensor([0.0, 1.0, 2.0, 3.0]))
        tensor([[3., 4., 5., 6.],
                [3., 4., 5., 6.]])
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


def _linear_samples(dtype):
    yield SampleInput(T(4, 3), T(5, 3), T(5))
    yield SampleInput(T(2, 3, 3), T(5, 3))
    yield SampleInput(T(3), T(2, 3), T(2))
    yield SampleInput(T(4, 3, noncontig=True), T(5, 3, noncontig=True), T(5))
    yield SampleInput(T(0, 3), T(0, 3), T(0), name="empty batch, no out_features")
    yield SampleInput(T(2, 0, 3), T(4, 3), T(4), name="empty batch")
    yield SampleInput(T(2, 0), T(4, 0), T(4), name="no in_features")


def _linear_errors():
    yield ErrorInput(SampleInput(T(4, 3), T(5, 4)), RuntimeError, "cannot be multiplied")
    yield ErrorInput(SampleInput(T(4, 3), T(5, 3, dtype="float64")), RuntimeError, "same dtype")


register_nn("linear", linear, _linear_samples, _linear_errors)


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
    n = math.prod(lead)  # the sizes are spelled out (no -1): any of them may be 0
    x1 = input1.reshape(n, input1._data.shape[-1])
    x2 = input2.reshape(n, input2._data.shape[-1])
    out_f, in1, in2 = weight._data.shape
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with x2.
    t = (x1 @ weight.permute(1, 0, 2).reshape(in1, out_f * in2)).reshape(n, out_f, in2)
    y = (t @ x2.unsqueeze(-1)).reshape(n, out_f)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out_f,))


def _bilinear_samples(dtype):
    yield SampleInput(T(3, 2), T(3, 4), T(5, 2, 4), T(5))
    yield SampleInput(T(2, 3, 2), T(2, 3, 4), T(2, 2, 4))
    yield SampleInput(T(0, 2), T(0, 4), T(0, 2, 4), T(0), name="empty batch, no out_features")
    yield SampleInput(T(2, 0, 2), T(2, 0, 4), T(3, 2, 4), name="empty batch")


register_nn("bilinear", bilinear, _bilinear_samples)
