"""Fused neural-network kernels with hand-written backward: softmax, log_softmax, ...

On eager NumPy a fused kernel beats composing primitives; the backward is still written with
ember ops, so double backward works.
"""
from ember import _dtype as D
from ember._backend import np
from ember.autograd.function import Node
from ember.ops._util import cast, to_float, wrap_dim
from ember.ops.registry import OpInfo, SampleInput, T, register


class Softmax(Node):
    save_output = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(ctx.dim, keepdim=True)


class LogSoftmax(Node):
    save_output = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        shifted = a - a.max(axis=dim, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        return shifted

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)


def _softmax_dim(input, dim):
    if dim is None:
        # torch's legacy implicit choice
        nd = input._data.ndim
        return 0 if nd in (0, 1, 3) else 1
    return wrap_dim(dim, input._data.ndim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed stably (max subtracted first)."""
    if dtype is not None:
        input = cast(input, D.as_dtype(dtype))
    input = to_float(input)
    if input._data.ndim == 0:
        return Softmax.apply((input.reshape(1),), 0).reshape(())
    return Softmax.apply((input,), _softmax_dim(input, dim))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim`` without overflow for large logits."""
    if dtype is not None:
        input = cast(input, D.as_dtype(dtype))
    input = to_float(input)
    if input._data.ndim == 0:
        return LogSoftmax.apply((input.reshape(1),), 0).reshape(())
    return LogSoftmax.apply((input,), _softmax_dim(input, dim))


def _softmax_samples(dtype):
    yield SampleInput(T(3, 5), 1)
    yield SampleInput(T(3, 5), 0)
    yield SampleInput(T(2, 3, 4), -1)
    yield SampleInput(T(4, 6, noncontig=True), 1)
    yield SampleInput(T(3, 4, values=[[1000.0, 0.0, -1000.0, 5.0], [88.0, 89.0, 90.0, 91.0],
                                      [-500.0, -501.0, 3.0, 0.0]]), 1, name="large logits")
    yield SampleInput(T(), 0)


register(OpInfo("softmax", softmax, _softmax_samples, method=True))
register(OpInfo("log_softmax", log_softmax, _softmax_samples, method=True))
