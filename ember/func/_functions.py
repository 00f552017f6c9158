"""vmap at the level of public functions, for ops that compute without an autograd node.

Most ops reach ``Node.apply`` and are batched by their node's rule (``_rules``). A few compute
on raw arrays through paths NumPy cannot batch (host kernels, LAPACK wrappers, data-dependent
shapes); the public function of such an op (``ember.ops._arguments.public_function``) hands
the call to ``call_public`` under vmap, which applies the op's entry of ``FUNCTIONS``:

* ``"batch"``: the op already accepts leading batch dims (elementwise kernels, batched linear
  algebra): it runs once on the physical tensors, aligned as for broadcasting.
* ``"loop"``: the op runs once per sample and the results are stacked (the recorded fallback,
  with its reason in ``LOOP_REASONS``).

An op without an entry runs as usual; if it then meets an array NumPy could not batch, it falls
back to the loop and ``LOOPED`` counts it (``tests/func/test_vmap_registry.py`` fails for an op
that loops without a recorded reason).
"""
import collections

from ember._tensor import Tensor
from ember.func import _batching

LOOPED = collections.Counter()
FUNCTIONS = {}
LOOP_REASONS = {}


def _tensors(values):
    for v in values:
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, (tuple, list)):
            yield from _tensors(v)


def _replace(v, fn):
    if isinstance(v, Tensor):
        return fn(v)
    if isinstance(v, (tuple, list)) and any(True for _ in _tensors(v)):
        return type(v)(_replace(w, fn) for w in v)
    return v


def call_public(name, fn, args, kwargs):
    level = max((_batching.level_of(t) for t in _tensors(list(args) + list(kwargs.values()))),
                default=0)
    if not level:
        return fn(*args, **kwargs)
    how = FUNCTIONS.get(name)
    if how == "batch":
        return _batch(fn, args, kwargs, level)
    if how in ("first", "fold"):
        out = _first(fn, args, kwargs, level, how == "fold")
        if out is not NotImplemented:
            return out
        how = "loop"
    if how == "dim":
        out = _dim(fn, args, kwargs, level)
        if out is not NotImplemented:
            return out
        how = "loop"
    if how == "loop":
        LOOPED[name] += 1
        return _loop(fn, args, kwargs, level)
    try:
        out = fn(*args, **kwargs)
        _check_tracked(out)
        return out
    except _batching.UntrackedArrayError:
        LOOPED[name] += 1
        return _loop(fn, args, kwargs, level)


def _check_tracked(out):
    for t in _tensors(out if isinstance(out, tuple) else (out,)):
        d = t._data
        if d.__class__ is _batching._BatchedArray and d.phys is None:
            raise _batching._untracked_error()


def _batch(fn, args, kwargs, level):
    ts = list(_tensors(list(args) + list(kwargs.values())))
    n = max(t.dim() for t in ts)

    def physical(t):
        p = _batching.unwrap(t, level)
        if p is None:
            return t
        k = p.dim() - 1
        return p if k >= n else p.reshape((p.shape[0],) + (1,) * (n - k) + tuple(p.shape[1:]))
    out = fn(*[_replace(a, physical) for a in args],
             **{k: _replace(v, physical) for k, v in kwargs.items()})
    return _rewrap(out, level)


def _dim(fn, args, kwargs, level):
    """An op of one batched tensor (its first argument) with a ``dim`` argument: the batch dim
    in front, ``dim`` shifted past it. Declines (the loop runs) for ``dim=None``, for a batched
    tensor among the other arguments, and for a 0-d input."""
    import inspect

    x = args[0]
    phys = _batching.unwrap(x, level) if isinstance(x, Tensor) else None
    rest = list(args[1:]) + list(kwargs.values())
    if phys is None or any(_batching.level_of(t) == level for t in _tensors(rest)) \
            or not x.dim():
        return NotImplemented
    params = list(inspect.signature(fn).parameters)
    pos = params.index("dim") if "dim" in params else None
    args = list(args)
    if "dim" in kwargs:
        dim = kwargs["dim"]
    elif pos is not None and pos < len(args):
        dim = args[pos]
    else:
        default = inspect.signature(fn).parameters["dim"].default if pos is not None else None
        dim = default
    if dim is None or not isinstance(dim, int):
        return NotImplemented
    shifted = dim % x.dim() + 1
    if "dim" in kwargs:
        kwargs = dict(kwargs, dim=shifted)
    elif pos < len(args):
        args[pos] = shifted
    else:
        kwargs = dict(kwargs, dim=shifted)
    args[0] = phys
    return _rewrap(fn(*args, **kwargs), level)


def _first(fn, args, kwargs, level, fold):
    """An op batched in its first argument only (the others shared): it runs once on the
    physical tensor (``fold``: with the batch folded into the leading N dim)."""
    x = args[0]
    phys = _batching.unwrap(x, level) if isinstance(x, Tensor) else None
    rest = list(args[1:]) + list(kwargs.values())
    if phys is None or any(_batching.level_of(t) == level for t in _tensors(rest)):
        return NotImplemented
    if not fold:
        return _rewrap(fn(phys, *args[1:], **kwargs), level)
    if x.dim() < 2:
        return NotImplemented
    size, n = phys.shape[0], phys.shape[1]
    out = fn(phys.reshape((size * n,) + tuple(phys.shape[2:])), *args[1:], **kwargs)
    return _batching.wrap(out.reshape((size, n) + tuple(out.shape[1:])), level)


def _rewrap(out, level):
    if isinstance(out, Tensor):
        return _batching.wrap(out, level)
    if isinstance(out, tuple):
        items = [_rewrap(o, level) for o in out]
        return type(out)(*items) if hasattr(out, "_fields") else tuple(items)
    return out


def _loop(fn, args, kwargs, level):
    from ember.ops.manipulation import stack

    size = _batching.batch_size(level)
    if not size:
        raise RuntimeError("vmap: %s has no batching rule and cannot run over an empty batch"
                           % getattr(fn, "__name__", fn))

    def sample(b):
        def pick(t):
            p = _batching.unwrap(t, level)
            # a fresh sample: ops such as as_strided address their input's own storage
            return t if p is None else p.select(0, b).clone()
        return pick
    outs = []
    for b in range(size):
        pick = sample(b)
        outs.append(fn(*[_replace(a, pick) for a in args],
                       **{k: _replace(v, pick) for k, v in kwargs.items()}))
    first = outs[0]
    if isinstance(first, Tensor):
        return _batching.wrap(stack(outs), level)
    if isinstance(first, tuple):
        items = [_batching.wrap(stack([o[i] for o in outs]), level)
                 if isinstance(first[i], Tensor) else first[i] for i in range(len(first))]
        return type(first)(*items) if hasattr(first, "_fields") else tuple(items)
    return first


def _table(how, reason, names):
    for name in names.split():
        FUNCTIONS[name] = how
        if reason:
            LOOP_REASONS[name] = reason


_table("batch", None, """
    special.chebyshev_polynomial_t special.chebyshev_polynomial_u special.chebyshev_polynomial_v
    special.chebyshev_polynomial_w special.shifted_chebyshev_polynomial_t
    special.shifted_chebyshev_polynomial_u special.shifted_chebyshev_polynomial_v
    special.shifted_chebyshev_polynomial_w special.hermite_polynomial_h
    special.hermite_polynomial_he special.laguerre_polynomial_l special.legendre_polynomial_p
    special.bessel_j0 special.bessel_j1 special.bessel_y0 special.bessel_y1 special.airy_ai
    special.modified_bessel_i0 special.modified_bessel_i1 special.modified_bessel_k0
    special.modified_bessel_k1 special.scaled_modified_bessel_k0
    special.scaled_modified_bessel_k1 special.spherical_bessel_j0 heaviside
    bitwise_left_shift bitwise_right_shift frexp ldexp""")
# batched linear algebra of one matrix argument (leading dims are batch dims)
_table("batch", None, """
    linalg.qr qr linalg.svd svd linalg.svdvals linalg.matrix_exp matrix_exp linalg.pinv pinverse
    linalg.cholesky linalg.cholesky_ex cholesky cholesky_inverse linalg.eigh linalg.eigvalsh
    linalg.eig linalg.eigvals linalg.slogdet slogdet logdet det linalg.det inverse linalg.inv
    linalg.inv_ex""")
_table("dim", "dim=None (the flattened input), a 0-d input or a batched index", """
    count_nonzero argmax argmin argsort sort topk kthvalue cummax cummin mode nanmean
    index_select median nanmedian""")
_table("loop", "the output's shape depends on the values", """
    nonzero argwhere unique bincount histc nn.functional.one_hot
    repeat_interleave""")
_table("loop", "two operands whose batch dims NumPy's solvers would not tell from matrix dims",
       """linalg.solve linalg.solve_ex linalg.solve_triangular cholesky_solve lu_solve
       linalg.lu_solve triangular_solve linalg.lstsq lu_unpack geqrf linalg.cond
       linalg.matrix_rank bucketize searchsorted quantile nanquantile msort linalg.ldl_solve""")
_table("loop", "Bunch-Kaufman pivoting runs per matrix in Python", """
    linalg.ldl_factor linalg.ldl_factor_ex""")
_table("loop", "strides and flat indices address one sample's storage", """
    as_strided max_pool1d_with_indices max_pool2d_with_indices max_pool3d_with_indices
    adaptive_max_pool1d adaptive_max_pool2d adaptive_max_pool3d
    adaptive_max_pool1d_with_indices adaptive_max_pool2d_with_indices
    adaptive_max_pool3d_with_indices max_unpool2d max_unpool3d fractional_max_pool2d
    fractional_max_pool3d fractional_max_pool2d_with_indices
    fractional_max_pool3d_with_indices""")
_table("loop", "reads per-sample values as Python numbers", """
    nn.functional.multilabel_margin_loss""")
_table("first", "a per-sample weight or bias", "layer_norm nn.functional.embedding")
_table("fold", "a per-sample weight, bias or running statistic", "group_norm instance_norm")
_table("loop", "statistics kernels on raw arrays (no batching rule yet)", """
    batch_norm nn.functional.ctc_loss nn.functional.multi_margin_loss
    index_add index_copy index_fill""")

_batching._Batching.public = staticmethod(call_public)
