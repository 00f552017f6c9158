"""ember's op set. Importing this package registers every op and binds Tensor's operators."""
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
# Importing each op file registers its ops; the order is the import-time layer order
# (an op file imports earlier ones at its top, later ones at its bottom).
import ember.ops.arithmetic  # noqa: E402,F401
import ember.ops.unary  # noqa: E402,F401
import ember.ops.binary  # noqa: E402,F401
import ember.ops.special  # noqa: E402,F401
import ember.ops.special_polynomials  # noqa: E402,F401
import ember.ops.special_bessel  # noqa: E402,F401
import ember.ops.comparison  # noqa: E402,F401
import ember.ops.pointwise  # noqa: E402,F401
import ember.ops.views  # noqa: E402,F401
import ember.ops.slicing  # noqa: E402,F401
import ember.ops.creation  # noqa: E402,F401
import ember.ops.manipulation  # noqa: E402,F401
import ember.ops.reduction  # noqa: E402,F401
import ember.ops.reduction_minmax  # noqa: E402,F401
import ember.ops.cumulative  # noqa: E402,F401
import ember.ops.indexing  # noqa: E402,F401
import ember.ops.scatter_gather  # noqa: E402,F401
import ember.ops.blas  # noqa: E402,F401
import ember.ops.einsum  # noqa: E402,F401
import ember.ops.linalg  # noqa: E402,F401
import ember.ops.linalg_decompositions  # noqa: E402,F401
import ember.ops.linalg_lu  # noqa: E402,F401
import ember.ops.linalg_functions  # noqa: E402,F401
import ember.ops.linalg_legacy  # noqa: E402,F401
import ember.ops.sorting  # noqa: E402,F401
import ember.ops.statistics  # noqa: E402,F401
import ember.ops.differences  # noqa: E402,F401
import ember.ops.nn.activation  # noqa: E402,F401
import ember.ops.nn.linear  # noqa: E402,F401
import ember.ops.nn.dropout  # noqa: E402,F401
import ember.ops.nn.sparse  # noqa: E402,F401
import ember.ops.nn.padding  # noqa: E402,F401
import ember.ops.nn.upsampling  # noqa: E402,F401
import ember.ops.nn.pixelshuffle  # noqa: E402,F401
import ember.ops.nn.distance  # noqa: E402,F401
import ember.ops.nn.conv  # noqa: E402,F401
import ember.ops.nn.pooling  # noqa: E402,F401
import ember.ops.nn.pooling_adaptive  # noqa: E402,F401
import ember.ops.nn.unpooling  # noqa: E402,F401
import ember.ops.nn.normalization  # noqa: E402,F401
import ember.ops.nn.fold  # noqa: E402,F401
import ember.ops.nn.loss  # noqa: E402,F401
import ember.ops.nn.loss_margin  # noqa: E402,F401
import ember.ops.nn.loss_ctc  # noqa: E402,F401
import ember.ops.nn.attention  # noqa: E402,F401
import ember.ops.nn.rnn  # noqa: E402,F401
import ember.ops.bits  # noqa: E402,F401
import ember.ops.fft  # noqa: E402,F401
import ember.ops.stft  # noqa: E402,F401
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


def _bind_operators():
    from ember.ops import comparison
    from ember.ops import arithmetic, bits, unary
    from ember.ops.arithmetic import add, div, floor_divide, mul, neg, remainder, sub
    from ember.ops.indexing import getitem, setitem
    from ember.ops.blas import matmul

    def r(fn):
        def reflected(self, other):
            return fn(other, self)

        return reflected

    def rmatmul(self, other):
        return matmul(other, self)

    def rpow(self, other):
        return arithmetic.pow(other, self)

    def pos(self):
        return self

    def _comparable(other):
        return isinstance(other, (Tensor, int, float, bool, np.ndarray, np.generic))

    def eq(self, other):
        if not _comparable(other):
            return NotImplemented
        return comparison.eq(self, other)

    def ne(self, other):
        if not _comparable(other):
            return NotImplemented
        return comparison.ne(self, other)

    ops = {
        "__add__": add, "__radd__": r(add), "__sub__": sub, "__rsub__": r(sub),
        "__mul__": mul, "__rmul__": r(mul), "__truediv__": div, "__rtruediv__": r(div),
        "__floordiv__": floor_divide, "__rfloordiv__": r(floor_divide),
        "__mod__": remainder, "__rmod__": r(remainder), "__pow__": arithmetic.pow,
        "__rpow__": rpow, "__matmul__": matmul, "__rmatmul__": rmatmul,
        "__neg__": neg, "__pos__": pos, "__abs__": unary.abs,
        "__invert__": comparison._invert, "__and__": comparison.bitwise_and,
        "__rand__": r(comparison.bitwise_and), "__or__": comparison.bitwise_or,
        "__ror__": r(comparison.bitwise_or), "__xor__": comparison.bitwise_xor,
        "__rxor__": r(comparison.bitwise_xor), "__lshift__": bits.bitwise_left_shift,
        "__rshift__": bits.bitwise_right_shift, "__eq__": eq, "__ne__": ne,
        "__lt__": comparison.lt, "__le__": comparison.le, "__gt__": comparison.gt,
        "__ge__": comparison.ge, "__getitem__": getitem, "__setitem__": setitem,
    }
    for name, fn in ops.items():
        setattr(Tensor, name, fn)
    for dunder, method in (("__iadd__", "add_"), ("__isub__", "sub_"), ("__imul__", "mul_"),
                           ("__itruediv__", "div_"), ("__ifloordiv__", "floor_divide_"),
                           ("__imod__", "remainder_"), ("__ipow__", "pow_"),
                           ("__iand__", "bitwise_and_"), ("__ior__", "bitwise_or_"),
                           ("__ixor__", "bitwise_xor_")):
        setattr(Tensor, dunder, getattr(Tensor, method))

    def imatmul(self, other):
        return apply_inplace(self, matmul, (other,), {})

    Tensor.__imatmul__ = imatmul


_bind_operators()
from ember import _tensor_misc  # noqa: E402,F401
from ember.ops import aliases  # noqa: E402,F401
from ember.ops import _not_differentiable  # noqa: E402,F401
from ember.ops._arguments import install as _install_argument_rules  # noqa: E402

_install_argument_rules()
