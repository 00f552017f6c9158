"""Adaptive max pooling as a whole module: ember picks each bin's maximum by index (computed
from the data), while the bins themselves are fixed by the sizes: max is separable, so each
pooled axis becomes one ReduceMax per bin and a Concat."""
from ember.nn.modules.pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d
from ember.onnx._trace import lowers_module


@lowers_module(AdaptiveMaxPool1d, AdaptiveMaxPool2d)
def _adaptive_max_pool(call):
    g, m = call.g, call.module_obj
    if m.return_indices:
        call.fail("adaptive max pooling with return_indices")
    nd = 1 if isinstance(m, AdaptiveMaxPool1d) else 2
    x, shape, out_shape = call.inputs[0], call.arrays[0].shape, call.outs[0].shape
    for axis in range(len(shape) - nd, len(shape)):
        n, o = shape[axis], out_shape[axis]
        bins = [((i * n) // o, -(-((i + 1) * n) // o)) for i in range(o)]
        parts = [g.reduce("ReduceMax", g.slice(x, [a], [b], [axis]), [axis], True)
                 for a, b in bins]
        x = parts[0] if len(parts) == 1 else g.op("Concat", *parts, axis=axis)
    return [x]
