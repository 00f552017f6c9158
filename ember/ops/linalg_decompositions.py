"""Matrix decompositions of ``torch.linalg``: cholesky, qr, eigh, eig, svd, lu,
householder_product (and the triangular solve they share), with torch's backward formulas.

Each decomposition is a custom ``Function`` whose forward calls NumPy's LAPACK routines on the
whole batch and whose backward is written with ember ops on the saved outputs, so second
derivatives come free. Eigenvectors and singular vectors are defined up to sign; ember returns
them with the largest entry of each vector positive (the records compare torch's result made
canonical the same way).
"""
from ember._backend import array_module, np
from ember._tensor import _make
from ember.autograd.function import Function
from ember.ops._util import sum_to_shape
from ember.ops.creation import eye
from ember.ops.linalg import _check_square, _require_float_matrix, _square
from ember.ops.registry import COMPLEX, FLOAT, ErrorInput, OpInfo, SampleInput, T, register
from ember import return_types


def _lapack_dtype(A, name, kernel, ints_reach_kernel=False, half=None, complex_ok=False):
    """torch's dtype errors of a LAPACK-backed op: float16 (and, for some kernels, integer and
    bool inputs) reach the kernel, which raises NotImplementedError naming it; otherwise
    integers and bool are refused up front; ``half`` overrides the float16 message
    (a RuntimeError). Complex inputs pass when ``complex_ok``."""
    dt = A._data.dtype
    if dt in (np.float32, np.float64) or complex_ok and dt.kind == "c":
        return
    word = _word(A)
    low = dt == np.float16 or A.dtype.name == "bfloat16"  # no LAPACK kernel for either
    if low and half is not None:
        raise RuntimeError(half % word)
    if low or ints_reach_kernel:
        raise NotImplementedError('"%s" not implemented for \'%s\'' % (kernel, word))
    raise RuntimeError("%s: Expected a floating point or complex tensor as input. Got %s"
                       % (name, word))


def _symmetric_input(A, *rest):
    """gradcheck's view of an op that reads one triangle: a symmetric input (torch's
    gradcheck_wrapper_hermitian_input)."""
    return (A + A.mT,) + rest


def _spd(n, batch=(), seed=0):
    """Symmetric positive-definite matrices with distinct eigenvalues."""
    rng = np.random.default_rng(seed + n)
    m = rng.uniform(-1, 1, batch + (n, n))
    return (m @ np.swapaxes(m, -1, -2) + np.eye(n) * (n + np.arange(n))).tolist()


def _symmetric(n, batch=(), seed=0):
    rng = np.random.default_rng(seed + 7 * n)
    m = rng.uniform(-2, 2, batch + (n, n))
    return (m + np.swapaxes(m, -1, -2)).tolist()


# --- triangular solve ---------------------------------------------------------------------

def _triangle(a, upper, unitriangular=False):
    n = a.shape[-1]
    xp = array_module(a)
    mask = np.triu(xp.ones((n, n), bool)) if upper else np.tril(xp.ones((n, n), bool))
    tri = np.where(mask, a, xp.zeros((), a.dtype))
    if unitriangular:
        tri = np.where(xp.eye(n, dtype=bool), xp.ones((), a.dtype), tri)
    return tri


class SolveTriangular(Function):
    """``X`` with ``A X = B`` for triangular ``A`` (left side; the right side transposes)."""

    @staticmethod
    def forward(ctx, A, B, upper, unitriangular):
        a, b = A._data, B._data
        tri = _triangle(a, upper, unitriangular)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        tri = np.broadcast_to(tri, batch + tri.shape[-2:])
        with np.errstate(divide="ignore", invalid="ignore"):
            if tri.shape[-1] == 0 or b.shape[-1] == 0:
                x = array_module(b).zeros(batch + b.shape[-2:], b.dtype)
            else:
                x = _substitute(tri, np.broadcast_to(b, batch + b.shape[-2:]), upper)
        X = _make(x.astype(b.dtype, copy=False))
        ctx.upper, ctx.unitriangular = upper, unitriangular
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, gX):
        A, X = ctx.saved_tensors
        gB = solve_triangular(A.mT, gX, upper=not ctx.upper, unitriangular=ctx.unitriangular)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -gB.matmul(X.mT)
            gA = gA.triu(1 if ctx.unitriangular else 0) if ctx.upper else \
                gA.tril(-1 if ctx.unitriangular else 0)
            gA = sum_to_shape(gA, tuple(A.shape))
        return gA, sum_to_shape(gB, ctx.saved_b_shape), None, None


def _substitute(tri, b, upper):
    """Back or forward substitution, one row at a time over the whole batch (exact zeros on
    the diagonal give inf/NaN as LAPACK's trtrs does)."""
    n = tri.shape[-1]
    x = array_module(b).zeros(b.shape, np.result_type(tri.dtype, b.dtype))
    rows = range(n - 1, -1, -1) if upper else range(n)
    for i in rows:
        acc = b[..., i, :] - np.einsum("...j,...jk->...k", tri[..., i, :], x)
        x[..., i, :] = acc / tri[..., i, i][..., None]
    return x


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """The solution ``X`` of ``A X = B`` (``X A = B`` when not ``left``) for triangular ``A``;
    only the triangle ``upper`` names is read."""
    name = "linalg.solve_triangular"
    _lapack_dtype(A, name, "triangular_solve_cpu", True)
    _require_float_matrix(A, name)
    _require_float_matrix(B, name)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError("%s: Expected A and B to have the same dtype, but found A of type %s "
                           "and B of type %s instead" % (name, _word(A), _word(B)))
    n, m = A._data.shape[-2:]
    if n != m:
        raise RuntimeError("%s: A must be batches of square matrices, but they are %d by %d "
                           "matrices" % (name, n, m))
    if not left:
        return solve_triangular(A.mT, B.mT, upper=not upper, unitriangular=unitriangular).mT
    if B._data.shape[-2] != n:
        raise RuntimeError("%s: Incompatible shapes of A and B for the equation AX = B (%dx%d "
                           "and %dx%d)" % (name, n, n, *B._data.shape[-2:]))
    ctx_shape = tuple(B._data.shape)
    X = _SolveTriangularEntry.apply(A, B, upper, unitriangular, ctx_shape)
    return X


class _SolveTriangularEntry(SolveTriangular):
    """SolveTriangular remembering B's shape (for the gradient of a broadcast B)."""

    @staticmethod
    def forward(ctx, A, B, upper, unitriangular, b_shape):
        ctx.saved_b_shape = b_shape
        return SolveTriangular.forward(ctx, A, B, upper, unitriangular)

    @staticmethod
    def backward(ctx, gX):
        return SolveTriangular.backward(ctx, gX) + (None,)


def _word(t):
    from ember._tensor_str import dtype_word

    return dtype_word(t._data.dtype)


def _tri(n, upper, batch=(), seed=0):
    rng = np.random.default_rng(seed + n)
    m = rng.uniform(-1, 1, batch + (n, n)) + np.eye(n) * 3
    return (np.triu(m) if upper else np.tril(m)).tolist()


def _solve_triangular_samples(dtype):
    yield SampleInput(T(values=_tri(3, True)), T(3, 2), upper=True)
    yield SampleInput(T(values=_tri(3, False)), T(3, 2), upper=False)
    yield SampleInput(T(values=_square(3)), T(2, 3, 2), upper=False, name="reads one triangle")
    yield SampleInput(T(values=_tri(3, True, (2,))), T(4, 3), upper=True, left=False,
                      name="right side")
    yield SampleInput(T(values=_tri(3, False, (2,))), T(2, 3, 1), upper=False,
                      unitriangular=True)


def _solve_triangular_errors():
    yield ErrorInput(SampleInput(T(2, 3), T(2, 2), upper=True), RuntimeError,
                     "A must be batches of square matrices")
    yield ErrorInput(SampleInput(T(3, 3), T(2, 2), upper=True), RuntimeError,
                     "Incompatible shapes of A and B")


register(OpInfo("linalg.solve_triangular", solve_triangular, _solve_triangular_samples,
                _solve_triangular_errors, atol=1e-4, rtol=1e-4))


# --- Cholesky -----------------------------------------------------------------------------

class Cholesky(Function):
    @staticmethod
    def forward(ctx, A, upper):
        L, info = _cholesky_lower(A._data)
        if info is not None:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed "
                               "because the input is not positive-definite (the leading minor "
                               "of order %d is not positive-definite)." % info)
        res = _make(np.swapaxes(L, -1, -2).copy() if upper else L)
        ctx.upper = upper
        ctx.save_for_backward(res)
        return res

    @staticmethod
    def backward(ctx, g):
        (L,) = ctx.saved_tensors
        if ctx.upper:
            L, g = L.mT, g.mT
        return _cholesky_backward(L, g), None


def _cholesky_lower(a):
    """(L, None), or (partial result, order of the first failing minor)."""
    try:
        return np.linalg.cholesky(a), None
    except np.linalg.LinAlgError:
        pass
    # Find the first failing leading minor (LAPACK's info) over the batch.
    n = a.shape[-1]
    for k in range(1, n + 1):
        try:
            np.linalg.cholesky(a[..., :k, :k])
        except np.linalg.LinAlgError:
            return None, k
    return None, n


def _cholesky_backward(L, gL):
    """torch's cholesky_backward: ``gA = L^-H Phi(L^H gL) L^-1``, symmetrised, where Phi keeps
    the lower triangle with the diagonal halved."""
    n = L.shape[-1]
    P = L.mT.matmul(gL.tril())
    P = P.tril() * (1 - 0.5 * eye(n, dtype=P.dtype))
    S = solve_triangular(L.mT, solve_triangular(L.mT, P, upper=True).mT, upper=True).mT
    return 0.5 * (S + S.mT)


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor ``L`` (lower; ``U = L^H`` when ``upper``) of symmetric
    positive-definite matrices; only the lower triangle of ``A`` is read."""
    _lapack_dtype(A, "linalg.cholesky", "cholesky_cpu")
    _check_square(A, "linalg.cholesky")
    return Cholesky.apply(A, upper)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``(L, info)``: :func:`cholesky` with ``info`` > 0 (the order of the failing leading
    minor) instead of an error, unless ``check_errors``."""
    _lapack_dtype(A, "linalg.cholesky", "cholesky_cpu")
    _check_square(A, "linalg.cholesky_ex")
    batch = A._data.shape[:-2]
    L, info = _cholesky_lower(A._data)
    if info is None:
        return _CHOLESKY_EX(Cholesky.apply(A, upper),
                            _make(array_module(A._data).zeros(batch, np.int32)))
    if check_errors:
        Cholesky.apply(A, upper)
    infos = array_module(A._data).zeros(batch, np.int32).reshape(-1)
    flat = A._data.reshape((-1,) + A._data.shape[-2:])
    parts = []
    for i, a in enumerate(flat):
        li, k = _cholesky_lower(a)
        infos[i] = k or 0
        parts.append(np.tril(a) * np.nan if li is None else li)
    res = np.stack(parts).reshape(A._data.shape)
    if upper:
        res = np.swapaxes(res, -1, -2).copy()
    return _CHOLESKY_EX(_make(res), _make(infos.reshape(batch)))


_CHOLESKY_EX = return_types.linalg_cholesky_ex


def _cholesky_samples(dtype):
    yield SampleInput(T(values=_spd(3)))
    yield SampleInput(T(values=_spd(3, (2,))), upper=True)
    yield SampleInput(T(values=_spd(1)))


def _cholesky_errors():
    yield ErrorInput(SampleInput(T(values=[[1.0, 2.0], [2.0, 1.0]])), RuntimeError,
                     "not positive-definite")
    yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "A must be batches of square")


register(OpInfo("linalg.cholesky", cholesky, _cholesky_samples, _cholesky_errors, atol=1e-4,
                rtol=1e-4, gradcheck_wrapper=_symmetric_input))
register(OpInfo("linalg.cholesky_ex", cholesky_ex, _cholesky_samples, atol=1e-4, rtol=1e-4,
                gradcheck_wrapper=_symmetric_input))


# --- QR -----------------------------------------------------------------------------------

class QR(Function):
    @staticmethod
    def forward(ctx, A, mode):
        a = A._data
        m, n = a.shape[-2:]
        if mode == "r":
            r = np.linalg.qr(a, mode="r") if a.size else \
                array_module(a).zeros(a.shape[:-2] + (min(m, n), n), a.dtype)
            q = array_module(a).zeros((0,), a.dtype)
        else:
            q, r = np.linalg.qr(a, mode=mode)
        xp = array_module(a)
        Q, R = _make(xp.ascontiguousarray(q)), _make(xp.ascontiguousarray(r))
        ctx.mode, ctx.shape = mode, (m, n)
        ctx.save_for_backward(Q, R)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        m, n = ctx.shape
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        Q, R = ctx.saved_tensors
        return _qr_backward(Q, R, gQ, gR, m, n), None


def _copyltu(M):
    """The symmetric matrix whose lower triangle is ``M``'s."""
    low = M.tril(-1)
    return low + low.mT + M.tril() - M.tril(-1)


def _qr_backward(Q, R, gQ, gR, m, n):
    """Backward of ``A = QR`` for the reduced factors (m >= n), and for wide ``A = Q [X Y]``
    through its square block: ``gA = (gQ + Q copyltu(M)) R^-H`` with ``M = R gR^H - gQ^H Q``."""
    if m >= n:
        M = R.matmul(gR.mT) - gQ.mT.matmul(Q)
        b = gQ + Q.matmul(_copyltu(M))
        return solve_triangular(R.mT, b, upper=False, left=False)
    X, Y = R[..., :, :m], R[..., :, m:]
    gX, gY = gR[..., :, :m], gR[..., :, m:]
    # A = Q [X Y] with Y = Q^H A_Y: the gradient reaching Q through Y is A_Y gY^H = Q Y gY^H.
    gQ = gQ + Q.matmul(Y).matmul(gY.mT)
    gAX = _qr_backward(Q, X, gQ, gX, m, m)
    return _cat_last(gAX, Q.matmul(gY))


def _cat_last(a, b):
    from ember.ops.manipulation import cat

    return cat([a, b], -1)


_QR = return_types.linalg_qr


def qr(A, mode="reduced", *, out=None):
    """``(Q, R)`` with ``A = Q R``: ``mode`` 'reduced' (k = min(m, n) columns of Q),
    'complete' (square Q) or 'r' (R only; Q empty)."""
    _lapack_dtype(A, "linalg.qr", "geqrf_cpu")
    _require_float_matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError("qr received unrecognized mode '%s' but expected one of 'reduced' "
                           "(default), 'r', or 'complete'" % mode)
    return _QR(*QR.apply(A, mode))


def _qr_samples(dtype):
    yield SampleInput(T(4, 3))
    yield SampleInput(T(3, 3), "complete")
    yield SampleInput(T(2, 3, 2))
    yield SampleInput(T(2, 4), name="wide")
    yield SampleInput(T(3, 5), "complete", name="wide complete")
    yield SampleInput(T(4, 3, grad=False), "r")
    yield SampleInput(T(4, 2, grad=False), "complete", name="tall complete")


def _qr_errors():
    yield ErrorInput(SampleInput(T(3, 3), "full"), RuntimeError, "unrecognized mode 'full'")
    yield ErrorInput(SampleInput(T(3)), RuntimeError, "at least 2 dimensions")


register(OpInfo("linalg.qr", qr, _qr_samples, _qr_errors, atol=1e-4, rtol=1e-4))


# --- canonical signs of eigenvectors and singular vectors -----------------------------------

def _column_signs(X, lib):
    """+-1 per column of ``X`` (shape ``(..., 1, cols)``): the sign of its largest-magnitude
    entry. ``lib`` is ember or torch, so the records can make torch's result canonical too."""
    if X.shape[-2] == 0 or X.shape[-1] == 0:
        return lib.ones(X.shape[:-2] + (1, X.shape[-1]), dtype=X.dtype)
    idx = X.detach().abs().argmax(-2, keepdim=True)
    return 1 - 2 * (X.detach().gather(-2, idx) < 0).to(X.dtype)


def _canonical_svd(U, S, Vh, lib):
    """(U, S, Vh) with each left singular vector's largest entry positive (its right partner
    flipped with it); vectors without a partner (full_matrices) are made canonical alone."""
    k = S.shape[-1]
    su = _column_signs(U, lib)
    top = Vh[..., :k, :] * su[..., 0, :k].unsqueeze(-1)
    if Vh.shape[-2] > k:
        rest = Vh[..., k:, :]
        top = lib.cat([top, rest * _column_signs(rest.mT, lib).mT], -2)
    return U * su, S, top


def _canonical_eigh(L, V, lib):
    return L, V * _column_signs(V, lib)


# --- symmetric eigendecomposition -----------------------------------------------------------

class Eigh(Function):
    @staticmethod
    def forward(ctx, A, uplo):
        a = A._data
        if a.shape[-1] == 0:
            xp = array_module(a)
            w, v = xp.zeros(a.shape[:-1], a.dtype), xp.zeros(a.shape, a.dtype)
        else:
            w, v = np.linalg.eigh(a, UPLO=uplo)
        import ember

        L, V = _canonical_eigh(_make(w), _make(array_module(v).ascontiguousarray(v)), ember)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        return _eigh_backward(L, V, gL, gV), None


def _eigh_backward(L, V, gL, gV):
    """torch's eigenvalue backward for Hermitian input: ``gA = V (diag(gL) + skew(V^H gV) / E)
    V^H`` with ``E_ij = L_j - L_i`` (off the diagonal)."""
    n = L.shape[-1]
    inner = gL.diag_embed()
    if gV is not None:
        VhgV = V.mT.matmul(gV)
        VhgV = 0.5 * (VhgV - VhgV.mT)
        E = L.unsqueeze(-2) - L.unsqueeze(-1)
        E = E + eye(n, dtype=E.dtype)
        inner = inner + VhgV / E
    return V.matmul(inner).matmul(V.mT)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError("Expected UPLO argument to be 'L' or 'U', but got %s" % UPLO)
    return UPLO.upper()


def eigh(A, UPLO="L", *, out=None):
    """``(eigenvalues, eigenvectors)`` of symmetric matrices (only the triangle ``UPLO`` is
    read); eigenvalues ascending, each eigenvector's largest entry positive."""
    _lapack_dtype(A, "linalg.eigh", "linalg_eigh_cpu", True)
    _check_square(A, "linalg.eigh")
    L, V = Eigh.apply(A, _check_uplo(UPLO))
    return return_types.linalg_eigh(L, V)


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of symmetric matrices, ascending."""
    _lapack_dtype(A, "linalg.eigh", "linalg_eigh_cpu", True)
    _check_square(A, "linalg.eigvalsh")
    return Eigh.apply(A, _check_uplo(UPLO))[0]


def _eigh_samples(dtype):
    yield SampleInput(T(values=_symmetric(3)))
    yield SampleInput(T(values=_symmetric(3, (2,))), "U")
    yield SampleInput(T(values=_square(4)), name="reads the lower triangle")
    yield SampleInput(T(values=_square(3)), UPLO="U", name="reads the upper triangle")


def _eigh_errors():
    yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "A must be batches of square")
    yield ErrorInput(SampleInput(T(3, 3), "X"), RuntimeError, "Expected UPLO argument")


def _eigh_ref(torch, A, UPLO="L"):
    L, V = torch.linalg.eigh(A, UPLO)
    return _canonical_eigh(L, V, torch)


register(OpInfo("linalg.eigh", eigh, _eigh_samples, _eigh_errors, ref=_eigh_ref, atol=1e-4,
                rtol=1e-4, gradcheck_wrapper=_symmetric_input))
register(OpInfo("linalg.eigvalsh", eigvalsh, _eigh_samples, _eigh_errors, atol=1e-4,
                rtol=1e-4, gradcheck_wrapper=_symmetric_input))


# --- general eigendecomposition -------------------------------------------------------------

class Eig(Function):
    """LAPACK's geev (through NumPy) on the whole batch; each eigenvector has unit norm and its
    largest-magnitude entry real and positive (torch leaves that entry real, of either sign)."""

    @staticmethod
    def forward(ctx, A):
        a = A._data
        cdt = np.complex64 if a.dtype in (np.float32, np.complex64) else np.complex128
        if a.shape[-1] == 0:
            xp = array_module(a)
            w, v = xp.zeros(a.shape[:-1], cdt), xp.zeros(a.shape, cdt)
        else:
            w, v = np.linalg.eig(a)
            w, v = w.astype(cdt, copy=False), v.astype(cdt, copy=False)
            top = np.take_along_axis(v, np.abs(v).argmax(-2)[..., None, :], -2)
            v = v * (np.conj(top) / np.abs(top))
        ctx.real_input = a.dtype.kind == "f"
        L, V = _make(w), _make(array_module(v).ascontiguousarray(v))
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        return _eig_backward(L, V, gL, gV, ctx.real_input)


def _eig_backward(L, V, gL, gV, real_input):
    """torch's linalg_eig_backward: ``gA = V^-H (diag(gL) + (V^H gV - V^H V diag(re(V^H gV)))
    / conj(E)) V^H`` with ``E_ij = L_j - L_i`` off the diagonal (the projection drops the part
    of ``gV`` along each eigenvector's phase). V and L enter as constants: no double backward."""
    from ember.ops.complex import real

    Vh = V.mH
    n = L.shape[-1]
    inner = gL.diag_embed() if gL is not None else None
    if gV is not None:
        VhgV = Vh.matmul(gV)
        phase = VhgV.diagonal(0, -2, -1).imag
        if not np.allclose(phase._data, 0, rtol=1e-2, atol=1e-2):
            raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are "
                               "specified up to multiplication by e^{i phi}. The specified loss "
                               "function depends on this quantity, so it is ill-defined.")
        projected = VhgV - Vh.matmul(V * real(VhgV.diagonal(0, -2, -1)).unsqueeze(-2))
        E = (L.unsqueeze(-2) - L.unsqueeze(-1)).conj_physical()
        off = 1 - eye(n, dtype=L.real.dtype)
        term = projected * off / (E + (1 - off))
        inner = term if inner is None else inner + term
    gA = _make(np.linalg.inv(Vh._data)).matmul(inner.matmul(Vh))
    return real(gA) if real_input else gA


def eig(A, *, out=None):
    """``(eigenvalues, eigenvectors)`` of square matrices, complex, with ``A V = V diag(L)``;
    each eigenvector has unit norm and its largest-magnitude entry real and positive."""
    _lapack_dtype(A, "linalg.eig", "linalg_eig_out_cpu", complex_ok=True)
    _check_square(A, "linalg.eig", complex_ok=True)
    return return_types.linalg_eig(*Eig.apply(A))


def eigvals(A, *, out=None):
    """The eigenvalues of square matrices, complex, in LAPACK's order (as torch's)."""
    _lapack_dtype(A, "linalg.eigvals", "linalg_eig_out_cpu", complex_ok=True)
    _check_square(A, "linalg.eigvals", complex_ok=True)
    return Eig.apply(A)[0]


def _eig_samples(dtype):
    rng = np.random.default_rng(3)
    yield SampleInput(T(values=rng.uniform(-2, 2, (3, 3)).tolist()))
    yield SampleInput(T(values=rng.uniform(-2, 2, (2, 4, 4)).tolist()), name="batch")
    yield SampleInput(T(values=_symmetric(3)), name="real eigenvalues")
    yield SampleInput(T(values=[[0.0, -1.0], [1.0, 0.0]]), name="a rotation")
    yield SampleInput(T(0, 0), name="empty")


def _complex_eig_samples(dtype):
    rng = np.random.default_rng(4)
    m = rng.uniform(-2, 2, (2, 3, 3)) + 1j * rng.uniform(-2, 2, (2, 3, 3))
    yield SampleInput(T(values=m[0]))
    yield SampleInput(T(values=m), name="batch")


def _eig_errors(name):
    def errors():
        yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "A must be batches of square")
        yield ErrorInput(SampleInput(T(3)), RuntimeError, "at least 2 dimensions")
        yield ErrorInput(SampleInput(T(2, 2, dtype="float16")), NotImplementedError,
                         '"linalg_eig_out_cpu" not implemented for \'Half\'')

    return errors


def _eig_ref(torch, A):
    L, V = torch.linalg.eig(A)
    if V.numel():
        top = V.gather(-2, V.abs().argmax(-2, keepdim=True))
        V = V * (top.conj() / top.abs())
    return L, V


def _eig_record_samples(dtype):
    return _complex_eig_samples(dtype) if dtype.startswith("complex") else _eig_samples(dtype)


# eig's eigenvectors carry a phase: a loss of them must not depend on it (torch raises), which
# random weights and gradcheck's one-hot ones do; tests/test_complex.py checks eig's gradient
# with phase-invariant losses against torch.
register(OpInfo("linalg.eig", eig, _eig_record_samples, _eig_errors("eig"), ref=_eig_ref,
                atol=1e-4, rtol=1e-4, dtypes=FLOAT + COMPLEX, grad=False))
register(OpInfo("linalg.eigvals", eigvals, _eig_record_samples, _eig_errors("eigvals"),
                atol=1e-4, rtol=1e-4, dtypes=FLOAT + COMPLEX, gradgrad=False))


# --- singular value decomposition -----------------------------------------------------------

class SVD(Function):
    @staticmethod
    def forward(ctx, A, full_matrices):
        import ember

        a = A._data
        m, n = a.shape[-2:]
        k = min(m, n)
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        U, S, Vh = _canonical_svd(_make(array_module(u).ascontiguousarray(u)), _make(s),
                                  _make(array_module(vh).ascontiguousarray(vh)), ember)
        ctx.k = k
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        k = ctx.k
        U, gU = U[..., :, :k], gU[..., :, :k]
        Vh, gVh = Vh[..., :k, :], gVh[..., :k, :]
        return _svd_backward(U, S, Vh, gU, gS, gVh), None


def _svd_backward(U, S, Vh, gU, gS, gVh):
    """The real SVD backward (thin factors): ``gA = U [diag(gS) + (F o (U^T gU - gU^T U)) S
    + S (F o (V^T gV - gV^T V))] V^T + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)``
    with ``F_ij = 1 / (s_j^2 - s_i^2)`` off the diagonal."""
    k = S.shape[-1]
    V, gV = Vh.mT, gVh.mT
    S2 = S * S
    F = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    F = 1 / (F + eye(k, dtype=F.dtype)) * (1 - eye(k, dtype=F.dtype))
    UtgU = U.mT.matmul(gU)
    VtgV = V.mT.matmul(gV)
    inner = gS.diag_embed() + (F * (UtgU - UtgU.mT)) * S.unsqueeze(-2) \
        + S.unsqueeze(-1) * (F * (VtgV - VtgV.mT))
    gA = U.matmul(inner).matmul(Vh)
    m, n = U.shape[-2], V.shape[-2]
    inv_s = 1 / S
    if m > k:
        proj = gU - U.matmul(UtgU)
        gA = gA + (proj * inv_s.unsqueeze(-2)).matmul(Vh)
    if n > k:
        proj = gV - V.matmul(VtgV)
        gA = gA + U.matmul(inv_s.unsqueeze(-1) * proj.mT)
    return gA


def svd(A, full_matrices=True, *, driver=None, out=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending; each left singular
    vector's largest entry is positive."""
    _lapack_dtype(A, "linalg.svd", "linalg_svd_cpu")
    _require_float_matrix(A, "linalg.svd")
    return return_types.linalg_svd(*SVD.apply(A, full_matrices))


def svdvals(A, *, driver=None, out=None):
    """Singular values of the matrices in the last two dims, in descending order."""
    _lapack_dtype(A, "linalg.svd", "linalg_svd_cpu")
    _require_float_matrix(A, "linalg.svdvals")
    return SVD.apply(A, False)[1]


def _svd_ref(torch, A, full_matrices=True, driver=None):
    return _canonical_svd(*torch.linalg.svd(A, full_matrices=full_matrices), torch)


def _svd_samples(dtype):
    yield SampleInput(T(4, 3), full_matrices=False)
    yield SampleInput(T(2, 3, 4), False)
    yield SampleInput(T(3, 3))
    # torch's gradient ignores the vectors beyond min(m, n) (LAPACK's arbitrary completion):
    # finite differences see them, so gradcheck skips these ("edge:").
    yield SampleInput(T(3, 2), name="edge: full, one extra column")
    yield SampleInput(T(2, 3), name="edge: full, one extra row")


def _svdvals_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(2, 4, 3))
    yield SampleInput(T(0, 3))


register(OpInfo("linalg.svd", svd, _svd_samples, ref=_svd_ref, atol=1e-4, rtol=1e-4))
register(OpInfo("linalg.svdvals", svdvals, _svdvals_samples, atol=1e-4, rtol=1e-4))
