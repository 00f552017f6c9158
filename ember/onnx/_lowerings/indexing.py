"""Indexing with constants: basic indices (ints, slices, None, Ellipsis), one index array,
gather, index_select, masked_fill."""
import numpy as np

from ember.ops import indexing as I
from ember.ops import scatter_gather as SG
from ember.onnx._lowerings.arithmetic import operands
from ember.onnx._trace import lowers

_BIG = np.iinfo(np.int64).max



def basic_index(call, x, shape, idx):
    """``x[idx]`` for a basic index: one Slice, then Squeeze for ints, Unsqueeze for None.
    A slice that runs to the end of an axis ends at "the end" (INT64_MAX), so it stays right
    for a dynamic axis."""
    g = call.g
    if not isinstance(idx, tuple):
        idx = (idx,)
    items = list(idx)
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis in items:
        k = items.index(Ellipsis)
        items[k:k + 1] = [slice(None)] * (len(shape) - used)
    else:
        items += [slice(None)] * (len(shape) - used)
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    axis, out_axis = 0, 0
    for item in items:
        if item is None:
            unsqueeze.append(out_axis)
            out_axis += 1
            continue
        n = shape[axis]
        if isinstance(item, slice):
            start, stop, step = item.indices(n)
            if (start, stop, step) != (0, n, 1):
                if step > 0 and stop >= n:
                    stop = _BIG
                elif step < 0 and stop < 0:
                    stop = -_BIG
                starts.append(start)
                ends.append(stop)
                axes.append(axis)
                steps.append(step)
            out_axis += 1
        else:
            i = int(item) % n
            starts.append(i)
            ends.append(i + 1)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        axis += 1
    if axes:
        x = g.slice(x, starts, ends, axes, steps)
    if squeeze:
        x = g.squeeze(x, squeeze)
    if unsqueeze:
        x = g.unsqueeze(x, unsqueeze)
    if not axes and not squeeze and not unsqueeze:
        x = g.op("Identity", x)
    return x


@lowers(I.Index)
def _index(call):
    idx, basic = call.params
    shape = call.arrays[0].shape
    if basic:
        return basic_index(call, call.inputs[0], shape, idx)
    items = list(idx) if isinstance(idx, tuple) else [idx]
    arrays = [k for k, i in enumerate(items) if isinstance(i, np.ndarray)]
    simple = all(isinstance(i, slice) and i == slice(None) for k, i in enumerate(items)
                 if k not in arrays)
    if len(arrays) != 1 or not simple or any(i is None or i is Ellipsis for i in items):
        call.fail("advanced indexing other than one integer index array (with full slices "
                  "elsewhere)")
    (k,) = arrays
    index = items[k]
    if index.dtype == np.bool_:
        call.fail("boolean mask indexing (its result's shape depends on the data)")
    return call.g.op("Gather", call.inputs[0], call.input_of(index.astype(np.int64, copy=False)),
                     axis=k)


@lowers(I.IndexSelect)
def _index_select(call):
    idx, d = call.params
    return call.g.op("Gather", call.inputs[0], call.input_of(np.asarray(idx, np.int64)), axis=d)


@lowers(SG.Gather)
def _gather(call):
    index, d = call.params
    return call.g.op("GatherElements", call.inputs[0],
                     call.input_of(np.asarray(index, np.int64)), axis=int(d))


@lowers(I.MaskedFill)
def _masked_fill(call):
    g = call.g
    mask = call.params[0]
    a, value = operands(call)
    m = call.input_of(mask)
    return g.op("Where", m, value, a)
