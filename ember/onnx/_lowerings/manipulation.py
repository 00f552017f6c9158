"""Copying ops: cat/stack, basic slicing (narrow, split, chunk), flip, repeat, roll, tril/triu."""
import numpy as np

from ember import ops
from ember.ops import manipulation as M
from ember.ops import views as V
from ember.onnx._lowerings.indexing import basic_index
from ember.onnx._trace import lowers


@lowers(M.Cat)
def _cat(call):
    dim = call.params[0]
    dt = call.outs[0].dtype
    kept = [n if a.dtype == dt else call.g.cast(n, dt)
            for n, a in zip(call.inputs, call.arrays) if not M._skipped(a)]
    if len(kept) == 1:
        return call.g.op("Identity", kept[0])
    return call.g.op("Concat", *kept, axis=int(dim))


@lowers(V.Slice)
def _slice(call):
    return basic_index(call, call.inputs[0], call.arrays[0].shape, call.params[0])


@lowers(M.Flip)
def _flip(call):
    dims = list(call.params[0])
    if not dims:
        return call.g.op("Identity", call.inputs[0])
    n = len(dims)
    big = np.iinfo(np.int64).max
    return call.g.slice(call.inputs[0], [-1] * n, [-big] * n, dims, [-1] * n)


@lowers(M.Repeat)
def _repeat(call):
    g = call.g
    sizes = list(call.params[0])
    x = call.inputs[0]
    lead = len(sizes) - call.arrays[0].ndim
    if lead:
        x = g.unsqueeze(x, list(range(lead)))
    return g.op("Tile", x, g.ints(sizes))


@lowers(M.Roll)
def _roll(call):
    g = call.g
    shifts, dims = call.params
    x = call.inputs[0]
    shape = call.arrays[0].shape
    if dims is None or dims == ():
        flat = g.op("Reshape", x, g.ints([-1]))
        n = int(np.prod(shape))
        s = int(np.ravel(shifts)[0]) % max(n, 1)
        parts = [g.slice(flat, [n - s], [n], [0]), g.slice(flat, [0], [n - s], [0])]
        return g.op("Reshape", g.op("Concat", *parts, axis=0), g.ints(list(shape)))
    shifts = np.atleast_1d(shifts)
    dims = np.atleast_1d(dims)
    for s, d in zip(shifts, dims):
        n = shape[d]
        s = int(s) % n if n else 0
        if s:
            parts = [g.slice(x, [n - s], [n], [int(d)]), g.slice(x, [0], [n - s], [int(d)])]
            x = g.op("Concat", *parts, axis=int(d))
    return x


@lowers(M.Tril)
def _tril(call):
    k, upper = call.params
    return call.g.op("Trilu", call.inputs[0], call.g.const(np.asarray(k, np.int64)),
                     upper=int(bool(upper)))


@lowers(ops.Clone)
def _clone(call):
    return call.g.op("Identity", call.inputs[0])


@lowers(ops.CopyFrom)
def _copy_from(call):
    # ``a.copy_(src)``: src broadcast to a's shape, in a's dtype
    g = call.g
    src = call.inputs[1]
    if call.arrays[1].dtype != call.outs[0].dtype:
        src = g.cast(src, call.outs[0].dtype)
    if call.arrays[1].shape == call.outs[0].shape:
        return g.op("Identity", src)
    return g.op("Expand", src, g.op("Shape", call.inputs[0]))


@lowers(ops.Fill)
def _fill(call):
    g = call.g
    value = g.const(np.asarray(call.params[0], dtype=call.outs[0].dtype))
    return g.op("Expand", value, g.op("Shape", call.inputs[0]))
