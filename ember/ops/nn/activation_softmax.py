"""The softmax family of ``torch.nn.functional``: softmax, log_softmax, softmin and gumbel_softmax
(fused forward and backward kernels, computed with the maximum subtracted first).
"""
from ember import _dtype
from ember._backend import array_module, np
from ember._tensor import _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import cast, check_dtype, wrap_dim
from ember.ops.registry import (ErrorInput, OpInfo, SampleInput, T, dtype_errors, register,
                                register_nn)


class Softmax(Node):
    save_output = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        if a.size == 0:  # NumPy's max has no identity for an empty reduction
            return a.copy()
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True)

    @staticmethod
    def onnx(call):
        return call.g.op("Softmax", call.inputs[0], axis=int(call.params[0]))


def _softmax_dim(input, dim):
    if dim is None:
        # torch's legacy implicit choice
        nd = input._data.ndim
        return 0 if nd in (0, 1, 3) else 1
    return wrap_dim(dim, input._data.ndim)


def _softmax_apply(node, input, dim, dtype, kernel):
    """``node`` (Softmax or LogSoftmax) over ``input`` cast to ``dtype``. An empty non-float
    input comes back as it is, as torch returns it without running its kernel; a non-empty one
    is refused as torch's kernel refuses it."""
    if dtype is not None:
        input = cast(input, _dtype.as_dtype(dtype))
    if not input.is_floating_point():
        if input._data.size == 0:
            return input.clone()
        last = input._data.ndim == 0 or _softmax_dim(input, dim) == input._data.ndim - 1
        check_dtype(kernel + ("_lastdim_kernel_impl" if last else "_kernel_impl"), input)
    if input._data.ndim == 0:
        return node.apply((input.reshape(1),), 0).reshape(())
    return node.apply((input,), _softmax_dim(input, dim))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Applies ``exp(x_i) / sum_j exp(x_j)`` along ``dim``, computed stably (the maximum is
    subtracted first).

    Args:
        input (Tensor): the input.
        dim (int): the dimension the values sum to 1 along.
        dtype (ember.dtype, optional): cast ``input`` to this dtype first. Default: ``None``.

    Shape:
        - Input: ``(*)``. Output: the same shape, values in ``[0, 1]``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.softmax(ember.tensor([[1.0, 2.0, 3.0]]), dim=1)
        tensor([[0.0900, 0.2447, 0.6652]])
    """
    return _softmax_apply(Softmax, input, dim, dtype, "softmax")


def _softmax_samples(dtype):
    yield SampleInput(T(3, 5), 1)
    yield SampleInput(T(3, 5), 0)
    yield SampleInput(T(2, 3, 4), -1)
    yield SampleInput(T(4, 6, noncontig=True), 1)
    yield SampleInput(T(3, 4, values=[[1000.0, 0.0, -1000.0, 5.0], [88.0, 89.0, 90.0, 91.0],
                                      [-500.0, -501.0, 3.0, 0.0]]), 1, name="large logits")
    yield SampleInput(T(), 0)
    yield SampleInput(T(2, 0), 1, name="empty dim")
    yield SampleInput(T(0, 3), 0, name="empty dim")
    yield SampleInput(T(0, 3), 1, name="empty other dim")
    yield SampleInput(T(0, 3, dtype="int8"), 1, name="empty int8: returned as it is")


def _softmax_errors(kernel):
    return dtype_errors(kernel + "_lastdim_kernel_impl", ("int64", "uint8", "bool"),
                        lambda dt: SampleInput(T(3, 4, dtype=dt), 1),
                        lambda: iter([ErrorInput(SampleInput(T(3, 4, dtype="int32"), 0),
                                                 NotImplementedError,
                                                 kernel + "_kernel_impl\" not implemented")]))


register(OpInfo("softmax", softmax, _softmax_samples, _softmax_errors("softmax"), method=True))


register_nn("softmax", softmax, lambda dt: iter([SampleInput(T(3, 4), 1)]))


class LogSoftmax(Node):
    save_output = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        if a.size == 0:
            return a.copy()
        shifted = a - a.max(axis=dim, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        return shifted

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)

    @staticmethod
    def onnx(call):
        return call.g.op("LogSoftmax", call.inputs[0], axis=int(call.params[0]))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Applies ``log(softmax(x))`` along ``dim``, without overflow for large logits.

    Args:
        input (Tensor): the input.
        dim (int): the dimension softmax is taken along.
        dtype (ember.dtype, optional): cast ``input`` to this dtype first. Default: ``None``.

    Shape:
        - Input: ``(*)``. Output: the same shape, values in ``(-inf, 0]``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.log_softmax(ember.tensor([[1.0, 2.0, 3.0]]), dim=1)
        tensor([[-2.4076, -1.4076, -0.4076]])
    """
    return _softmax_apply(LogSoftmax, input, dim, dtype, "log_softmax")


register(OpInfo("log_softmax", log_softmax, _softmax_samples, _softmax_errors("log_softmax"),
                method=True))


register_nn("log_softmax", log_softmax, lambda dt: iter([SampleInput(T(3, 4), -1)]))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dtype is not None:
        input = cast(input, _dtype.as_dtype(dtype))
    return softmax(-input, dim)


register_nn("softmin", softmin, lambda dt: iter([SampleInput(T(3, 4), 1),
                                                 SampleInput(T(2, 3, 4), 0)]))


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Softmax of ``(logits + Gumbel noise) / tau``; with ``hard`` the one-hot of its argmax in
    the forward and the soft sample's gradient in the backward (straight-through).

    Example:
        >>> import ember
        >>> y = gumbel_softmax(ember.zeros(2, 5), hard=True)
        >>> y.sum(1).tolist()
        [1.0, 1.0]
    """
    from ember import random

    if logits._data.dtype.kind in "iu":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           "dtype must be a floating point but you specified %s"
                           % dtype_word(logits._data.dtype))
    # NumPy's generator draws on the host; the noise then goes where the logits live
    noise = array_module(logits._data).asarray(
        random._rng(None).exponential(size=tuple(logits.shape)), dtype=logits._data.dtype)
    gumbels = (logits - _make(np.log(noise))) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    if y_soft.shape[dim] == 0:
        raise IndexError("max(): Expected reduction dim %d to have non-zero size."
                         % wrap_dim(dim, y_soft.dim()))
    index = y_soft._data.argmax(axis=dim)
    one_hot = np.zeros_like(y_soft._data)
    np.put_along_axis(one_hot, np.expand_dims(index, dim), 1, axis=dim)
    return _make(one_hot) - y_soft.detach() + y_soft


register_nn("gumbel_softmax", gumbel_softmax,
    lambda dt: iter([SampleInput(T(3, 5)), SampleInput(T(2, 3, 4), 0.5, True, dim=1)]),
    lambda: iter([ErrorInput(SampleInput(T(2, 0, 4), 0.5, True, dim=1), IndexError,
                             r"max\(\): Expected reduction dim 1 to have non-zero size"),
                  ErrorInput(SampleInput(T(3, 5, dtype="int64")), RuntimeError,
                             "Exponential distribution is a continuous probability")]),
    grad=False, nondeterministic=True)
