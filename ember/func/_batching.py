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


def apply_batched(cls, inputs, params, kwparams, multi):
    """``cls.apply`` (or ``apply_multi``) on inputs of which some are batched."""
    from ember.func._rules import run_rule

    level = max(level_of(t) for t in inputs)
    phys, flags = [], []
    for t in inputs:
        p = unwrap(t, level)
        phys.append(t if p is None else p)
        flags.append(p is not None)
    out = run_rule(cls, phys, flags, batch_size(level), params, kwparams, multi)
    if multi:
        return tuple(wrap(o, level) for o in out)
    return wrap(out, level)


def _is_batched(inputs):
    for t in inputs:
        if t._data.__class__ is _BatchedArray:
            return True
    return False


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
