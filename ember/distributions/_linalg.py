"""Cholesky factorisation and triangular solves with gradients, for MultivariateNormal (ember's
``linalg`` has neither yet). Backward formulas use these same functions, so they nest."""
from ember._backend import np
from ember._tensor import _make
from ember.autograd.function import Function
from ember.ops.creation import eye


def _tril_mask(n, upper):
    m = np.tril(np.ones((n, n), dtype=bool))
    return m.T if upper else m


class _Cholesky(Function):
    @staticmethod
    def forward(ctx, a):
        arr = a.detach().numpy()
        try:
            out = np.linalg.cholesky(arr)
        except np.linalg.LinAlgError:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed "
                               "because the input is not positive-definite.") from None
        res = _make(out)
        ctx.save_for_backward(res)
        return res

    @staticmethod
    def backward(ctx, g):
        (L,) = ctx.saved_tensors
        # gA = L^{-T} Phi(L^T gL) L^{-1}, symmetrised; Phi keeps the lower triangle and halves
        # the diagonal.
        p = L.mT @ g
        n = p.shape[-1]
        p = p.tril() * (1 - 0.5 * eye(n, dtype=p.dtype))
        x = solve_triangular(L.mT, p, upper=True)
        ga = solve_triangular(L.mT, x.mT, upper=True).mT
        return 0.5 * (ga + ga.mT)


class _SolveTriangular(Function):
    @staticmethod
    def forward(ctx, a, b, upper):
        n = a.shape[-1]
        tri = np.where(_tril_mask(n, upper), a.detach().numpy(), 0)
        out = _make(np.linalg.solve(np.broadcast_to(tri, np.broadcast_shapes(
            tri.shape[:-2], b.shape[:-2]) + (n, n)), b.detach().numpy()))
        ctx.upper = upper
        ctx.b_shape = tuple(b.shape)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = solve_triangular(a.mT, g, upper=not ctx.upper)
        ga = -(gb @ x.mT)
        ga = ga.triu() if ctx.upper else ga.tril()
        return _reduce(ga, a.shape), _reduce(gb, ctx.b_shape), None


def _reduce(g, shape):
    from ember.ops._util import sum_to_shape

    return sum_to_shape(g, tuple(shape))


def cholesky(a):
    """The lower Cholesky factor of the symmetric positive-definite ``a``."""
    return _Cholesky.apply(a)


def solve_triangular(a, b, upper):
    """``a^{-1} b`` for triangular ``a`` (batch dims broadcast)."""
    return _SolveTriangular.apply(a, b, upper)
