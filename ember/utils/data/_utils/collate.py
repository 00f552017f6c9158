"""Collation: turning a list of samples into a batch (``default_collate``) and converting NumPy
data to tensors without batching (``default_convert``), with torch's rules.

``collate`` walks the structure of the first sample; ``default_collate_fn_map`` says what to do
with each leaf type and may be extended, as in torch.
"""
import collections.abc
import copy
import re

import numpy as np

from ember._tensor import Tensor, _make
from ember._dtype import from_numpy_dtype

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

# NumPy dtype codes of strings, bytes and objects: such arrays cannot become tensors.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}")


def _wrap(arr):
    from_numpy_dtype(arr.dtype)
    return _make(arr)


def _rebuild_like(elem, values):
    """Rebuild a mapping or sequence of ``elem``'s type holding ``values``, as torch does:
    mutable containers are shallow-copied and filled, others constructed, and a plain
    dict/list is the fallback for types that cannot be built that way."""
    is_map = isinstance(elem, collections.abc.Mapping)
    try:
        if isinstance(elem, (collections.abc.MutableMapping, collections.abc.MutableSequence)):
            clone = copy.copy(elem)
            if is_map:
                clone.update(values)
            else:
                for i, v in enumerate(values):
                    clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return dict(values) if is_map else list(values)


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` following the structure of its first element; leaf types are looked
    up in ``collate_fn_map`` (exact type first, then ``isinstance`` in insertion order)."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for leaf_type, fn in collate_fn_map.items():
            if isinstance(elem, leaf_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_like(elem, {key: collate([d[key] for d in batch],
                                                 collate_fn_map=collate_fn_map) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map)
                           for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # plain tuples become lists, as in torch
        return _rebuild_like(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    shape = batch[0]._data.shape
    for i, t in enumerate(batch):
        if t._data.shape != shape:
            raise RuntimeError("stack expects each tensor to be equal size, but got %s at entry "
                               "0 and %s at entry %d" % (list(shape), list(t._data.shape), i))
    return _make(np.stack([t._data for t in batch]))


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    if np_str_obj_array_pattern.search(batch[0].dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    return collate([_wrap(np.asarray(b)) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return _wrap(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return _make(np.asarray(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None):
    # bool is an int: a batch of bools stays bool, as torch.tensor infers.
    return _make(np.asarray(batch, dtype=np.bool_ if type(batch[0]) is bool else np.int64))


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the samples' structure.

    Tensors and NumPy arrays are stacked along a new first dimension; Python floats become a
    float64 tensor and ints an int64 tensor; strings stay a list; dicts, namedtuples, lists
    are collated field by field; a tuple sample gives a list of columns.

    Example::

        >>> import numpy as np
        >>> out = default_collate([(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 2)])
        >>> type(out).__name__, out[0].shape, out[0].dtype, out[1].tolist()
        ('list', ember.Size([2, 2]), ember.float32, [1, 2])
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """Convert NumPy arrays and scalars in ``data`` to tensors, leaving everything else as is;
    used instead of collation when batching is off (``batch_size=None``)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "bytes_"):
        if elem_type is np.ndarray and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return _wrap(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data])
    return data
