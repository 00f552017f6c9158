"""Statistics: counting and binning, covariance, quantiles and the mode.

bincount, histc, histogram, histogramdd, bucketize and searchsorted count or locate values and
are not differentiable. cov, corrcoef, quantile and nanquantile are built from differentiable
ember ops, so their gradients (and second derivatives) come from those ops. mode selects values
and passes the gradient to the selected positions.
"""
import builtins
import warnings

from ember import _dtype
from ember import return_types
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember._tensor_str import dtype_word
from ember.ops.arithmetic import _out, clamp
from ember.ops.pointwise import lerp
from ember.ops.unary import sqrt
from ember.ops import reduction
from ember.ops.reduction import mean
from ember.ops import sorting
from ember.ops.views import movedim
from ember.ops._util import (cast, check_dtype, no_derivative, refuse_complex, shape_str, to_float,
                             wrap_dim)
from ember.ops.registry import (INT_FLOAT, ErrorInput, OpInfo, SampleInput, T,
                                not_differentiable, register)
from ember.return_types import _return_type

# torch.return_types.mode; kept here until ember.return_types has it.
_Mode = _return_type("mode")
_Mode.__module__, _Mode.__qualname__ = __name__, "_Mode"


def _type_word(arr):
    from ember._tensor_str import dtype_word

    return dtype_word(arr.dtype)


# --- bincount, histc -----------------------------------------------------------------------------

def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in the 1-d ``input`` (summed ``weights``).

    The result has ``max(input) + 1`` entries, at least ``minlength``. Not differentiable.
    """
    a = input._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError("\"bincount_cpu\" not implemented for '%s'" % _type_word(a))
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _make(np.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = np.float32 if w.dtype == np.float32 else np.float64
    return no_derivative("_bincount", np.bincount(a, weights=w, minlength=minlength).astype(dtype),
                         weights)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram of ``input`` in ``bins`` equal bins over ``[min, max]`` (the data's range when
    both are equal); values outside the range and NaN are ignored. Not differentiable."""
    a = input._data
    if not _dtype.is_floating(a.dtype):
        raise NotImplementedError("\"histogram_cpu\" not implemented for '%s'" % _type_word(a))
    if bins <= 0:
        raise RuntimeError("torch.histogram(): bins must be > 0, but got %d for dimension 0"
                           % bins)
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:  # the data's range: NaN in the data makes it NaN, as in torch
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError("torch.histc: range of [%s, %s] is not finite"
                           % (_num(lo), _num(hi)))
    lo, hi = array_module(a).asarray(lo, a.dtype), array_module(a).asarray(hi, a.dtype)
    flat = a.reshape(-1)
    flat = flat[(flat >= lo) & (flat <= hi)]
    # The bin of x is floor((x - lo) * bins / (hi - lo)) in the input's dtype, in this order,
    # so that values on a bin edge land where torch puts them; x == hi goes into the last bin.
    pos = ((flat - lo) * array_module(a).asarray(bins, a.dtype) / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    res = _make(np.bincount(pos, minlength=bins).astype(a.dtype))
    return _out(res, out)


def _num(x):
    return "%d" % x if np.isfinite(x) and x == builtins.int(x) else "%g" % x


# --- searchsorted, bucketize ---------------------------------------------------------------------

def _binary_search(boundaries, values, right):
    """Insertion points of ``values`` (rows, m) in the sorted rows of ``boundaries`` (rows, n).

    The first index whose boundary is ``>= v`` (``> v`` when ``right``), by bisection on all
    values at once. With NaN this agrees with torch, not with ``np.searchsorted``.
    """
    rows, n = boundaries.shape
    lo = array_module(values).zeros(values.shape, dtype=np.int64)
    hi = array_module(values).full(values.shape, n, dtype=np.int64)
    row = array_module(values).arange(rows)[:, None]
    while n and (lo < hi).any():
        active = lo < hi
        mid = (lo + hi) // 2
        b = boundaries[row, np.minimum(mid, n - 1)]
        go_left = b > values if right else b >= values
        hi = np.where(active & go_left, mid, hi)
        lo = np.where(active & ~go_left, mid + 1, lo)
    return lo


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Indices where ``input``'s values would be inserted into the innermost dim of
    ``sorted_sequence`` to keep it sorted (after the first equal value when ``right``)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError("torch.searchsorted(): side can only be 'left' or 'right' but "
                               "got %s" % side)
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    bd = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    for t in (sorted_sequence, input):
        if isinstance(t, Tensor):
            check_dtype("searchsorted_out_cpu", t, kinds="fiu")
    vals = np.asarray(input) if scalar else input._data
    if vals.ndim == 0 and bd.ndim != 1:
        raise RuntimeError("torch.searchsorted(): input value can be a scalar only when "
                           "boundaries tensor dimension is 1, but we got boundaries tensor "
                           "dim(%d) and input value's dim(%d) numel(1)" % (bd.ndim, vals.ndim))
    if bd.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           "tensor must match, but we got boundaries tensor %s and input value "
                           "tensor %s" % (shape_str(bd.shape), shape_str(vals.shape)))
    if bd.ndim > 1 and (bd.ndim != vals.ndim or bd.shape[:-1] != vals.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           "tensor must match, but we got boundaries tensor %s and input value "
                           "tensor %s" % (shape_str(bd.shape), shape_str(vals.shape)))
    if sorter is not None:
        if sorter._data.shape != bd.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               "size, but got boundary tensor %s and got sorter tensor %s"
                               % (shape_str(bd.shape), shape_str(sorter._data.shape)))
        bd = np.take_along_axis(bd, sorter._data, -1)
    n = bd.shape[-1]
    if bd.ndim == 1:
        idx = _binary_search(bd.reshape(1, n), vals.reshape(1, -1), right)
    else:
        rows = bd.size // n if n else int(np.prod(bd.shape[:-1]))
        idx = _binary_search(bd.reshape(rows, n), vals.reshape(rows, vals.shape[-1]), right)
    res = _make(idx.reshape(vals.shape).astype(np.int32 if out_int32 else np.int64))
    return _out(res, out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value in ``input`` given 1-d sorted ``boundaries``: ``i`` such that
    ``boundaries[i-1] < x <= boundaries[i]`` (``<=``, ``<`` when ``right``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError("boundaries tensor must be 1 dimension, but got dim(%d)"
                           % boundaries._data.ndim)
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# --- diff ----------------------------------------------------------------------------------------


# --- cov, corrcoef -------------------------------------------------------------------------------

def _check_weights(w, name, n, integral):
    a = w._data
    if a.ndim > 1:
        raise RuntimeError("cov(): expected %s to have one or fewer dimensions but got %s with "
                           "%d dimensions" % (name, name, a.ndim))
    if a.size != n:
        raise RuntimeError("cov(): expected %s to have the same numel as there are "
                           "observations in the input but got %d != %d" % (name, a.size, n))
    if integral and a.dtype.kind not in "iu":
        raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights "
                           "with %s dtype" % _type_word(a))
    if not integral and not _dtype.is_floating(a.dtype):
        raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                           "aweights with %s dtype" % _type_word(a))
    if a.size and not a.min() >= 0:  # NaN fails torch's check too
        raise RuntimeError("cov(): %s cannot be negative" % name)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in ``input``'s rows (observations in its columns).

    Args:
        input: a 1-d (one variable) or 2-d tensor.
        correction: subtracted from the number of observations (1: the unbiased estimate).
        fweights: integer frequency of each observation.
        aweights: non-negative importance of each observation.
    """
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           "input with %d dimensions" % nd)
    if input._data.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = to_float(input)
    if nd < 2:
        x = x.reshape(1, -1)
    n = x._data.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n, True)
        w = cast(fweights, x.dtype)
    if aweights is not None:
        _check_weights(aweights, "aweights", n, False)
        aw = cast(aweights, x.dtype)
        w = aw if w is None else w * aw
    if w is None:
        w_sum = float(n)
        avg = mean(x, 1)
    else:
        w_sum = reduction.sum(w)
        avg = reduction.sum(x * w, 1) / w_sum
    if w is None or aweights is None or correction == 0:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * reduction.sum(w * aw) / w_sum
    if (norm.item() if isinstance(norm, Tensor) else norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.")
        norm = norm * 0 if isinstance(norm, Tensor) else 0.0
    centered = x - avg.unsqueeze(1)
    weighted = centered if w is None else centered * w
    with np.errstate(divide="ignore", invalid="ignore"):
        return (weighted.matmul(centered.mT) / norm).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the variables in ``input``'s rows, clipped to
    ``[-1, 1]``."""
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    std = sqrt(c.diagonal())
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return clamp(c, -1, 1)


# --- quantile, nanquantile -----------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    name = "nanquantile" if ignore_nan else "quantile"
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError("%s() input tensor must be either float or double dtype" % name)
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError("%s() q must be a scalar or 1D tensor" % name)
        if q._data.dtype != a.dtype:
            raise RuntimeError("%s() q tensor must be same dtype as the input tensor" % name)
        qs = q._data
        if qs.size and not ((qs >= 0) & (qs <= 1)).all():
            raise RuntimeError("%s() q values must be in the range [0, 1]" % name)
    else:
        if not 0 <= q <= 1:
            raise RuntimeError("%s() q must be in the range [0, 1] but got %s" % (name, q))
        qs = array_module(a).asarray(q, dtype=a.dtype)
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("%s() interpolation must be one of linear, lower, higher, midpoint "
                           "or nearest, but got %s" % (name, interpolation))
    if a.size == 0:
        raise RuntimeError("%s() input tensor must be non-empty" % name)
    nd = a.ndim
    if dim is None:
        x = input.reshape(-1)
    else:
        d = wrap_dim(dim, nd)
        x = input.reshape(1) if nd == 0 else movedim(input, d, -1)
    values = sorting.sort(x, -1).values  # NaN sorts last
    sorted_ = values._data
    n = sorted_.shape[-1]
    q_flat = qs.reshape(-1)
    # rank = q * scale + offset: scale is (count - 1), or 0 where the result is NaN anyway: a
    # row with NaN for quantile (offset n - 1, its first NaN), an all-NaN row for nanquantile
    # (offset 0), as torch (which passes the gradient to that element).
    if ignore_nan:
        count = (~np.isnan(sorted_)).sum(-1, keepdims=True)
        nan_row, scale = count == 0, count - 1
    else:
        nan_row = np.isnan(sorted_[..., -1:])
        scale = array_module(sorted_).full(sorted_.shape[:-1] + (1,), n - 1)
    scale = np.where(nan_row, 0, scale).astype(a.dtype)
    offset = np.where(nan_row & (not ignore_nan), n - 1, 0).astype(a.dtype)
    ranks = q_flat * scale + offset
    if interpolation in ("lower", "higher", "nearest"):
        pick = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}[interpolation]
        res = values.gather(-1, _make(pick(ranks).astype(np.int64)))
    else:
        below = np.floor(ranks)
        if interpolation == "midpoint":
            weights = _make(np.full_like(ranks, 0.5))
        elif isinstance(q, Tensor):
            # Linear weights depend on q, so the result is differentiable in q (as torch).
            weights = q.reshape(-1) * _make(scale) + _make(offset - below)
        else:
            weights = _make(ranks - below)
        res = lerp(values.gather(-1, _make(below.astype(np.int64))),
                     values.gather(-1, _make(np.ceil(ranks).astype(np.int64))), weights)
    # res has the kept dims then q's dim; the result puts q's dim first.
    if keepdim:
        if dim is None:
            res = res.reshape((1,) * nd + (q_flat.size,))
        elif nd:
            res = res.unsqueeze(d)
    q_is_vector = isinstance(q, Tensor) and q._data.ndim == 1
    return movedim(res, -1, 0) if q_is_vector else res.squeeze(-1)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles of ``input`` along ``dim`` (of all elements when None).

    ``q`` is a number or a 1-d tensor in [0, 1]; a tensor ``q`` adds a leading dim. Between two
    data points, ``interpolation`` picks ``linear``, ``lower``, ``higher``, ``midpoint`` or
    ``nearest`` (ties to even). A row with NaN gives NaN.
    """
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """:func:`quantile` that ignores NaN values (NaN only where a row is all NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)


# --- mode ----------------------------------------------------------------------------------------

def _mode_index(a):
    """Index (along the last dim) of the mode of each row of ``a``.

    The mode is the most frequent value, the smallest one on a tie in frequency; its index is
    that of its last occurrence (as torch).
    """
    n = a.shape[-1]
    order = np.argsort(a, axis=-1, kind="stable")
    s = np.take_along_axis(a, order, -1)
    pos = array_module(a).arange(n)
    starts = array_module(s).ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    ends = array_module(s).ones(s.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    run_start = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
    run_end = np.flip(np.minimum.accumulate(np.flip(np.where(ends, pos, n), -1), axis=-1), -1)
    length = run_end - run_start
    best = np.argmax(length, axis=-1)[..., None]  # the first longest run: the smallest value
    last = np.take_along_axis(run_end, best, -1)
    return np.take_along_axis(order, last, -1)


def mode(input, dim=-1, keepdim=False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest on a tie)
    and the index of its last occurrence."""
    refuse_complex('"mode_cpu" not implemented for \'%s\'', input)
    a = input._data
    nd = a.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:
        return _Mode(input.clone(), _make(array_module(a).asarray(0)))
    if a.shape[d] == 0:
        raise IndexError("mode(): Expected reduction dim %d to have non-zero size." % d)
    moved = np.moveaxis(a, d, -1)
    if moved.size:
        index = np.moveaxis(_mode_index(moved), -1, d).astype(np.int64)
    else:
        index = array_module(a).zeros(a.shape[:d] + (1,) + a.shape[d + 1:], dtype=np.int64)
    index_t = _make(index)
    values = input.gather(d, index_t)
    if not keepdim:
        values, index_t = values.squeeze(d), _make(np.squeeze(index, d))
    return _Mode(values, index_t)


# --- samples and registration ------------------------------------------------------------------

def _bincount_samples(dtype):
    yield SampleInput(T(values=[0, 1, 1, 3, 7, 3], dtype="int64"))
    yield SampleInput(T(values=[2, 0, 2], dtype="int64"), minlength=6)
    yield SampleInput(T(values=[0, 1, 1, 3], dtype="int64"), T(values=[0.5, 1.0, 2.0, 3.0]))
    yield SampleInput(T(values=[1, 4, 1], dtype="int32"), T(values=[1, 2, 3], dtype="int64"),
                      minlength=2)
    yield SampleInput(T(0, dtype="int64"))
    yield SampleInput(T(values=[3, 1], dtype="uint8"))


def _bincount_errors():
    yield ErrorInput(SampleInput(T(values=[-1, 2], dtype="int64")), RuntimeError, "non-negative")
    yield ErrorInput(SampleInput(T(values=[[1, 2]], dtype="int64")), RuntimeError, "1-d")
    yield ErrorInput(SampleInput(T(values=[1.0, 2.0])), NotImplementedError, "Float")
    yield ErrorInput(SampleInput(T(values=[1, 2], dtype="int64"), minlength=-1), RuntimeError,
                     "minlength should be >= 0")
    yield ErrorInput(SampleInput(T(values=[1, 2], dtype="int64"), T(3)), RuntimeError,
                     "same length as input")


def _histc_samples(dtype):
    yield SampleInput(T(values=[1.0, 2.0, 1.0, 2.5, 4.0, -1.0, 3.0]), 4, 0, 3)
    yield SampleInput(T(50, low=-3.0, high=3.0))
    yield SampleInput(T(6, 5, low=-3.0, high=3.0), bins=7, min=-2, max=2.5)
    yield SampleInput(T(values=[1.0, 3.0, 3.0, 3.0]), bins=1, min=3, max=3)
    yield SampleInput(T(values=[2.0, 2.0]), 4)
    yield SampleInput(T(values=[1.0, float("nan"), 0.5]), 3, 0, 1)
    yield SampleInput(T(0), 5)


def _histc_errors():
    yield ErrorInput(SampleInput(T(3), 0), RuntimeError, "bins must be > 0")
    yield ErrorInput(SampleInput(T(3), 4, 3, 1), RuntimeError, "max must be larger than min")
    yield ErrorInput(SampleInput(T(values=[1.0, float("inf")]), 4), RuntimeError, "not finite")
    yield ErrorInput(SampleInput(T(values=[1.0, float("nan"), 2.0]), 4), RuntimeError,
                     "not finite")
    yield ErrorInput(SampleInput(T(values=[1, 2], dtype="int64")), NotImplementedError, "Long")


_BOUNDS = [1.0, 3.0, 5.0, 7.0, 9.0]


def _bucketize_samples(dtype):
    values = [[3.0, 6.0, 9.0, 0.5], [1.0, 10.0, 7.0, 5.0]]
    yield SampleInput(T(values=values), T(values=_BOUNDS))
    yield SampleInput(T(values=values), T(values=_BOUNDS), right=True)
    yield SampleInput(T(values=values), T(values=_BOUNDS), out_int32=True)
    yield SampleInput(T(values=4.0), T(values=_BOUNDS))
    yield SampleInput(T(values=[2, 7, 9], dtype="int64"), T(values=_BOUNDS))
    yield SampleInput(T(0, 3), T(values=_BOUNDS))
    yield SampleInput(T(values=[1.0, 2.0]), T(0))


_BOOL_SEARCH = "\"searchsorted_out_cpu\" not implemented for 'Bool'"


def _bucketize_errors():
    yield ErrorInput(SampleInput(T(3), T(2, 2)), RuntimeError, "boundaries tensor must be 1 "
                     "dimension")
    yield ErrorInput(SampleInput(T(3, dtype="bool"), T(2, dtype="bool")), NotImplementedError,
                     _BOOL_SEARCH)


def _searchsorted_samples(dtype):
    rows = [[1.0, 3.0, 5.0, 7.0, 9.0], [2.0, 4.0, 6.0, 8.0, 10.0]]
    values = [[3.0, 6.0, 9.0], [3.0, 6.0, 9.0]]
    yield SampleInput(T(values=rows), T(values=values))
    yield SampleInput(T(values=rows), T(values=values), right=True)
    yield SampleInput(T(values=rows), T(values=values), side="right", out_int32=True)
    yield SampleInput(T(values=_BOUNDS), T(values=[[0.0, 5.0], [9.5, 1.0]]), side="left")
    yield SampleInput(T(values=_BOUNDS), 5)
    yield SampleInput(T(values=[3.0, 1.0, 2.0]), T(values=[2.0, 0.0, 3.5]),
                      sorter=T(values=[1, 2, 0], dtype="int64"))
    yield SampleInput(T(values=[1.0, 2.0, float("nan")]), T(values=[float("nan"), 2.5, 1.0]),
                      name="nan")
    yield SampleInput(T(2, 0), T(2, 3))


def _searchsorted_errors():
    rows = T(2, 5)
    yield ErrorInput(SampleInput(T(3, dtype="bool"), T(2, dtype="bool")), NotImplementedError,
                     _BOOL_SEARCH)
    yield ErrorInput(SampleInput(rows, T(2, 3), side="left", right=True), RuntimeError,
                     "side and right can't be set to opposites")
    yield ErrorInput(SampleInput(rows, T(2, 3), side="middle"), RuntimeError,
                     "side can only be 'left' or 'right'")
    yield ErrorInput(SampleInput(rows, T(3, 2)), RuntimeError, "first N-1 dimensions")
    yield ErrorInput(SampleInput(T(), T()), RuntimeError, "input value can be a scalar")
    yield ErrorInput(SampleInput(T(3), T(2), sorter=T(values=[0, 1], dtype="int64")),
                     RuntimeError, "boundary and sorter must have the same size")


def _cov_samples(dtype):
    yield SampleInput(T(3, 6))
    yield SampleInput(T(7))
    yield SampleInput(T(3, 6), correction=0)
    yield SampleInput(T(2, 5), correction=2, fweights=T(values=[1, 2, 1, 1, 3], dtype="int64"))
    yield SampleInput(T(2, 5), aweights=T(5, low=0.2, high=2.0, grad=False))
    yield SampleInput(T(2, 5), fweights=T(values=[1, 2, 0, 1, 3], dtype="int64"),
                      aweights=T(5, low=0.2, high=2.0))
    yield SampleInput(T(4, 5, noncontig=True))
    if dtype == "float32":
        # Integers become float32 (the default dtype) whatever the test's dtype.
        yield SampleInput(T(values=[[1, 2, 4], [0, 5, 3]], dtype="int64"))


def _cov_errors():
    x = T(2, 5)
    yield ErrorInput(SampleInput(T(2, 5, dtype="bool")), RuntimeError,
                     r"cov\(\): bool dtype is not supported for input")
    yield ErrorInput(SampleInput(x, aweights=T(5, values=[1.0, float("nan"), 1.0, 2.0, 1.0])),
                     RuntimeError, "aweights cannot be negative")
    yield ErrorInput(SampleInput(T(2, 2, 2)), RuntimeError, "two or fewer dimensions")
    yield ErrorInput(SampleInput(x, fweights=T(5)), RuntimeError, "integral dtype")
    yield ErrorInput(SampleInput(x, fweights=T(values=[-1, 2, 1, 1, 3], dtype="int64")),
                     RuntimeError, "fweights cannot be negative")
    yield ErrorInput(SampleInput(x, aweights=T(values=[-1.0, 2, 1, 1, 3])), RuntimeError,
                     "aweights cannot be negative")
    yield ErrorInput(SampleInput(x, aweights=T(3, low=0.1)), RuntimeError, "3 != 5")
    yield ErrorInput(SampleInput(x, fweights=T(1, 5, dtype="int64", low=0)), RuntimeError,
                     "one or fewer dimensions")


def _corrcoef_samples(dtype):
    yield SampleInput(T(3, 6))
    yield SampleInput(T(6))
    yield SampleInput(T(4, 5, noncontig=True))


def _quantile_samples(dtype):
    for mode in _INTERPOLATIONS:
        yield SampleInput(T(3, 5), T(values=[0.1, 0.3, 0.45, 0.7, 0.95]), dim=1,
                          interpolation=mode)
    # q at the ends of [0, 1] cannot be perturbed for gradcheck.
    yield SampleInput(T(3, 5), T(values=[0.0, 1.0], grad=False), dim=1)
    yield SampleInput(T(4, 5), 0.3)
    yield SampleInput(T(4, 5), 0.6, dim=0, keepdim=True)
    yield SampleInput(T(2, 3, 4), T(values=[0.25, 0.9]), dim=-2, keepdim=True)
    yield SampleInput(T(3, 4), T(values=[0.2, 0.8]), keepdim=True)
    yield SampleInput(T(values=[1.0, 2.0, 3.0, 4.0]), T(values=[0.5 / 3, 1.5 / 3], grad=False),
                      interpolation="nearest", name="ties to even")
    yield SampleInput(T(), 0.5)
    yield SampleInput(T(), T(values=[0.5]), dim=0, keepdim=True)
    yield SampleInput(T(4, 6, noncontig=True), T(values=0.35), dim=1)
    yield SampleInput(T(values=[[1.0, float("nan"), 3.0, 0.5], [2.0, 1.0, -1.0, 4.0],
                                [float("nan")] * 4], grad=False), 0.4, dim=1, name="nan")


def _quantile_errors(name):
    def errors():
        yield ErrorInput(SampleInput(T(3), 1.5), RuntimeError, "q must be in the range")
        yield ErrorInput(SampleInput(T(3), T(values=[0.2, 1.2])), RuntimeError,
                         "q values must be in the range")
        yield ErrorInput(SampleInput(T(values=[1, 2], dtype="int64"), 0.5), RuntimeError,
                         "float or double")
        yield ErrorInput(SampleInput(T(3), T(1, 1)), RuntimeError, "scalar or 1D")
        yield ErrorInput(SampleInput(T(3), T(1, dtype="float64")), RuntimeError, "same dtype")
        yield ErrorInput(SampleInput(T(3), 0.5, interpolation="foo"), RuntimeError,
                         "interpolation must be one of")
        yield ErrorInput(SampleInput(T(0), 0.5), RuntimeError, "non-empty")
        yield ErrorInput(SampleInput(T(2, 3), 0.5, dim=3), IndexError, "Dimension out of range")

    return errors


def _mode_samples(dtype):
    # Ties decide the mode, and moving a tied value changes it: no gradcheck on ties.
    ties = [[1.0, 5.0, 2.0, 5.0, 1.0, 3.0], [3.0, 3.0, 1.0, 0.0, 0.0, 7.0]]
    yield SampleInput(T(values=ties, grad=False))
    yield SampleInput(T(values=ties, grad=False), 0)
    yield SampleInput(T(values=ties, grad=False), 1, keepdim=True)
    yield SampleInput(T(values=[4.0, 9.0, 4.0, 9.0, 2.0], grad=False))
    yield SampleInput(T(3, 4))
    yield SampleInput(T(2, 3, 4), -2, True)
    yield SampleInput(T(4, 3, noncontig=True), 0)
    yield SampleInput(T())
    yield SampleInput(T(0, 3), 1)


register(OpInfo("bincount", bincount, _bincount_samples, _bincount_errors, method=True,
                grad=False))
register(OpInfo("histc", histc, _histc_samples, _histc_errors, method=True, grad=False))
register(OpInfo("bucketize", bucketize, _bucketize_samples, _bucketize_errors, grad=False))
register(OpInfo("searchsorted", searchsorted, _searchsorted_samples, _searchsorted_errors,
                grad=False))
register(OpInfo("cov", cov, _cov_samples, _cov_errors, method=True))
register(OpInfo("corrcoef", corrcoef, _corrcoef_samples, lambda: iter([
    ErrorInput(SampleInput(T(2, 5, dtype="bool")), RuntimeError, "bool dtype is not supported")]),
    method=True))
register(OpInfo("quantile", quantile, _quantile_samples, _quantile_errors("quantile"),
                method=True))
register(OpInfo("nanquantile", nanquantile, _quantile_samples, _quantile_errors("nanquantile"),
                method=True))
register(OpInfo("mode", mode, _mode_samples, method=True, dtypes=INT_FLOAT))


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``(hist, bin_edges)`` of ``input``'s values (floating tensors)."""
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError('"histogram_cpu" not implemented for \'%s\'' % dtype_word(a.dtype))
    w = None if weight is None else weight._data
    if isinstance(bins, Tensor):
        edges = bins._data
    else:
        if range is not None:
            lo, hi = builtins.float(range[0]), builtins.float(range[1])
        elif a.size:
            lo, hi = builtins.float(a.min()), builtins.float(a.max())
        else:
            lo, hi = 0.0, 0.0
        if lo > hi:
            raise RuntimeError("torch.histogram(): max must be larger than min")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5 if a.size or range is not None else 1.0
        edges = array_module(a).linspace(lo, hi, bins + 1).astype(a.dtype)
    hist, _ = np.histogram(a.reshape(-1), edges.astype(np.float64),
                           weights=None if w is None else w.reshape(-1), density=density)
    return return_types.histogram(_make(hist.astype(a.dtype)), _make(edges.astype(a.dtype)))


not_differentiable("histogram", "tests/ops/test_not_differentiable.py")
Tensor.histogram = histogram


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """The ``D``-dimensional histogram of the rows of an ``(N, D)`` tensor."""
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError('"histogramdd" not implemented for \'%s\'' % dtype_word(a.dtype))
    pts = a.reshape(-1, a.shape[-1])
    dims = pts.shape[1]
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        edges = [b._data.astype(np.float64) for b in bins]
    else:
        counts = [bins] * dims if isinstance(bins, (builtins.int, np.integer)) else list(bins)
        edges = []
        for k in builtins.range(dims):
            if range is not None:
                lo, hi = builtins.float(range[2 * k]), builtins.float(range[2 * k + 1])
            elif pts.shape[0]:
                lo, hi = builtins.float(pts[:, k].min()), builtins.float(pts[:, k].max())
            else:
                lo, hi = 0.0, 0.0
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges.append(array_module(a).linspace(lo, hi, counts[k] + 1).astype(a.dtype)
                         .astype(np.float64))
    w = None if weight is None else weight._data.reshape(-1)
    hist, _ = np.histogramdd(pts, edges, weights=w, density=density)
    return return_types.histogramdd(_make(hist.astype(a.dtype)),
                                    [_make(e.astype(a.dtype)) for e in edges])


not_differentiable("histogramdd", "tests/ops/test_not_differentiable.py")
