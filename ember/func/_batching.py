"""vmap's batched tensors and the dispatch that runs each op once for the whole batch.

Inside ``vmap`` a batched tensor is an ordinary ``Tensor`` whose ``_data`` is a
``_BatchedArray``: a NumPy array of the *logical* (per-sample) shape, a view of the first
sample, that also carries ``phys``, the whole batch with the vmapped dimension in front, and
``level``, the vmap it belongs to (nested vmaps have increasing levels). Public op functions
read shapes and dtypes from ``_data`` as usual, so they see one sample; when they reach
``Node.apply`` with a batched input, ``apply_batched`` takes over: it unwraps the inputs of the
innermost level to their physical tensors, applies the batching rule of the node class (or, for
a node without a rule, runs it once per sample: the recorded fallback of ``_rules.FALLBACK``)
and wraps the physical result again.

The autograd graph is recorded on the physical tensors, so a backward never meets a batched
tensor: ``func.grad`` under vmap differentiates physical outputs with respect to physical leaves
(see ``to_plain``/``from_plain``).

Ops that compute on ``_data`` without a node (comparisons, ``isnan``...) meet the
``_BatchedArray`` itself: NumPy ufuncs (elementwise calls and reductions) are batched in
``__array_ufunc__``, other NumPy functions run once per sample in ``__array_function__``. An
array derived from a batched one by any other NumPy path has no ``phys``; using it as a batched
tensor raises instead of silently computing on one sample.
"""
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import _Batching


class _BatchedArray(np.ndarray):
    """The logical view of a batched array (see the module doc)."""

    level = 0
    phys = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from ember.func._array_rules import batched_ufunc

        return batched_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from ember.func._array_rules import batched_function

        return batched_function(func, args, kwargs)

    # ndarray methods that NumPy does not route through the two hooks above, batched here
    def astype(self, dtype, *args, **kwargs):
        return self._each(lambda p: p.astype(dtype, *args, **kwargs))

    def copy(self, order="C"):
        return self._each(lambda p: p.copy(order))

    def fill(self, value):
        self._checked().fill(value)

    def reshape(self, *shape, order="C"):
        from ember.func._array_rules import reshape

        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        if -1 in shape:
            known = int(np.prod([s for s in shape if s != -1])) if len(shape) > 1 else 1
            shape = tuple(self.size // known if s == -1 else s for s in shape) if known else shape
        return reshape(self, tuple(shape))

    def ravel(self, order="C"):
        return self.reshape(-1)

    flatten = ravel

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        n = self.ndim
        axes = tuple(range(n))[::-1] if not axes or axes == (None,) else axes
        return self._each(lambda p: p.transpose((0,) + tuple(a % n + 1 for a in axes)))

    @property
    def T(self):
        return self.transpose()

    def swapaxes(self, a, b):
        n = self.ndim
        return self._each(lambda p: p.swapaxes(a % n + 1, b % n + 1))

    def __getitem__(self, idx):
        from ember.func._array_rules import getitem

        return getitem(self, idx)

    def __setitem__(self, idx, value):
        from ember.func._array_rules import setitem

        setitem(self, idx, value)

    def item(self, *args):
        raise DataDependentError("vmap: It looks like you're calling .item() on a Tensor. We "
                                 "don't support vmap over calling .item() on a Tensor, please "
                                 "try to rewrite what you're doing with other operations.")

    tolist = item

    def _data_dependent(self, *args):
        raise DataDependentError("vmap: It looks like you're attempting to use a Tensor in some "
                                 "data-dependent control flow. We don't support that yet, please "
                                 "file an issue at https://github.com/pytorch/pytorch/issues .")

    __int__ = __index__ = __float__ = __complex__ = _data_dependent

    def argmax(self, axis=None, out=None, **kwargs):
        return np.argmax(self, axis, **kwargs)

    def argmin(self, axis=None, out=None, **kwargs):
        return np.argmin(self, axis, **kwargs)

    def cumsum(self, axis=None, dtype=None, out=None):
        return np.cumsum(self, axis, dtype)

    def cumprod(self, axis=None, dtype=None, out=None):
        return np.cumprod(self, axis, dtype)

    def _checked(self):
        if self.phys is None:
            raise _untracked_error()
        return self.phys

    def _each(self, fn):
        """``fn`` applied to the physical array (batch dims in front are left alone by it)."""
        return wrap_array(fn(self._checked()), self.level)


class _State:
    """The batch size of each active vmap level (level = index + 1)."""

    sizes = []


def active_levels():
    return list(range(1, len(_State.sizes) + 1))


def batch_size(level):
    return _State.sizes[level - 1]


def push(size):
    _State.sizes.append(size)
    _Batching.depth = len(_State.sizes)
    return len(_State.sizes)


def pop():
    _State.sizes.pop()
    _Batching.depth = len(_State.sizes)


def level_of(t):
    d = t._data
    return d.level if d.__class__ is _BatchedArray else 0


def wrap_array(phys, level):
    """The logical ``_BatchedArray`` of the physical array ``phys`` (batch dim in front)."""
    if phys.shape[0]:
        view = phys[0, ...]
    else:
        view = np.zeros(phys.shape[1:], phys.dtype)
    arr = view.view(_BatchedArray)
    arr.level = level
    arr.phys = phys
    return arr


def wrap(phys, level):
    """The batched tensor of level ``level`` whose physical tensor is ``phys``."""
    t = _make(wrap_array(phys._data, level))
    t._requires_grad = phys._requires_grad
    t._grad_fn = phys._grad_fn
    t._phys = phys
    return t


class UntrackedArrayError(RuntimeError):
    """A batched tensor was computed by a NumPy path that saw one sample (the public function
    of its op then runs once per sample, see ``_functions``)."""


class DataDependentError(UntrackedArrayError):
    """A batched value was read as a Python number (``item()``, ``int()``...): torch's vmap
    error; a public function that does so internally runs once per sample instead."""


def _untracked_error():
    return UntrackedArrayError(
        "vmap: a batched tensor was computed outside ember's batching rules (a NumPy path "
        "that only saw one sample); this op is not supported inside vmap")


def unwrap(t, level):
    """The physical tensor of ``t`` at ``level`` (batch dim 0), or None if ``t`` is not batched
    at that level."""
    d = t._data
    if d.__class__ is not _BatchedArray or d.level != level:
        return None
    if d.phys is None:
        raise _untracked_error()
    phys = t.__dict__.get("_phys")
    if phys is None or phys._data is not d.phys:
        phys = _make(d.phys)
    return phys


def logical_dim(phys, batched):
    return phys.dim() - 1 if batched else phys.dim()


def param_level(p):
    """The innermost level of the batched arrays in a node parameter (in tuples and lists, and
    in the slots of a parameter object such as a normalisation spec); 0 if none."""
    if p.__class__ is _BatchedArray:
        return p.level
    if isinstance(p, (tuple, list)):
        return max((param_level(q) for q in p), default=0)
    slots = getattr(type(p), "__slots__", None)
    if slots and not isinstance(p, (Tensor, np.ndarray)):
        return max((param_level(getattr(p, k, None)) for k in slots
                    if k not in ("__dict__", "__weakref__")), default=0)
    return 0


def apply_batched(cls, inputs, params, kwparams, multi):
    """``cls.apply`` (or ``apply_multi``) on inputs (or parameters) of which some are batched."""
    from ember.func._rules import run_rule

    level = max(max((level_of(t) for t in inputs), default=0),
                max((param_level(p) for p in params), default=0),
                max((param_level(p) for p in kwparams.values()), default=0))
    phys, flags = [], []
    for t in inputs:
        p = unwrap(t, level)
        phys.append(t if p is None else p)
        flags.append(p is not None)
    out = run_rule(cls, phys, flags, batch_size(level), params, kwparams, multi)
    if multi:
        return tuple(wrap(o, level) for o in out)
    return wrap(out, level)


def _is_batched(inputs, params, kwparams):
    for t in inputs:
        if t._data.__class__ is _BatchedArray:
            return True
    return any(param_level(p) for p in params) or any(param_level(p) for p in kwparams.values())


_Batching.batched = staticmethod(_is_batched)
_Batching.apply = staticmethod(apply_batched)


# --- moving between logical and physical tensors (vmap's entry/exit, func's autograd) ---------
def structure(t):
    """The levels ``t`` is batched at, innermost first."""
    levels = []
    while isinstance(t, Tensor):
        lv = level_of(t)
        if not lv:
            break
        levels.append(lv)
        t = unwrap(t, lv)
    return levels


def to_plain(t):
    """The unbatched tensor holding all of ``t``'s batch dims in front (outermost level first)."""
    lv = level_of(t)
    while lv:
        t = unwrap(t, lv)
        lv = level_of(t)
    return t


def from_plain(p, levels):
    """Inverse of ``to_plain`` for a tensor batched at ``levels`` (any order)."""
    for lv in sorted(levels):
        p = wrap(p, lv)
    return p


def expand_levels(t, levels):
    """``t`` batched at every level of ``levels`` (ascending), expanding where it is not."""
    if not levels:
        return t
    top = levels[-1]
    if level_of(t) == top:
        return wrap(expand_levels(unwrap(t, top), levels[:-1]), top)
    inner = expand_levels(t, levels[:-1])
    phys = inner.unsqueeze(0).expand((batch_size(top),) + tuple(inner.shape))
    return wrap(phys, top)
