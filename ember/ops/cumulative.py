"""Cumulative ops: cumsum, cumprod, cummax, cummin, logcumsumexp, and the trapezoid rule
(trapezoid/trapz and its running form cumulative_trapezoid)."""
import builtins

from ember import _dtype, return_types
from ember._backend import array_module, np
from ember._tensor import _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import cast, conj, refuse_complex, to_float, wrap_dim
from ember.ops.arithmetic import _out
from ember.ops.reduction import _dim_errors, _int_sum_dtype, _TakeAlong
from ember.ops.registry import ALL, INT_FLOAT, OpInfo, SampleInput, T, register


class Cumsum(Node):
    def forward(ctx, a, dim, dtype=None):
        ctx.dim = dim
        if a.dtype == np.float16 and dtype is None:
            # torch accumulates half in float32 and rounds each running sum once
            return np.cumsum(a, axis=dim, dtype=np.float32).astype(np.float16)
        return np.cumsum(a, axis=dim, dtype=dtype)

    def backward(ctx, g):
        return _ReverseCumsum.apply((g,), ctx.dim)

    @staticmethod
    def onnx(call):
        return call.g.op("CumSum", *call.operands(),
                         call.g.const(np.asarray(call.params[0], np.int64)))


class _ReverseCumsum(Node):
    """Sums from each position to the end along ``dim`` (cumsum's backward, and vice versa)."""

    def forward(ctx, g, dim):
        ctx.dim = dim
        return np.flip(np.cumsum(np.flip(g, dim), axis=dim), dim).copy()

    def backward(ctx, gg):
        return Cumsum.apply((gg,), ctx.dim)


def _cum_dtype(input, dim, dtype):
    d = wrap_dim(dim, input._data.ndim)
    dtype = _int_sum_dtype(input, dtype)
    if dtype is not None:
        input = cast(input, dtype)
    return input, (d if input._data.ndim else None)


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sums along ``dim``; bool and int inputs accumulate in int64."""
    input, d = _cum_dtype(input, dim, dtype)
    if d is None:
        return input.clone()
    return Cumsum.apply((input,), d)


def _cum_samples(dtype):
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(3, 4), -2)
    yield SampleInput(T(2, 3, 4), 0)
    yield SampleInput(T(), 0)
    yield SampleInput(T(0, 3), 1)
    yield SampleInput(T(4, 5, noncontig=True), -1)


register(OpInfo("cumsum", cumsum, _cum_samples, _dim_errors, method=True, inplace="cumsum_",
                dtypes=ALL))


class Cumprod(Node):
    save = (0,)
    save_output = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.cumprod(a, axis=dim)

    def backward(ctx, g):
        a, out = ctx.saved_tensors
        return _cumprod_backward(g, conj(a), conj(out), ctx.dim)


def _cumprod_backward(g, a, out, dim):
    """``grad_k = sum(g_i * prod(a_j for j <= i, j != k) for i >= k)``, exact with zeros.

    With z the first zero of a slice: for k < z the division formula holds; for k >= z,
    ``grad_k`` is the same sum over ``a`` with ``a_z`` replaced by 1, times ``a_z`` when k > z.
    That recursion (one level per zero) only matters for higher derivatives: under no_grad the
    terms for k > z are plain zeros, so a first backward is O(n).
    """
    from ember.autograd.grad_mode import _State
    from ember.ops.indexing import where

    zero = a._data == 0
    if not zero.any():
        return _ReverseCumsum.apply((g * out,), dim) / a
    seen = np.cumsum(zero, axis=dim)
    before = _make(seen == 0)
    first = _make(zero & (seen == 1))
    after = _make(seen >= 1)
    grad = where(before, _ReverseCumsum.apply((g * out,), dim) / where(before, a, 1.0), 0.0)
    a_mod = where(first, 1.0, a)
    if _State.enabled:
        rest = _cumprod_backward(g, a_mod, cumprod(a_mod, dim), dim)
        a_z = (a * first).sum(dim, keepdim=True)
        return grad + where(after, rest * where(first, 1.0, a_z), 0.0)
    # k = z only: prod(a_j, j < z) * sum(g_i * prod(a_j, z < j <= i), i >= z).
    tail = cumprod(where(after & ~first, a, 1.0), dim)
    at_first = cumprod(where(before, a, 1.0), dim) * _ReverseCumsum.apply(
        (g * tail * after,), dim)
    return grad + where(first, at_first, 0.0)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running products along ``dim``; the gradient is exact (and O(n)) when the input has
    zeros."""
    input, d = _cum_dtype(input, dim, dtype)
    if d is None:
        return input.clone()
    return Cumprod.apply((input,), d)


def _cumprod_samples(dtype):
    yield from _cum_samples(dtype)
    yield SampleInput(T(values=[[0.5, 0.0, 2.0, -1.5], [1.5, -1.0, 3.0, 0.0]]), 1, name="zero")
    yield SampleInput(T(values=[[0.5, 0.0, 2.0, 0.0], [0.0, 0.0, 3.0, 2.0]]), -1,
                      name="two zeros")


register(OpInfo("cumprod", cumprod, _cumprod_samples, _dim_errors, method=True,
                inplace="cumprod_", dtypes=ALL))


def _cum_extreme(input, dim, largest):
    name = "cummax" if largest else "cummin"
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    result = getattr(return_types, name)
    if nd == 0:
        return result(input.clone(), _make(array_module(input._data).asarray(0)))
    a = input._data
    acc = (np.maximum if largest else np.minimum).accumulate(a, axis=d) if a.dtype != bool else (
        (np.logical_or if largest else np.logical_and).accumulate(a, axis=d))
    # A position takes over the index when it equals the running extreme (later ties win).
    hit = (a == acc) | np.isnan(a) if a.dtype.kind == "f" else a == acc
    shape = [1] * nd
    shape[d] = a.shape[d]
    positions = np.where(hit, array_module(a).arange(a.shape[d]).reshape(shape), 0)
    index = np.maximum.accumulate(positions, axis=d) if a.size else positions
    index = index.astype(np.int64)
    return result(_TakeAlong.apply((input,), index, d, False), _make(index))


def cummax(input, dim):
    """``(values, indices)`` of the running maximum along ``dim``."""
    refuse_complex('"cummax_cpu" not implemented for \'%s\'', input)
    return _cum_extreme(input, dim, True)


register(OpInfo("cummax", cummax, _cum_samples, _dim_errors, method=True, dtypes=INT_FLOAT))


def cummin(input, dim):
    """``(values, indices)`` of the running minimum along ``dim``."""
    refuse_complex('"cummin_cpu" not implemented for \'%s\'', input)
    return _cum_extreme(input, dim, False)


register(OpInfo("cummin", cummin, _cum_samples, _dim_errors, method=True, dtypes=INT_FLOAT))


def _trapezoid_parts(name, y, x, dx, dim):
    """(mean of neighbouring samples, spacing) along ``dim``."""
    if y.dim() == 0:
        raise IndexError("Dimension specified as %d but tensor has no dimensions" % dim)
    if y.dtype == _dtype.bool:
        raise RuntimeError("%s: received a bool input for `y`, but bool is not supported" % name)
    d = wrap_dim(dim, y.dim())
    n = y.shape[d]
    if n == 0 and name == "trapezoid":
        return None, None, d
    if x is not None:
        xn = x.shape[-1] if x.dim() == 1 else x.shape[wrap_dim(dim, x.dim())]
        if xn != n:
            raise RuntimeError("%s: There must be one `x` value for each sample point" % name)
    if n == 0:
        return None, None, d
    mids = (y.narrow(d, 0, n - 1) + y.narrow(d, 1, n - 1)) / 2
    if x is None:
        return mids, 1 if dx is None else dx, d
    if x.dim() == 1:
        shape = [1] * y.dim()
        shape[d] = -1
        return mids, x.diff().reshape(shape), d
    return mids, x.diff(dim=d), d


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule along ``dim``: spacing ``dx`` (default 1) or sample points ``x``."""
    from ember.ops.creation import zeros

    mids, steps, d = _trapezoid_parts("trapezoid", y, x, dx, dim)
    if mids is None:
        shape = tuple(y.shape[:d]) + tuple(y.shape[d + 1:])
        return zeros(shape, dtype=y.dtype)
    return (mids * steps).sum(d)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid rule along ``dim`` (one element shorter than ``y`` there)."""
    mids, steps, d = _trapezoid_parts("cumulative_trapezoid", y, x, dx, dim)
    if mids is None:
        return to_float(y).clone()
    return (mids * steps).cumsum(d)


def _trapezoid_samples(dtype):
    yield SampleInput(T(3, 5))
    yield SampleInput(T(3, 5), dx=0.5, dim=0)
    yield SampleInput(T(3, 5), T(5, values=[0.0, 0.5, 1.5, 2.0, 3.5]))
    yield SampleInput(T(3, 5), T(3, 5), dim=1)


for _name, _fn in (("trapezoid", trapezoid), ("trapz", trapz),
                   ("cumulative_trapezoid", cumulative_trapezoid)):
    register(OpInfo(_name, _fn, _trapezoid_samples))


class LogCumSumExp(Node):
    save_output = True
    save = (0,)

    def forward(ctx, a, dim):
        ctx.dim = dim
        if a.size == 0:
            return a.copy()
        with np.errstate(invalid="ignore"):
            return np.logaddexp.accumulate(a, axis=dim)

    def backward(ctx, g):
        # stable form: the positive and negative parts of g, each through a reversed
        # log-cum-sum-exp (so the backward is differentiable again)
        from ember.ops.unary import exp, log
        from ember.ops.arithmetic import where

        (a, y), d = ctx.saved_tensors, ctx.dim
        lowest = float(np.finfo(g._data.dtype).min)
        log_abs = log(g.abs())
        pos = where(g > 0, log_abs, lowest) - y
        neg = where(g < 0, log_abs, lowest) - y
        rev = _reverse_logcumsumexp
        return exp(rev(pos, d) + a) - exp(rev(neg, d) + a)


def _reverse_logcumsumexp(t, dim):
    return LogCumSumExp.apply((t.flip((dim,)),), dim).flip((dim,))


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input), dim))`` computed stably."""
    d = wrap_dim(dim, builtins.max(1, input.dim()))
    if not input.is_floating_point():
        raise NotImplementedError('"logcumsumexp_out_cpu" not implemented for \'%s\''
                                  % dtype_word(input._data.dtype))
    if input.dim() == 0:
        return _out(input.clone(), out)
    return _out(LogCumSumExp.apply((input,), d), out)


register(OpInfo("logcumsumexp", logcumsumexp, lambda dt: iter([
    SampleInput(T(3, 4), 1), SampleInput(T(3, 4), 0), SampleInput(T(), 0),
    SampleInput(T(4, values=[-1000.0, 0.0, 1.0, -2.0]), 0, name="spread")]),
    method=True, dtypes=("float32", "float64")))
