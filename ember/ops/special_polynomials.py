"""The orthogonal polynomials of ``torch.special``: Chebyshev (T, U, V, W and their shifted
forms on [0, 1]), Hermite (H, He), Laguerre and Legendre, evaluated by their three-term
recurrences (the order ``n`` truncated to an integer; 0 for ``n < 0``). As in torch they carry
no gradient.
"""
from ember import _dtype
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.ops._util import check_broadcast
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register

# name -> (p_0(x), p_1(x), step(k, x, p_k, p_{k-1}) -> p_{k+1}, value at x = 1, at x = -1)
_RECURRENCES = {
    "chebyshev_polynomial_t": (lambda x: 1.0, lambda x: x,
                               lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_u": (lambda x: 1.0, lambda x: 2 * x,
                               lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_v": (lambda x: 1.0, lambda x: 2 * x - 1,
                               lambda k, x, p, q: 2 * x * p - q),
    "chebyshev_polynomial_w": (lambda x: 1.0, lambda x: 2 * x + 1,
                               lambda k, x, p, q: 2 * x * p - q),
    "hermite_polynomial_h": (lambda x: 1.0, lambda x: 2 * x,
                             lambda k, x, p, q: 2 * x * p - 2 * k * q),
    "hermite_polynomial_he": (lambda x: 1.0, lambda x: x,
                              lambda k, x, p, q: x * p - k * q),
    "laguerre_polynomial_l": (lambda x: 1.0, lambda x: 1 - x,
                              lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1)),
    "legendre_polynomial_p": (lambda x: 1.0, lambda x: x,
                              lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1)),
}


def _evaluate(name, x, n):
    """``p_n(x)`` elementwise in ``x``'s dtype, as torch (``x``, ``n`` broadcast arrays)."""
    first, second, step = _RECURRENCES[name]
    n = np.trunc(np.where(np.isfinite(n), n, -1)).astype(np.int64)
    xp = array_module(x)
    prev = np.broadcast_to(xp.asarray(first(x), x.dtype), x.shape).copy()
    cur = xp.asarray(second(x), x.dtype)
    res = np.where(n == 0, prev, cur)
    top = int(n.max()) if n.size else 0
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, top):
            prev, cur = cur, step(k, x, cur, prev)
            res = np.where(n == k + 1, cur, res)
    return np.where(n < 0, xp.zeros((), x.dtype), res)


def _polynomial(name, shifted=False):
    def fn(input, n, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(n, Tensor):
            raise TypeError("special_%s() received an invalid combination of arguments - got "
                            "(%s, %s), but expected one of: (Tensor x, Tensor n), (Number x, "
                            "Tensor n), (Tensor x, Number n)" % (
                                name, type(input).__name__, type(n).__name__))
        # a Python number on either side is made where the tensor side lives
        xp = array_module(*(t._data for t in (input, n) if isinstance(t, Tensor)))
        xs = input._data if isinstance(input, Tensor) else xp.asarray(input)
        ns = n._data if isinstance(n, Tensor) else xp.asarray(n)
        dtype = _result_dtype(input, n)
        if dtype == np.float16:
            raise NotImplementedError("\"%s_cpu\" not implemented for 'Half'" % public)
        check_broadcast(xs, ns)
        x, k = np.broadcast_arrays(xs.astype(dtype, copy=False), ns.astype(np.float64, copy=False))
        if shifted:
            x = 2 * x - 1
        res = _make(_evaluate(name, x, k).astype(dtype, copy=False))
        if out is not None:
            out.copy_(res)
            return out
        return res

    public = ("shifted_" if shifted else "") + name
    fn.__name__ = fn.__qualname__ = public
    fn.__doc__ = "The %s%s of degree ``n`` at ``input``." % (
        name.replace("_", " ").replace("polynomial", "polynomial"),
        " on [0, 1] (its argument mapped by 2x - 1)" if shifted else "")
    return fn


def _result_dtype(x, n):
    from ember import result_type

    dt = result_type(x, n) if isinstance(x, Tensor) and isinstance(n, Tensor) else (
        x.dtype if isinstance(x, Tensor) else n.dtype)
    if not dt.is_floating_point:
        dt = _dtype.get_default_dtype()
    return dt.np


def _samples(dtype):
    yield SampleInput(T(3, 4, low=-1.0, high=1.0), 3)
    yield SampleInput(T(5, low=-1.5, high=1.5), 9, name="trigonometric range")
    yield SampleInput(T(values=[-1.0, -0.5, 0.0, 0.3, 1.0, 2.0, 1e10]), 4, name="edge: +-1")
    yield SampleInput(0.25, T(values=[-1.0, 0.0, 1.0, 2.7, 3.0, 12.0]), name="orders")
    yield SampleInput(T(2, 3, low=-1.0, high=1.0), T(values=[[0.0, 1.0, 5.0]]), name="both")
    yield SampleInput(T(0, 2), 2)


def _errors():
    yield ErrorInput(SampleInput(2, 3), TypeError, "invalid combination of arguments")


for _name in _RECURRENCES:
    for _shifted in ((False, True) if _name.startswith("chebyshev") else (False,)):
        _fn = _polynomial(_name, _shifted)
        globals()[_fn.__name__] = _fn
        register(OpInfo("special." + _fn.__name__, _fn, _samples, _errors, grad=False,
                        dtypes=("float32", "float64", "int64"), atol=1e-4, rtol=1e-5))
del _name, _shifted, _fn
