"""Copying into and filling tensors: ``clone``, ``contiguous``, ``copy_``, ``fill_``, ``zero_``
(torch's ATen Copy and Fill kernels). Each keeps the graph: a clone passes the gradient through,
``copy_`` sends it to ``src`` (zero to the overwritten values), ``fill_`` gives zero.
"""
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops._util import as_tensor_operand, cast, sum_to_shape
from ember.ops.inplace import apply_inplace
from ember.ops.registry import ALL, OpInfo, SampleInput, T, register


class Clone(Node):
    def forward(ctx, a):
        return a.copy()

    def backward(ctx, g):
        return g

    @staticmethod
    def onnx(call):
        return call.g.op("Identity", call.inputs[0])


def clone(input, *, memory_format=None):
    """A copy that stays in the graph (gradient passes through unchanged)."""
    return Clone.apply((input,))


def contiguous(input, memory_format=None):
    """``input`` itself when contiguous, else a contiguous copy in the graph."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply((input,))


register(OpInfo("clone", clone, lambda dt: iter([SampleInput(T(3, 4)),
                                                 SampleInput(T(3, 4, noncontig=True))]),
                method=True, dtypes=ALL))


register(OpInfo("contiguous", contiguous, lambda dt: iter([SampleInput(T(3, 4, noncontig=True))]),
                method=True, torch_name="Tensor.contiguous", dtypes=ALL))


class CopyFrom(Node):
    def forward(ctx, a, src):
        ctx.src_shape = src.shape
        return np.broadcast_to(src, a.shape).astype(a.dtype)

    def backward(ctx, g):
        # The overwritten values get a zero gradient (torch's CopyBackwards), not none.
        return g * 0, sum_to_shape(g, ctx.src_shape)

    @staticmethod
    def onnx(call):
        # ``a.copy_(src)``: src broadcast to a's shape, in a's dtype
        g, src = call.g, call.inputs[1]
        if call.arrays[1].dtype != call.outs[0].dtype:
            src = g.cast(src, call.outs[0].dtype)
        if call.arrays[1].shape == call.outs[0].shape:
            return g.op("Identity", src)
        return g.op("Expand", src, g.op("Shape", call.inputs[0]))


def _copy_from(self, src):
    src = as_tensor_operand(src)
    try:
        np.broadcast_shapes(src._data.shape, self._data.shape)
        if np.broadcast_shapes(src._data.shape, self._data.shape) != self._data.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d) at "
                           "non-singleton dimension %d" % _first_mismatch(
                               self._data.shape, src._data.shape)) from None
    if src._data.dtype.kind == "f" and self._data.dtype.kind == "f":
        src = cast(src, self.dtype)
        return CopyFrom.apply((self, src))
    return _make(np.broadcast_to(src._data, self._data.shape).astype(self._data.dtype))


def _first_mismatch(a, b):
    from ember.ops._util import _mismatch

    return _mismatch(a, b)


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast) into self; gradient flows to ``src``."""
    return apply_inplace(self, _copy_from, (src,), {})


class Fill(Node):
    def forward(ctx, a, value):
        return np.full_like(a, value)

    def backward(ctx, g):
        return g * 0

    @staticmethod
    def onnx(call):
        value = call.scalar(call.params[0])
        return call.g.op("Expand", value, call.g.op("Shape", call.inputs[0]))


def _filled(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                               "%d dimensions." % value._data.ndim)
        return _copy_from(self, value)
    return Fill.apply((self,), value)


def fill_(self, value):
    return apply_inplace(self, _filled, (value,), {})


def zero_(self):
    return apply_inplace(self, _filled, (0,), {})


Tensor.clone = clone


Tensor.contiguous = contiguous


Tensor.copy_ = copy_


Tensor.fill_ = fill_


Tensor.zero_ = zero_
