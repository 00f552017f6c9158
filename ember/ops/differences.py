"""Finite differences: ``diff`` (n-th forward differences along a dim) and ``gradient`` (the
derivative estimated with central differences, one-sided at the ends). Both are built from
differentiable ember ops (narrow, sub, mul, cat), so their gradients come from those ops.
"""
import builtins

from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.ops import comparison
from ember.ops._util import to_float, wrap_dim
from ember.ops.manipulation import cat
from ember.ops.registry import INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.slicing import narrow


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``, after joining ``prepend`` and ``append``
    (bool tensors: ``!=`` of neighbours)."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError("order must be non-negative but got %d" % n)
    d = wrap_dim(dim, nd)
    parts = []
    for extra in (prepend, input, append):
        if extra is None:
            continue
        if extra is not input:
            _check_diff_part(input, extra, d)
        parts.append(extra)
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x._data.shape[d]
        if length == 0:
            break
        hi, lo = narrow(x, d, 1, length - 1), narrow(x, d, 0, length - 1)
        x = comparison.logical_xor(hi, lo) if x._data.dtype == np.bool_ else hi - lo
    return x


def _check_diff_part(input, extra, d):
    shape, other = input._data.shape, extra._data.shape
    if len(other) != len(shape):
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for i, (s, o) in enumerate(zip(shape, other)):
        if i != d and s != o:
            raise RuntimeError("diff expects the shape of tensor to prepend or append to match "
                               "that of input except along the differencing dimension; "
                               "input.size(%d) = %d, but got tensor.size(%d) = %d"
                               % (i, s, i, o))


def _diff_samples(dtype):
    yield SampleInput(T(3, 5))
    yield SampleInput(T(3, 5), 2, 0)
    yield SampleInput(T(4, 5), 2, dim=1, prepend=T(4, 1), append=T(4, 2))
    yield SampleInput(T(6), 3, prepend=T(2))
    yield SampleInput(T(3, 4, noncontig=True), 1, -2)
    yield SampleInput(T(4), 6)
    yield SampleInput(T(4), 0)
    yield SampleInput(T(0, 3), 1, 0)
    yield SampleInput(T(values=[True, False, False, True], dtype="bool"))


def _diff_errors():
    yield ErrorInput(SampleInput(T()), RuntimeError, "at least one-dimensional")
    yield ErrorInput(SampleInput(T(3), -1), RuntimeError, "order must be non-negative")
    yield ErrorInput(SampleInput(T(2, 5), prepend=T(3, 1)), RuntimeError,
                     "input.size\\(0\\) = 2, but got tensor.size\\(0\\) = 3")


register(OpInfo("diff", diff, _diff_samples, _diff_errors, method=True, dtypes=INT_FLOAT))


def _gradient_along(f, d, coords, edge_order):
    """d f / d x along dim ``d`` at the points ``coords`` (a float64 array): second-order
    central differences inside, first- or second-order one-sided ones at the ends."""
    n = f.shape[d]
    x = coords
    shape = [1] * f.dim()
    shape[d] = -1

    def coef(values):
        return _make(array_module(f._data).asarray(values, dtype=f._data.dtype).reshape(shape))

    def at(start, length):
        return f.narrow(d, start, length)

    hd, hs = x[1:-1] - x[:-2], x[2:] - x[1:-1]
    inner = (at(0, n - 2) * coef(-hs / (hd * (hd + hs)))
             + at(1, n - 2) * coef((hs - hd) / (hd * hs))
             + at(2, n - 2) * coef(hd / (hs * (hd + hs))))
    if edge_order == 1:
        first = (at(1, 1) - at(0, 1)) * coef([1.0 / (x[1] - x[0])])
        last = (at(n - 1, 1) - at(n - 2, 1)) * coef([1.0 / (x[-1] - x[-2])])
    else:
        d1, d2 = x[1] - x[0], x[2] - x[1]
        first = (at(0, 1) * coef([-(2 * d1 + d2) / (d1 * (d1 + d2))])
                 + at(1, 1) * coef([(d1 + d2) / (d1 * d2)])
                 + at(2, 1) * coef([-d1 / (d2 * (d1 + d2))]))
        d1, d2 = x[-2] - x[-3], x[-1] - x[-2]
        last = (at(n - 3, 1) * coef([d2 / (d1 * (d1 + d2))])
                + at(n - 2, 1) * coef([-(d2 + d1) / (d1 * d2)])
                + at(n - 1, 1) * coef([(2 * d2 + d1) / (d2 * (d1 + d2))]))
    return cat([first, inner, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative of ``input`` along each of ``dim`` (all dims by default), estimated with
    central differences: one tensor per dim. ``spacing`` is one step for all dims, one step per
    dim, or the sample coordinates (1-d tensors) per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    nd = input.dim()
    dims = list(builtins.range(nd)) if dim is None else \
        [dim] if isinstance(dim, (builtins.int, np.integer)) else list(dim)
    dims = [wrap_dim(d, nd) for d in dims]
    if isinstance(spacing, (builtins.int, builtins.float)) or (
            isinstance(spacing, Tensor) and spacing.dim() == 0):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        raise RuntimeError("torch.gradient expected spacing to be unspecified, a scalar or it's "
                           "spacing and dim arguments to have the same length, but got a "
                           "spacing argument of length %d and a dim argument of length %d."
                           % (len(spacing), len(dims)))
    kind = input._data.dtype.kind
    if kind == "u":
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    input = to_float(input)
    out = []
    for d, step in zip(dims, spacing):
        n = input.shape[d]
        if n < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
        if isinstance(step, Tensor) and step.dim() == 1:
            coords = step._data.astype(np.float64)
        else:
            h = step.item() if isinstance(step, Tensor) else step
            coords = array_module(input._data).arange(n, dtype=np.float64) * h
        out.append(_gradient_along(input, d, coords, edge_order))
    return tuple(out)


def _gradient_samples(dtype):
    yield SampleInput(T(4, 5))
    yield SampleInput(T(4, 5), spacing=0.5, dim=1, edge_order=2)
    yield SampleInput(T(4, 5), spacing=[2.0, 0.5])
    yield SampleInput(T(5), spacing=[T(5, values=[0.0, 0.5, 1.5, 2.0, 3.5], grad=False)])
    yield SampleInput(T(3, 5), spacing=(T(5, values=[0.0, 1.0, 1.5, 3.0, 4.0], grad=False),),
                      dim=1, edge_order=2)


register(OpInfo("gradient", gradient, _gradient_samples))
