"""Reductions: sum, mean, prod, nansum/nanmean, var/std, logsumexp, all/any, count_nonzero
(max/min, amax/amin and argmax/argmin are in ``reduction_minmax.py``, cumulative ops in
``cumulative.py``, sorting in ``sorting.py``, norms in ``linalg.py``).

Backward formulas expand the reduced gradient back over the reduced dims
(``_expand_reduced``), so keepdim and dim tuples share one code path. Ops that select elements
(max with dim, median, sort, topk, cummax) route their gradient through ``_TakeAlong`` /
``_PutAlong``, a gather/scatter pair that are each other's backward.
"""
import builtins

from ember import _dtype
from ember._backend import add_at, array_module, np
from ember._tensor import _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import cast, conj, refuse_complex, to_float, wrap_dim, wrap_dims
from ember.ops.registry import ALL, INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register


def _expand_reduced(g, in_shape, dims, keepdim):
    """Broadcast a reduced gradient back to ``in_shape`` (one op: the backward of every
    reduction goes through here)."""
    return ExpandReduced.apply((g,), in_shape, dims, keepdim)


class ExpandReduced(Node):
    """A read-only broadcast view of ``g`` over the reduced ``dims``; backward sums them."""

    def forward(ctx, g, in_shape, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        if not keepdim:
            g = g.reshape(_kept_shape(in_shape, dims))
        return np.broadcast_to(g, in_shape)

    def backward(ctx, gg):
        return gg.sum(ctx.dims, keepdim=ctx.keepdim)

    def name(self):
        return "ExpandBackward0"


def _kept_shape(in_shape, dims):
    shape = list(in_shape)
    for d in dims:
        shape[d] = 1
    return tuple(shape)


def _reduce_args(input, dim):
    nd = input._data.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(nd)) if nd else ()
    return wrap_dims(dim, nd) if nd else wrap_dims(dim, 1) and ()


def _int_sum_dtype(input, dtype):
    """torch's accumulation dtype: ``dtype`` if given, int64 for bool and integer inputs."""
    if dtype is not None:
        return _dtype.as_dtype(dtype)
    if input._data.dtype.kind in "biu":
        return _dtype.int64
    return None


class Sum(Node):
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return np.sum(a, axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(ctx, g):
        return _expand_reduced(g, ctx.in_shape, ctx.dims, ctx.keepdim)

    def name(self):
        full = len(self.dims) == len(self.in_shape) and not self.keepdim
        return "SumBackward0" if full else "SumBackward1"

    @staticmethod
    def onnx(call):
        dims, keepdim = call.params[:2]
        (x,) = call.operands()
        return call.g.reduce("ReduceSum", x, dims, keepdim) if dims else call.g.op("Identity", x)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` (int, tuple, or all); bool and int inputs sum to int64, as torch."""
    dims = _reduce_args(input, dim)
    dtype = _int_sum_dtype(input, dtype)
    if dtype is not None:
        input = cast(input, dtype)
    return Sum.apply((input,), dims, keepdim, None if dtype is None else dtype.np)


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
    yield from _dim_errors()
    yield ErrorInput(SampleInput(T(2, 3), (0, 0)), RuntimeError, "dim 0 appears multiple times")


register(OpInfo("sum", sum, _sum_samples, _sum_errors, method=True, dtypes=ALL))


def _numel(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _dtype_word(t):
    return dtype_word(t._data.dtype)


class Mean(Node):
    def forward(ctx, a, dims, keepdim):
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        n = ctx.n = _numel(a.shape, dims)
        return np.mean(a, axis=dims, keepdims=keepdim) if n else np.sum(
            a, axis=dims, keepdims=keepdim) * np.nan

    def backward(ctx, g):
        return _expand_reduced(g / ctx.n, ctx.in_shape, ctx.dims, ctx.keepdim)

    @staticmethod
    def onnx(call):
        dims, keepdim = call.params
        (x,) = call.operands()
        return call.g.reduce("ReduceMean", x, dims, keepdim) if dims else call.g.op("Identity", x)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim``; integer inputs raise as in torch (pass a float ``dtype``)."""
    if dtype is not None:
        input = cast(input, _dtype.as_dtype(dtype))
    if not input.is_floating_point() and not input.is_complex():
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: %s" % _dtype_word(input))
    dims = _reduce_args(input, dim)
    return Mean.apply((input,), dims, keepdim)


def _nonempty(samples):
    def gen(dtype):
        for s in samples(dtype):
            if not (s.args and isinstance(s.args[0], T) and 0 in s.args[0].shape):
                yield s
    return gen


register(OpInfo("mean", mean, _nonempty(_sum_samples), _sum_errors, method=True))


def _check_nonempty_dims(input, dims, name):
    for d in dims:
        if input._data.shape[d] == 0:
            raise IndexError("%s(): Expected reduction dim %d to have non-zero size." % (name, d))


class NanSum(Node):
    save = (0,)

    def forward(ctx, a, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        return np.nansum(a, axis=dims, keepdims=keepdim)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        keep = _make((~np.isnan(a._data)).astype(a._data.dtype))
        return _expand_reduced(g, a.shape, ctx.dims, ctx.keepdim) * keep


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero."""
    refuse_complex("nansum on CPU does not support complex inputs", input, error=RuntimeError)
    dims = _reduce_args(input, dim)
    dtype = _int_sum_dtype(input, dtype)
    if dtype is not None:
        return sum(input, dim, keepdim, dtype=dtype)
    return NanSum.apply((input,), dims, keepdim)


register(OpInfo("nansum", nansum, _sum_samples, method=True, dtypes=INT_FLOAT))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over the elements that are not NaN."""
    if dtype is not None:
        input = cast(input, _dtype.as_dtype(dtype))
    if not input.is_floating_point():
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           "but got %s" % _dtype_word(input))
    dims = _reduce_args(input, dim)
    count = np.sum(~np.isnan(input._data), axis=dims, keepdims=keepdim)
    return NanSum.apply((input,), dims, keepdim) / _make(count.astype(input._data.dtype))


def _nan_samples(dtype):
    nan = float("nan")
    yield SampleInput(T(values=[[1.0, nan, 2.5], [nan, -0.5, 0.25]]))
    yield SampleInput(T(values=[[1.0, nan, 2.5], [nan, -0.5, 0.25]]), 1, True)
    yield SampleInput(T(2, 3, 4), (0, -1))


register(OpInfo("nanmean", nanmean, _nan_samples, method=True))


class Prod(Node):
    save = (0,)

    def forward(ctx, a, dim, keepdim, dtype):
        ctx.dim, ctx.keepdim = dim, keepdim
        return array_module(a).asarray(np.prod(a, axis=dim, keepdims=keepdim, dtype=dtype))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        if ctx.dim is None:
            others = _ProdOthers.apply((a.reshape(-1),)).reshape(a.shape)
            return g.expand(a.shape) * conj(others)
        others = _ProdOthers.apply((a.movedim(ctx.dim, -1),)).movedim(-1, ctx.dim)
        return _expand_reduced(g, a.shape, (ctx.dim,), ctx.keepdim) * conj(others)

    @staticmethod
    def onnx(call):
        dim, keepdim = call.params[:2]
        dims = None if dim is None else [dim] if isinstance(dim, int) else list(dim)
        return call.g.reduce("ReduceProd", *call.operands(), dims, keepdim)


class _ProdOthers(Node):
    """``out[..., i] = prod(a[..., j] for j != i)``: prod's gradient, exact when ``a`` has zeros.

    Computed from exclusive products on both sides (no division). Its backward differentiates
    each row's product again, so prod is differentiable to any order.
    """

    save = (0,)

    def forward(ctx, a):
        left = np.ones_like(a)
        right = np.ones_like(a)
        if a.shape[-1] > 1:
            np.cumprod(a[..., :-1], axis=-1, out=left[..., 1:])
            right[..., :-1] = np.cumprod(a[..., :0:-1], axis=-1)[..., ::-1]
        return left * right

    def backward(ctx, h):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        eye = array_module(a._data).eye(n, dtype=a._data.dtype)
        # Row i holds ``a`` with a_i replaced by 1; its products-of-others are the mixed
        # partials d(others_i)/d(a_k) for k != i.
        rows = a.unsqueeze(-2) * _make(1 - eye) + _make(eye)
        mixed = _ProdOthers.apply((rows,)) * _make(1 - eye)
        return (h.unsqueeze(-1) * mixed).sum(-2)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along one ``dim``; bool and int inputs give int64."""
    dtype = _int_sum_dtype(input, dtype)
    if dtype is not None:
        input = cast(input, dtype)
    if dim is not None:
        if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
            raise TypeError("prod(): argument 'dim' must be int, not %s" % type(dim).__name__)
        dim = wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:
            return Prod.apply((input,), None, False, None)
    return Prod.apply((input,), dim, keepdim, None)


def _dim_errors():
    yield ErrorInput(SampleInput(T(2, 3), 2), IndexError,
                     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)")


def _prod_samples(dtype):
    yield SampleInput(T(3, 4, low=0.5, high=1.5))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(2, 3, 4), -1, True)
    yield SampleInput(T())
    yield SampleInput(T(), 0)
    yield SampleInput(T(0, 3), 1)
    yield SampleInput(T(3, 4, noncontig=True), 0)
    yield SampleInput(T(values=[[0.5, 0.0, 2.0], [1.5, -1.0, 3.0]]), name="one zero")
    yield SampleInput(T(values=[[0.5, 0.0, 2.0], [0.0, -1.0, 0.0]]), 1, name="zeros per row")
    yield SampleInput(T(values=[[0.0, 0.0, 2.0], [1.5, -1.0, 0.5]]), name="two zeros")


register(OpInfo("prod", prod, _prod_samples, _dim_errors, method=True, dtypes=ALL))


def _correction(dim, unbiased, correction):
    """Resolve torch's overloads ``var(x, unbiased)``, ``var(x, dim, unbiased)``, correction=."""
    if isinstance(dim, builtins.bool):
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise RuntimeError("Cannot pass both unbiased and correction arguments")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var(input, ...), mean(input, ...))`` as a tuple."""
    v = var(input, dim, unbiased, keepdim, correction=correction)
    dim, _ = _correction(dim, unbiased, correction)
    return v, mean(input, dim, keepdim)


def _var_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(3, 4), -1, False, True)
    yield SampleInput(T(3, 4), False)
    yield SampleInput(T(2, 3, 4), (0, 2), keepdim=True)
    yield SampleInput(T(2, 3, 4), (-1,), correction=0)
    yield SampleInput(T(2, 3, 4), 1, correction=2)
    yield SampleInput(T(4, 5, noncontig=True), 0)
    yield SampleInput(T(0, 3), 1)


def _var_errors():
    yield from _dim_errors()
    yield ErrorInput(SampleInput(T(2, 3, dtype="int64")), RuntimeError,
                     "std and var only support floating point")


register(OpInfo("var_mean", var_mean, _var_samples, _var_errors))


class Var(Node):
    save = (0,)

    def forward(ctx, a, dims, correction, keepdim):
        ctx.dims, ctx.correction, ctx.keepdim = dims, correction, keepdim
        ctx.n = _numel(a.shape, dims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _var(a, dims, correction, keepdim)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _var_backward(g, a, ctx)

    @staticmethod
    def onnx(call):
        return _var_onnx(call, False)


def _var(a, dims, correction, keepdim):
    n = _numel(a.shape, dims)
    real = a.real.dtype  # the variance of complex numbers is real: the mean of |a - mean|^2
    if n == 0:
        return array_module(a).full(np.sum(a, axis=dims, keepdims=keepdim).shape, np.nan,
                                   dtype=real)
    centred = a - np.mean(a, axis=dims, keepdims=True)
    if a.dtype.kind == "c":
        centred = np.abs(centred)
    sq = np.sum(centred * centred, axis=dims, keepdims=keepdim)
    # A Python float divisor keeps float32 inputs in float32.
    return array_module(a).asarray(sq / builtins.float(builtins.max(n - correction, 0)),
                                   dtype=real)


def _var_backward(g, a, ctx):
    centred = a - a.mean(ctx.dims, keepdim=True)
    scale = 2.0 / (ctx.n - ctx.correction) if ctx.n != ctx.correction else np.inf
    return _expand_reduced(g, a.shape, ctx.dims, ctx.keepdim) * centred * scale


def _var_std(node, name, input, dim, unbiased, keepdim, correction):
    dim, correction = _correction(dim, unbiased, correction)
    if not input.is_floating_point() and not input.is_complex():
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _reduce_args(input, dim)
    n = _numel(input._data.shape, dims)
    if n - correction <= 0:
        import warnings

        warnings.warn("%s(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel)." % name,
                      UserWarning, stacklevel=3)
    return node.apply((input,), dims, correction, keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False``
    means 0)."""
    return _var_std(Var, "var", input, dim, unbiased, keepdim, correction)


register(OpInfo("var", var, _var_samples, _var_errors, method=True))


class Std(Node):
    save = (0,)
    save_output = True

    def forward(ctx, a, dims, correction, keepdim):
        ctx.dims, ctx.correction, ctx.keepdim = dims, correction, keepdim
        ctx.n = _numel(a.shape, dims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(_var(a, dims, correction, keepdim))

    def backward(ctx, g):
        from ember.ops.indexing import where

        a, out = ctx.saved_tensors
        # torch zeroes the gradient where the deviation is 0 rather than returning NaN.
        g_var = where(_make(out._data == 0), 0.0, g / (out * 2))
        return _var_backward(g_var, a, ctx)

    @staticmethod
    def onnx(call):
        return _var_onnx(call, True)


def _var_onnx(call, sqrt):
    g = call.g
    dims, correction, keepdim = call.params
    x = call.inputs[0]
    centered = g.op("Sub", x, g.reduce("ReduceMean", x, dims, True))
    squares = g.reduce("ReduceSum", g.op("Mul", centered, centered), dims, keepdim)
    n = int(np.prod([call.arrays[0].shape[d] for d in dims]))
    var = g.op("Div", squares, call.scalar(builtins.max(n - correction, 0)))
    return g.op("Sqrt", var) if sqrt else var


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation: the square root of :func:`var`."""
    return _var_std(Std, "std", input, dim, unbiased, keepdim, correction)


register(OpInfo("std", std, _var_samples, _var_errors, method=True))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std(input, ...), mean(input, ...))`` as a tuple."""
    s = std(input, dim, unbiased, keepdim, correction=correction)
    dim, _ = _correction(dim, unbiased, correction)
    return s, mean(input, dim, keepdim)


register(OpInfo("std_mean", std_mean, _var_samples, _var_errors))


class _TakeAlong(Node):
    """``a`` gathered at ``index`` along ``dim`` (index has a's ndim)."""

    def forward(ctx, a, index, dim, unique):
        ctx.index, ctx.dim, ctx.shape, ctx.unique = index, dim, a.shape, unique
        return np.take_along_axis(a, index, dim)

    def backward(ctx, g):
        return _PutAlong.apply((g,), ctx.index, ctx.dim, ctx.shape, ctx.unique)


class _PutAlong(Node):
    """Zeros of ``shape`` with ``g`` added at ``index`` along ``dim`` (gather's backward)."""

    def forward(ctx, g, index, dim, shape, unique):
        ctx.index, ctx.dim, ctx.unique = index, dim, unique
        out = array_module(g).zeros(shape, dtype=g.dtype)
        if unique:
            np.put_along_axis(out, index, g, dim)
        else:
            grids = list(np.ogrid[tuple(slice(0, s) for s in index.shape)])
            grids[dim] = index
            add_at(out, tuple(grids), g)
        return out

    def backward(ctx, gg):
        return _TakeAlong.apply((gg,), ctx.index, ctx.dim, ctx.unique)


def _select(input, index, dim, keepdim, unique=True):
    """Values of ``input`` at ``index`` (keepdim layout) along ``dim``, differentiably."""
    values = _TakeAlong.apply((input,), index, dim, unique)
    return values if keepdim else values.squeeze(dim)


def _indices(index, dim, keepdim):
    return _make(index if keepdim else np.squeeze(index, dim))


def _argsort(a, dim, descending):
    """Stable order along ``dim``; NaN sorts as the largest value, as torch."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # Stable descending: sort the reversed array ascending and reverse the result.
    n = a.shape[dim]
    rev = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return np.flip(n - 1 - rev, dim)


class LogSumExp(Node):
    save = (0,)
    save_output = True

    def forward(ctx, a, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        if a.size == 0:
            with np.errstate(divide="ignore"):
                return np.log(np.sum(np.exp(a), axis=dims, keepdims=keepdim))
        m = np.amax(a, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(a.dtype)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(a - m), axis=dims, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, dims)

    def backward(ctx, g):
        a, out = ctx.saved_tensors
        out = _expand_reduced(out, a.shape, ctx.dims, ctx.keepdim)
        return _expand_reduced(g, a.shape, ctx.dims, ctx.keepdim) * (a - out).exp()

    @staticmethod
    def onnx(call):
        dims, keepdim = call.params
        return call.g.reduce("ReduceLogSumExp", call.inputs[0], dims, keepdim)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))`` computed without overflow."""
    return LogSumExp.apply((to_float(input),), _reduce_args(input, dim), keepdim)


def _logsumexp_samples(dtype):
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(3, 4), -1, True)
    yield SampleInput(T(2, 3, 4), (0, 2))
    yield SampleInput(T(), 0)
    yield SampleInput(T(0, 3), 0)
    yield SampleInput(T(4, 5, noncontig=True), 0)
    yield SampleInput(T(values=[[1000.0, 1001.0], [-1000.0, -999.0]]), 1, name="stable")
    yield SampleInput(T(values=[[float("-inf"), float("-inf")], [float("inf"), 1.0]],
                        grad=False), 1, name="infinite (values only)")


register(OpInfo("logsumexp", logsumexp, _logsumexp_samples, _dim_errors, method=True))


def _logical_reduce(input, dim, keepdim, fn):
    a = input._data
    dims = _reduce_args(input, dim)
    res = array_module(a).asarray(fn(a, axis=dims, keepdims=keepdim))
    return _make(res.astype(np.uint8) if a.dtype == np.uint8 else res)


def all(input, dim=None, keepdim=False, *, out=None):
    """Whether every element over ``dim`` is nonzero (uint8 inputs give uint8, as torch)."""
    return _logical_reduce(input, dim, keepdim, np.all)


def _logical_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(2, 3, 4), (0, 2), True)
    yield SampleInput(T())
    yield SampleInput(T(0, 3), 1)
    yield SampleInput(T(4, 5, noncontig=True), -1)


register(OpInfo("all", all, _logical_samples, _dim_errors, method=True, dtypes=ALL, grad=False))


def any(input, dim=None, keepdim=False, *, out=None):
    """Whether some element over ``dim`` is nonzero (uint8 inputs give uint8, as torch)."""
    return _logical_reduce(input, dim, keepdim, np.any)


register(OpInfo("any", any, _logical_samples, _dim_errors, method=True, dtypes=ALL, grad=False))


def count_nonzero(input, dim=None):
    """Number of nonzero elements over ``dim`` (int or tuple; all when None), as int64."""
    dims = _reduce_args(input, dim)
    xp = array_module(input._data)
    return _make(xp.asarray(np.count_nonzero(input._data, axis=dims), dtype=np.int64)
                 if input._data.ndim else xp.asarray(builtins.int(input._data != 0)))


def _count_nonzero_samples(dtype):
    yield SampleInput(T(3, 4, low=-1, high=1, dtype="int64"))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(2, 3, 4), (0, -1))
    yield SampleInput(T())
    yield SampleInput(T(0, 3), 1)


register(OpInfo("count_nonzero", count_nonzero, _count_nonzero_samples, _dim_errors, method=True,
                dtypes=ALL, grad=False))
