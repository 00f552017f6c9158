"""View ops: reshape/view, squeeze/unsqueeze, transpose/permute, expand, alias.

Shapes reach the op layer as concrete sizes (``x.view(x.size(0), -1)`` arrives as
``(1, 6272)``), so a reshape writes 0 ("copy this input size", ONNX's convention) where an
output size equals the input size at the same position along a dynamic axis; that keeps a batch
axis symbolic through flattening.
"""
import itertools
import warnings

from ember.ops import views as V
from ember.onnx._trace import TracerWarning, lowers


@lowers(V.Reshape, V.View, V.UnsafeView)
def _reshape(call):
    in_shape = call.arrays[0].shape
    out_shape = call.outs[0].shape
    dyn = call.in_dyn[0]
    target, out_dyn = [], set()
    for i, s in enumerate(out_shape):
        if i in dyn and i < len(in_shape) and in_shape[i] == s:
            target.append(0)
            out_dyn.add(i)
        else:
            target.append(s)
    lost = [a for a in dyn if a not in out_dyn]
    if lost:
        free = [i for i, t in enumerate(target) if t != 0]
        if len(free) == 1:
            # the one size that is not copied absorbs the dynamic axes (-1)
            target[free[0]] = -1
            out_dyn.add(free[0])
        else:
            warnings.warn("ember.onnx.export: the reshape from %s to %s (in %s) fixes the "
                          "dynamic axes %s to their traced sizes" % (
                              tuple(in_shape), tuple(out_shape), call.tracer.where(), lost),
                          TracerWarning)
    call.out_dyn = [out_dyn]
    return call.g.op("Reshape", call.inputs[0], call.g.ints(target))


def _size1_axes(short, long, avoid):
    """The size-1 axes of ``long`` whose removal leaves ``short``; axes in ``avoid`` (dynamic
    ones) are chosen last."""
    k = len(long) - len(short)
    ones = [j for j, s in enumerate(long) if s == 1]
    ones.sort(key=lambda j: j in avoid)
    for axes in itertools.combinations(ones, k):
        if tuple(s for j, s in enumerate(long) if j not in axes) == tuple(short):
            return sorted(axes)
    raise AssertionError("no squeeze maps %s to %s" % (long, short))


def _kept(n, axes, dyn):
    """Dynamic axes after removing ``axes`` from ``n`` axes."""
    kept = [j for j in range(n) if j not in axes]
    return {kept.index(a) for a in dyn if a in kept}


@lowers(V.Squeeze)
def _squeeze(call):
    in_shape = call.arrays[0].shape
    dyn = call.in_dyn[0]
    axes = _size1_axes(call.outs[0].shape, in_shape, dyn)
    call.out_dyn = [_kept(len(in_shape), axes, dyn)]
    return call.g.squeeze(call.inputs[0], axes)


@lowers(V.Unsqueeze)
def _unsqueeze(call):
    out_shape = call.outs[0].shape
    axes = _size1_axes(call.arrays[0].shape, out_shape, ())
    kept = [j for j in range(len(out_shape)) if j not in axes]
    call.out_dyn = [{kept[a] for a in call.in_dyn[0]}]
    return call.g.unsqueeze(call.inputs[0], axes)


@lowers(V.Alias)
def _alias(call):
    return call.g.op("Identity", call.inputs[0])


@lowers(V.Transpose)
def _transpose(call):
    nd = call.arrays[0].ndim
    d0, d1 = call.params
    perm = list(range(nd))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    call.out_dyn = [{perm.index(a) for a in call.in_dyn[0]}]
    return call.g.op("Transpose", call.inputs[0], perm=perm)


@lowers(V.Permute)
def _permute(call):
    perm = [int(d) for d in call.params[0]]
    call.out_dyn = [{perm.index(a) for a in call.in_dyn[0]}]
    return call.g.op("Transpose", call.inputs[0], perm=perm)


@lowers(V.Expand)
def _expand(call):
    # ONNX's Expand broadcasts both ways: a target size of 1 keeps the input's size, so the
    # sizes the input already has are written as 1 and stay dynamic.
    in_shape = call.arrays[0].shape
    out_shape = call.outs[0].shape
    lead = len(out_shape) - len(in_shape)
    target = [1 if i >= lead and in_shape[i - lead] == s else s
              for i, s in enumerate(out_shape)]
    call.out_dyn = [{a + lead for a in call.in_dyn[0]}]
    return call.g.op("Expand", call.inputs[0], call.g.ints(target))
