"""Reductions: sum, mean, prod, var/std, max/min, logsumexp, norms, cumulative ops, sorting.

Backward formulas expand the reduced gradient back over the reduced dims
(``_expand_reduced``), so keepdim and dim tuples share one code path.
"""
import builtins
import collections

from ember import _dtype as D
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops._util import cast, to_float, wrap_dims
from ember.ops.registry import ALL, ErrorInput, OpInfo, SampleInput, T, register


def _expand_reduced(g, in_shape, dims, keepdim):
    """Broadcast a reduced gradient back to ``in_shape``."""
    if not keepdim:
        shape = list(in_shape)
        for d in dims:
            shape[d] = 1
        g = g.reshape(tuple(shape))
    return g.expand(in_shape)


def _reduce_args(input, dim):
    nd = input._data.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(nd)) if nd else ()
    return wrap_dims(dim, nd) if nd else wrap_dims(dim, 1) and ()


class Sum(Node):
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return np.sum(a, axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(ctx, g):
        return _expand_reduced(g, ctx.in_shape, ctx.dims, ctx.keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` (int, tuple, or all); bool and int inputs sum to int64, as torch."""
    dims = _reduce_args(input, dim)
    if dtype is not None:
        dtype = D.as_dtype(dtype)
        input = cast(input, dtype)
    elif input._data.dtype.kind in "biu":
        dtype = D.int64
    out = Sum.apply((input,), dims, keepdim, None if dtype is None else dtype.np)
    return out


class Mean(Node):
    def forward(ctx, a, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        n = 1
        for d in dims:
            n *= a.shape[d]
        ctx.n = n
        return np.mean(a, axis=dims, keepdims=keepdim) if n else np.sum(
            a, axis=dims, keepdims=keepdim) * np.nan

    def backward(ctx, g):
        return _expand_reduced(g / ctx.n, ctx.in_shape, ctx.dims, ctx.keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim``; integer inputs raise as in torch (pass a float ``dtype``)."""
    if dtype is not None:
        input = cast(input, D.as_dtype(dtype))
    if input._data.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: %s"
                           % input.dtype.name.capitalize().replace("Int64", "Long"))
    dims = _reduce_args(input, dim)
    return Mean.apply((input,), dims, keepdim)


def _sum_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(3, 4), -1, True)
    yield SampleInput(T(2, 3, 4), (0, 2))
    yield SampleInput(T(2, 3, 4), (-1, 0), keepdim=True)
    yield SampleInput(T())
    yield SampleInput(T(), 0)
    yield SampleInput(T(0, 3), 0)
    yield SampleInput(T(4, 5, noncontig=True), 0)


def _sum_errors():
    yield ErrorInput(SampleInput(T(2, 3), 2), IndexError, "Dimension out of range")
    yield ErrorInput(SampleInput(T(2, 3), (0, 0)), RuntimeError, "appears multiple times")


register(OpInfo("sum", sum, _sum_samples, _sum_errors, method=True, dtypes=ALL))


def _mean_samples(dtype):
    for s in _sum_samples(dtype):
        if s.args and isinstance(s.args[0], T) and s.args[0].shape == (0, 3):
            continue
        yield s


register(OpInfo("mean", mean, _mean_samples, _sum_errors, method=True))
