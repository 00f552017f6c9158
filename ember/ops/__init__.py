"""ember's op set. Importing this package registers every op and binds Tensor's operators."""
from ember._backend import np
from ember._tensor import Tensor
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
import ember.ops.nn.activation_softmax  # noqa: E402,F401
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
import ember.ops.nn.pooling_fractional  # noqa: E402,F401
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
import ember.ops.copying  # noqa: E402,F401
import ember.ops.complex  # noqa: E402,F401
from ember.ops.inplace import apply_inplace


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
