"""Batching of NumPy calls on ``_BatchedArray`` (ops that compute on ``_data`` without a node).

Ufunc calls broadcast (the batch dim in front, the logical dims aligned), ufunc reductions
shift their axes, ``np.copyto`` writes batch into batch (and refuses to write a batch into an
unbatched array, as torch refuses such in-place ops). Every other NumPy function runs once per
sample and the results are stacked; ``LOOPED`` counts those runs per function name.
"""
import collections

from ember._backend import np
from ember.func._batching import _BatchedArray, _untracked_error, batch_size, wrap_array

LOOPED = collections.Counter()
# NumPy function name -> why it runs once per sample.
LOOP_REASONS = {
    "broadcast_to": "the target shape is one sample's; the batch would have to be inserted",
    "getitem": "per-sample index arrays, boolean masks, or arrays separated by a slice",
}


def _level(values):
    lv = 0
    for v in values:
        if v.__class__ is _BatchedArray:
            if v.phys is None:
                raise _untracked_error()
            lv = max(lv, v.level)
        elif isinstance(v, (tuple, list)):
            lv = max(lv, _level(v))
    return lv


def select(arr, dim, b):
    """``arr`` indexed ``b`` along ``dim`` (logical dims of a batched array)."""
    if arr.__class__ is _BatchedArray:
        return wrap_array(select(arr.phys, dim + 1, b), arr.level)
    return arr[(slice(None),) * dim + (b,)]


def reshape(arr, shape):
    """``arr`` (batched or not) reshaped to the logical ``shape``."""
    if arr.__class__ is _BatchedArray:
        if arr.phys is None:
            raise _untracked_error()
        return wrap_array(reshape(arr.phys, (arr.phys.shape[0],) + shape), arr.level)
    return arr.reshape(shape)


_reshape = reshape


def _basic(idx):
    return all(x is None or x is Ellipsis or isinstance(x, (slice, int, np.integer))
               for x in idx)


def getitem(arr, idx):
    """``arr[idx]`` for a batched ``arr``: a leading full slice for the batch when the index is
    basic (or its arrays are adjacent and unbatched), else one sample at a time."""
    from ember.func._rules import _adjacent_advanced

    if arr.phys is None:
        raise _untracked_error()
    idx = idx if isinstance(idx, tuple) else (idx,)
    if not _level(idx) and (_basic(idx) or _adjacent_advanced(idx)) \
            and not any(getattr(getattr(x, "dtype", None), "kind", "") == "b" for x in idx):
        res = arr.phys[(slice(None),) + idx]
        if not isinstance(res, np.ndarray):
            res = np.asarray(res)
        return wrap_array(res, arr.level)
    return _loop(lambda a, i: a[i], (arr, idx), {}, max(arr.level, _level(idx)), "getitem")


def setitem(arr, idx, value):
    """``arr[idx] = value`` for a batched ``arr``: every sample is written."""
    if arr.phys is None:
        raise _untracked_error()
    idx = idx if isinstance(idx, tuple) else (idx,)
    level = arr.level
    if value.__class__ is not _BatchedArray and not _level(idx) and _basic(idx):
        arr.phys[(slice(None),) + idx] = value
        return
    for b in range(batch_size(level)):
        target = select(arr.phys, 0, b)
        target[sample_of(idx, level, b)] = sample_of(value, level, b)


def _physical(v, level, n):
    """``v``'s batch at ``level`` with ones padded to ``n`` logical dims."""
    if v.__class__ is _BatchedArray and v.level == level:
        k = v.ndim
        phys = v.phys
        if k < n:
            phys = _reshape(phys, (phys.shape[0],) + (1,) * (n - k) + tuple(v.shape))
        return phys
    return v


def batched_ufunc(ufunc, method, inputs, kwargs):
    out = kwargs.pop("out", None)
    level = _level(inputs)
    if not level:
        level = _level(out or ())
    if method == "__call__":
        n = max(np.ndim(v) for v in inputs)
        res = ufunc(*[_physical(v, level, n) for v in inputs], **kwargs)
        res = tuple(wrap_array(r, level) for r in res) if isinstance(res, tuple) \
            else wrap_array(res, level)
    elif method in ("reduce", "accumulate") and len(inputs) == 1:
        (v,) = inputs
        axis = kwargs.pop("axis", 0 if method == "accumulate" else None)
        n = v.ndim
        if axis is None:
            axis = tuple(range(1, n + 1))
        elif isinstance(axis, tuple):
            axis = tuple(a % n + 1 for a in axis)
        else:
            axis = axis % n + 1 if n else 1
        res = wrap_array(getattr(ufunc, method)(v.phys, axis=axis, **kwargs), level)
    else:
        res = _loop(getattr(ufunc, method), inputs, kwargs, level, ufunc.__name__)
    if out is None:
        return res
    return _write(out[0], res)


def _write(dst, res):
    if dst.__class__ is not _BatchedArray:
        raise RuntimeError(
            "vmap: inplace arithmetic(self, *extra_args) is not possible because there exists a "
            "Tensor `other` in extra_args that has batch dimensions and `self` does not")
    np.copyto(dst.phys, np.broadcast_to(_physical(res, dst.level, dst.ndim), dst.phys.shape)
              if res.__class__ is _BatchedArray else res)
    return dst


# NumPy functions that only read metadata: answered on the logical (one-sample) views.
_METADATA = {np.ndim, np.shape, np.size, np.may_share_memory, np.shares_memory, np.result_type,
             np.can_cast, np.iscomplexobj, np.isrealobj, np.min_scalar_type}
# Elementwise functions that are not ufuncs: applied to the aligned batches.
_ELEMENTWISE = {np.isposinf, np.isneginf, np.where, np.clip, np.nan_to_num, np.round,
                np.around, np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.copy,
                np.isclose, np.real, np.imag}
# Functions of one array with an ``axis`` (positional index 1 or keyword); the set says which
# read ``axis=None`` as "every axis" (and take a tuple), the others flatten then (looped).
_AXIS_NONE_ALL = {np.sum, np.all, np.any, np.amax, np.amin, np.max, np.min, np.prod, np.mean,
                  np.count_nonzero, np.flip, np.nansum, np.nanmax, np.nanmin, np.var, np.std}
_AXIS = _AXIS_NONE_ALL | {np.argmax, np.argmin, np.argsort, np.sort, np.cumsum, np.cumprod,
                          np.expand_dims, np.squeeze, np.nanargmax, np.nanargmin, np.diff}


def _logical(v):
    if v.__class__ is _BatchedArray:
        return v.view(np.ndarray)
    if isinstance(v, (tuple, list)):
        return type(v)(_logical(w) for w in v)
    return v


def _axis_call(func, args, kwargs, level):
    args = list(args)
    v = args[0]
    if v.__class__ is not _BatchedArray or v.level != level or _level(args[1:]) \
            or _level(tuple(kwargs.values())):
        return NotImplemented
    positional = len(args) > 1
    axis = args[1] if positional else kwargs.get("axis")
    n = v.ndim
    if func is np.expand_dims:
        n += len(axis) if isinstance(axis, tuple) else 1
    if axis is None:
        if func not in _AXIS_NONE_ALL or func is np.squeeze:
            return NotImplemented
        axis = tuple(range(1, n + 1))
    elif isinstance(axis, tuple):
        axis = tuple(a % n + 1 for a in axis)
    else:
        axis = axis % n + 1 if n else 1
    if positional:
        args[1] = axis
    else:
        kwargs = dict(kwargs, axis=axis)
    return wrap_array(func(v.phys, *args[1:], **kwargs), level)


def batched_function(func, args, kwargs):
    if func in _METADATA:
        return func(*_logical(args), **kwargs)
    level = _level(args) or _level(tuple(kwargs.values()))
    if func in _ELEMENTWISE and not _level(tuple(kwargs.values())) \
            and not (func is np.where and len(args) != 3):
        n = max(np.ndim(v) for v in args)
        res = func(*[_physical(v, level, n) if not isinstance(v, tuple) else v for v in args],
                   **kwargs)
        return wrap_array(res, level)
    if func in _AXIS:
        res = _axis_call(func, args, kwargs, level)
        if res is not NotImplemented:
            return res
    if func is np.copyto:
        dst, src = args[0], args[1]
        level = _level((dst, src))
        if dst.__class__ is _BatchedArray and dst.level == level:
            src = np.broadcast_to(_physical(src, level, dst.ndim), dst.phys.shape) \
                if src.__class__ is _BatchedArray and src.level == level else src
            np.copyto(dst.phys, src, **kwargs)
            return None
        if _level((src,)) == level:
            _write(dst, src)
    return _loop(func, args, kwargs, level, func.__name__)


def sample_of(v, level, b):
    """Sample ``b`` of a value holding arrays batched at ``level`` (through tuples/lists)."""
    if v.__class__ is _BatchedArray and v.level == level:
        return select(v.phys, 0, b)
    if isinstance(v, (tuple, list)):
        return type(v)(sample_of(w, level, b) for w in v)
    return v


def _loop(fn, args, kwargs, level, name):
    LOOPED[name] += 1
    size = batch_size(level)
    outs = [fn(*sample_of(args, level, b), **{k: sample_of(v, level, b) for k, v in kwargs.items()})
            for b in range(size)]
    if not outs:
        raise RuntimeError("vmap: %s has no batching rule and cannot run over an empty batch"
                           % name)
    if isinstance(outs[0], tuple):
        return tuple(wrap_array(np.stack([_arr(o[i]) for o in outs]), level)
                     for i in range(len(outs[0])))
    if outs[0] is None or not isinstance(outs[0], (np.ndarray, np.generic)):
        return outs[0]
    return wrap_array(np.stack([_arr(o) for o in outs]), level)


def _arr(v):
    return v if isinstance(v, np.ndarray) else np.asarray(v)
