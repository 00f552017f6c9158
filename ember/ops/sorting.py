"""Sorting: sort, argsort, msort, topk, unique, unique_consecutive, median, nanmedian, kthvalue.

Values come back through ``_select`` (a gather whose backward scatters the gradient to the
chosen positions), so sort and topk are differentiable; indices are int64 and are not.
"""
import builtins

from ember import return_types
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.ops._util import no_derivative, refuse_complex, wrap_dim
from ember.autograd.function import Node
from ember.ops.reduction import (_argsort, _check_nonempty_dims, _dim_errors, _indices, _select,
                                 _TakeAlong)
from ember.ops.reduction_minmax import _TIES, _arg_extreme, _tie_weights
from ember.ops.registry import (ALL, INT_FLOAT, ErrorInput, OpInfo, SampleInput, T,
                                not_differentiable, register)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """``(values, indices)`` sorted along ``dim``; the order of ties is stable."""
    if isinstance(dim, builtins.bool):
        dim, descending = -1, dim
    refuse_complex(" Sort does not support complex dtypes on CPU", input, error=RuntimeError)
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        return return_types.sort(input.clone(), _make(array_module(input._data).asarray(0)))
    index = _argsort(input._data, d, descending).astype(np.int64)
    return return_types.sort(_TakeAlong.apply((input,), index, d, True), _make(index))


def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices that sort ``input`` along ``dim``."""
    return sort(input, dim, descending, stable=stable).indices


def msort(input, *, out=None):
    """``input`` sorted along its first dim."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``.

    The result is always sorted, which ``sorted=False`` allows.
    """
    refuse_complex(" topk does not support complex dtypes on CPU", input, error=RuntimeError)
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if input._data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    size = input._data.shape[d] if nd else 1
    if k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    if nd == 0:
        return return_types.topk(input.clone(), _make(array_module(input._data).asarray(0)))
    index = _argsort(input._data, d, largest)
    index = np.take(index, array_module(index).arange(k), axis=d).astype(np.int64)
    return return_types.topk(_TakeAlong.apply((input,), index, d, True), _make(index))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (sorted), optionally with inverse indices and counts.

    With ``dim``, the distinct slices along that dim. Not differentiable.
    """
    refuse_complex('"unique" not implemented for \'%s\'', input)
    a = input._data
    if dim is not None:
        d = wrap_dim(dim, a.ndim)
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    else:
        # torch keeps every NaN as a distinct value
        values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(a.shape)
    res = (no_derivative("_unique2", values, input),)
    if return_inverse:
        res += (_make(inverse.astype(np.int64)),)
    if return_counts:
        res += (_make(counts.astype(np.int64)),)
    return res[0] if len(res) == 1 else res


# --- records ----------------------------------------------------------------------------------

def _sort_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(3, 4), 0)
    yield SampleInput(T(2, 3, 4), -1, True)
    yield SampleInput(T(2, 3, 4), descending=True, dim=1)
    yield SampleInput(T())
    yield SampleInput(T(0, 3), 1)
    yield SampleInput(T(4, 5, noncontig=True), -1)
    ties = _TIES + [[float("nan")] * 13] if dtype.startswith("float") else _TIES
    yield SampleInput(T(values=ties), dim=1, stable=True, name="ties and nan")
    yield SampleInput(T(values=ties), dim=0, descending=True, stable=True,
                      name="ties and nan descending")


register(OpInfo("sort", sort, _sort_samples, _dim_errors, method=True, dtypes=INT_FLOAT))
register(OpInfo("argsort", argsort, _sort_samples, _dim_errors, method=True, dtypes=INT_FLOAT,
                grad=False))
register(OpInfo("msort", msort, lambda dt: iter([SampleInput(T(3, 4)), SampleInput(T(5)),
                                                 SampleInput(T(3, 4, noncontig=True))]),
                method=True, dtypes=INT_FLOAT))


def _topk_samples(dtype):
    yield SampleInput(T(3, 4), 2)
    yield SampleInput(T(3, 4), 3, 0)
    yield SampleInput(T(2, 3, 4), 1, -1, False)
    yield SampleInput(T(2, 3, 4), 0, 1)
    yield SampleInput(T(2, 3, 4), 4, largest=False)
    yield SampleInput(T(), 1)
    yield SampleInput(T(4, 5, noncontig=True), 2, 0)


def _topk_errors():
    yield ErrorInput(SampleInput(T(3, 4), 5), RuntimeError, "selected index k out of range")
    yield ErrorInput(SampleInput(T(3, 4), 1, 2), IndexError, "Dimension out of range")
    yield ErrorInput(SampleInput(T(3, 4, dtype="bool"), 1), RuntimeError,
                     "topk does not support bool dtypes on CPU")


register(OpInfo("topk", topk, _topk_samples, _topk_errors, method=True))


def _unique_samples(dtype):
    yield SampleInput(T(values=[[1, 3, 3, 2], [2, 2, 1, 0]]))
    yield SampleInput(T(values=[[1, 3, 3, 2], [2, 2, 1, 0]]), return_inverse=True)
    yield SampleInput(T(values=[[1, 3, 3, 2], [2, 2, 1, 0]]), return_counts=True)
    yield SampleInput(T(values=[[1, 3, 3], [1, 3, 3], [0, 2, 1]]), return_inverse=True,
                      return_counts=True, dim=0)
    yield SampleInput(T(values=[[1, 3, 3], [1, 3, 3], [0, 2, 1]]), return_inverse=True, dim=-1)
    yield SampleInput(T(0, 3))
    yield SampleInput(T(4, 5, noncontig=True, low=-3, high=3, dtype="int64"))
    if dtype.startswith("float"):
        nan = float("nan")
        yield SampleInput(T(values=[nan, 1.0, nan, 1.0]), return_inverse=True,
                          return_counts=True, name="edge: each NaN is distinct")


register(OpInfo("unique", unique, _unique_samples, method=True, dtypes=ALL, grad=False))


class Median(Node):
    """Median of all elements (the lower of the two middle ones); ties share the gradient."""

    save = (0,)
    save_output = True

    def forward(ctx, a):
        flat = np.sort(a.reshape(-1))
        if flat.size == 0 or np.isnan(flat[-1]):
            return array_module(a).asarray(np.nan, dtype=a.dtype)
        return array_module(a).asarray(flat[(flat.size - 1) // 2])

    def backward(ctx, g):
        a, out = ctx.saved_tensors
        dims = tuple(range(a.ndim))
        return g.expand(a.shape) * _tie_weights(a._data, out._data, dims, False)


def _median_index(a, dim):
    """Index (keepdims) of the lower median along ``dim``; NaN wins when present."""
    order = np.argsort(a, axis=dim, kind="stable")
    k = (a.shape[dim] - 1) // 2
    index = np.take(order, [k], axis=dim)
    nan = np.isnan(a)
    if nan.any():
        has_nan = nan.any(axis=dim, keepdims=True)
        index = np.where(has_nan, _arg_extreme(nan, dim, True), index)
    return index


def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median of all elements, or ``(values, indices)`` along ``dim``."""
    refuse_complex('"median_cpu" not implemented for \'%s\'', input)
    if dim is None:
        if input._data.dtype.kind in "biu":
            flat = np.sort(input._data.reshape(-1))
            if flat.size == 0:
                raise IndexError("median(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            return _make(array_module(input._data).asarray(flat[(flat.size - 1) // 2]))
        return Median.apply((input,))
    return _median_along(input, dim, keepdim, _median_index, return_types.median)


def _median_along(input, dim, keepdim, index_of, result):
    """``result(values, indices)``: the median along ``dim`` that ``index_of`` picks."""
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        return result(input.clone(), _make(array_module(input._data).asarray(0)))
    _check_nonempty_dims(input, (d,), "median")
    index = index_of(input._data, d)
    return result(_select(input, index, d, keepdim), _indices(index, d, keepdim))


def _median_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(3, 5))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(3, 5), 0, True)
    yield SampleInput(T(2, 3, 4), -1)
    yield SampleInput(T())
    yield SampleInput(T(), 0)
    yield SampleInput(T(4, 5, noncontig=True), -1)
    yield SampleInput(T(values=_TIES), name="ties")


def _median_errors():
    yield from _dim_errors()
    yield ErrorInput(SampleInput(T(0, 3), 0), IndexError,
                     r"median\(\): Expected reduction dim 0 to have non-zero size")


register(OpInfo("median", median, _median_samples, _median_errors, method=True))


class NanMedian(Median):
    """Median of the non-NaN elements (NaN when there are none); ties share the gradient."""

    def forward(ctx, a):
        flat = a.reshape(-1)
        flat = np.sort(flat[~np.isnan(flat)])
        if flat.size == 0:
            return array_module(a).asarray(np.nan, dtype=a.dtype)
        return array_module(flat).asarray(flat[(flat.size - 1) // 2])


def _nanmedian_index(a, dim):
    """Index (keepdims) of the lower median of the non-NaN values along ``dim`` (NaN sorts
    last); a slice of NaN only gives its first index (torch's pick there is its sort's
    internal order)."""
    order = np.argsort(a, axis=dim, kind="stable")
    valid = a.shape[dim] - np.isnan(a).sum(axis=dim, keepdims=True)
    k = np.maximum(valid - 1, 0) // 2
    return np.take_along_axis(order, k, axis=dim)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """:func:`median` ignoring NaN: the lower median of the non-NaN elements (NaN where there
    are none), or ``(values, indices)`` along ``dim``.

    Example:
        >>> import ember
        >>> ember.nanmedian(ember.tensor([1.0, float("nan"), 3.0, 2.0]))
        tensor(2.)
    """
    refuse_complex('"median_cpu" not implemented for \'%s\'', input)
    kind = input._data.dtype.kind
    if kind == "b":
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    if kind != "f":
        if dim is None and input._data.size == 0:
            # torch's NaN converted to the integer dtype (as the machine converts it)
            with np.errstate(invalid="ignore"):
                return _make(array_module(input._data).asarray(np.nan).astype(input._data.dtype))
        return median(input, dim, keepdim)
    if dim is None:
        return NanMedian.apply((input,))
    return _median_along(input, dim, keepdim, _nanmedian_index, return_types.nanmedian)


def _nanmedian_samples(dtype):
    yield from _median_samples(dtype)
    nan = float("nan")
    rows = [[1.0, nan, 3.0, 2.0], [5.0, nan, nan, 1.0], [2.0, 2.0, nan, 2.0],
            [nan, 0.5, nan, nan]]
    for args in ((), (1,), (0, True), (-1, True)):
        yield SampleInput(T(4, 4, values=rows), *args, name="edge: NaN ignored")
    yield SampleInput(T(2, values=[nan, nan]), name="edge: NaN only")
    yield SampleInput(T(0, 3), name="empty: NaN")
    yield SampleInput(T(0, 3), 1, name="empty, non-empty dim")


register(OpInfo("nanmedian", nanmedian, _nanmedian_samples, lambda: iter([
    ErrorInput(SampleInput(T(0, 3), 0), IndexError,
               r"median\(\): Expected reduction dim 0 to have non-zero size"),
    ErrorInput(SampleInput(T(3, dtype="bool")), NotImplementedError,
               "\"median_cpu\" not implemented for 'Bool'")]), method=True, dtypes=INT_FLOAT))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``."""
    refuse_complex('"kthvalue_cpu" not implemented for \'%s\'', input)
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    if nd:
        _check_nonempty_dims(input, (d,), "kthvalue")
    if not 1 <= k <= (input._data.shape[d] if nd else 1):
        raise RuntimeError("kthvalue(): selected number k out of range for dimension %d" % d)
    if nd == 0:
        return return_types.kthvalue(input.clone(), _make(array_module(input._data).asarray(0)))
    index = np.take(_argsort(input._data, d, False), [k - 1], axis=d).astype(np.int64)
    return return_types.kthvalue(_select(input, index, d, keepdim), _indices(index, d, keepdim))


def _kthvalue_samples(dtype):
    yield SampleInput(T(3, 4), 2)
    yield SampleInput(T(3, 4), 1, 0, True)
    yield SampleInput(T(2, 3, 4), 4, -1)
    yield SampleInput(T(), 1)
    yield SampleInput(T(4, 5, noncontig=True), 3, 1)


register(OpInfo("kthvalue", kthvalue, _kthvalue_samples, lambda: iter([
    ErrorInput(SampleInput(T(2, 3), 4, 1), RuntimeError,
               "kthvalue\\(\\): selected number k out of range for dimension 1"),
    ErrorInput(SampleInput(T(3, 0), 2), IndexError,
               r"kthvalue\(\): Expected reduction dim 1 to have non-zero size"),
    ErrorInput(SampleInput(T(3, dtype="bool"), 1), NotImplementedError, "kthvalue_cpu")]),
    method=True))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The first element of every run of equal consecutive elements (or slices along ``dim``)."""
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        starts = array_module(a).ones(flat.shape, dtype=bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse = (np.cumsum(starts) - 1).reshape(a.shape)
    else:
        d = wrap_dim(dim, a.ndim)
        moved = np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
        starts = array_module(a).ones(a.shape[d], dtype=bool)
        starts[1:] = (moved[1:] != moved[:-1]).any(axis=1)
        values = np.compress(starts, a, axis=d)
        inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), starts.size))
    res = (_make(values),)
    if return_inverse:
        res += (_make(inverse.astype(np.int64)),)
    if return_counts:
        res += (_make(counts.astype(np.int64)),)
    return res[0] if len(res) == 1 else res


not_differentiable("unique_consecutive", "tests/ops/test_not_differentiable.py")
Tensor.unique_consecutive = unique_consecutive
