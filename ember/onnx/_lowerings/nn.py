"""Layers' ops: linear, convolution, pooling, normalization, activations, softmax, embedding,
dropout, padding and interpolation."""
import math

import numpy as np

from ember.ops.nn import activation as ACT
from ember.ops.nn import conv as C
from ember.ops.nn import distance as DIST
from ember.ops.nn import dropout as DROP
from ember.ops.nn import linear as LIN
from ember.ops.nn import normalization as NORM
from ember.ops.nn import padding as PAD
from ember.ops.nn import pooling as P
from ember.ops.nn import sparse as SPARSE
from ember.onnx._lowerings.arithmetic import operands, scalar
from ember.onnx._trace import lowers


# --- linear ----------------------------------------------------------------------------------
@lowers(LIN.Linear)
def _linear(call):
    g = call.g
    x, w = call.inputs[:2]
    b = call.inputs[2] if len(call.inputs) > 2 else None
    if call.arrays[0].ndim == 2:
        return g.op("Gemm", x, w, b, transB=1)
    y = g.op("MatMul", x, g.op("Transpose", w, perm=[1, 0]))
    return y if b is None else g.op("Add", y, b)


# --- convolution -----------------------------------------------------------------------------
def _conv_attrs(geom):
    return dict(kernel_shape=list(geom.kernel), strides=list(geom.stride),
                dilations=list(geom.dilation), group=geom.groups,
                pads=list(geom.pad_lo) + list(geom.pad_hi))


@lowers(C._Conv)
def _conv(call):
    return call.g.op("Conv", *call.inputs, **_conv_attrs(call.params[-1]))


@lowers(C._ConvInputGrad)
def _conv_transpose(call):
    # The transposed convolution is the input gradient of the convolution with ``geom``:
    # its input has ``geom.out_size`` and its output ``geom.in_size``.
    geom = call.params[0]
    extra = []
    for n_out, n_in, k, s, d, lo, hi in zip(geom.in_size, geom.out_size, geom.kernel,
                                            geom.stride, geom.dilation, geom.pad_lo, geom.pad_hi):
        extra.append(n_out - ((n_in - 1) * s - lo - hi + d * (k - 1) + 1))
    attrs = _conv_attrs(geom)
    return call.g.op("ConvTranspose", *call.inputs, output_padding=extra, **attrs)


@lowers(C._IndexPad)
def _index_pad(call):
    # reflect / replicate / circular padding: a gather per padded axis
    g = call.g
    x = call.inputs[0]
    indices = call.params[0]
    nd = call.arrays[0].ndim
    for axis, idx in zip(range(nd - len(indices), nd), indices):
        if idx is None or isinstance(idx, slice):
            continue
        x = g.op("Gather", x, g.const(np.asarray(idx, dtype=np.int64)), axis=axis)
    return x


@lowers(PAD.ConstantPad)
def _constant_pad(call):
    g = call.g
    pads, value = call.params
    lo = [p[0] for p in pads]
    hi = [p[1] for p in pads]
    return g.op("Pad", operands(call)[0], g.ints(lo + hi), scalar(call, value), mode="constant")


@lowers(PAD.AxisMaps)
def _axis_maps(call):
    return call.g.along_axes(call.inputs[0], call.arrays[0].ndim, call.params[0])


# --- pooling ---------------------------------------------------------------------------------
@lowers(P._MaxPool)
def _max_pool(call):
    geom = call.params[0]
    return call.g.op("MaxPool", call.inputs[0], kernel_shape=list(geom.kernel),
                     strides=list(geom.stride), dilations=list(geom.dilation),
                     pads=list(geom.pad_lo) + list(geom.pad_hi))


@lowers(P._AvgPool)
def _avg_pool(call):
    # Pad with zeros, average without padding, then rescale from the window size to ember's
    # divisor (count_include_pad, ceil_mode and divisor_override all only change ``div``).
    g = call.g
    geom, div = call.params
    x = call.inputs[0]
    nd = call.arrays[0].ndim
    lead = nd - len(geom.kernel)
    if any(geom.pad_lo) or any(geom.pad_hi):
        pads = [0] * lead + list(geom.pad_lo) + [0] * lead + list(geom.pad_hi)
        x = g.op("Pad", x, g.ints(pads), scalar(call, 0), mode="constant")
    y = g.op("AveragePool", x, kernel_shape=list(geom.kernel), strides=list(geom.stride))
    window = float(np.prod(geom.kernel))
    scale = window / np.asarray(div, dtype=np.float64)
    if np.all(scale == 1):
        return y
    return g.op("Mul", y, g.const(scale.astype(call.outs[0].dtype)))


@lowers(P._AxisMatmul)
def _axis_matmul(call):
    nd = call.arrays[0].ndim
    mats = call.params[0]
    return call.g.along_axes(call.inputs[0], nd,
                             [(nd - len(mats) + d, m) for d, m in enumerate(mats)])


# --- normalization ---------------------------------------------------------------------------
@lowers(NORM._Normalize, NORM._NormalizeAffine)
def _normalize(call):
    g = call.g
    spec = call.params[-1]
    x = call.inputs[0]
    shape = call.arrays[0].shape
    dt = call.outs[0].dtype
    stat_shape = tuple(spec.stat_shape)
    same = stat_shape == shape
    xs = x
    if not same:
        # (N, groups, -1): 0 copies the (possibly dynamic) leading sizes
        target = [0 if i < len(shape) and s == shape[i] else s for i, s in enumerate(stat_shape)]
        xs = g.op("Reshape", x, g.ints(target))
    if spec.batch_stats:
        mean = g.reduce("ReduceMean", xs, spec.axes, True)
        centered = g.op("Sub", xs, mean)
        var = g.reduce("ReduceMean", g.op("Mul", centered, centered), spec.axes, True)
        rstd = g.op("Reciprocal", g.op("Sqrt", g.op("Add", var, scalar(call, spec.eps))))
        xhat = g.op("Mul", centered, rstd)
    else:
        mean = np.asarray(spec.mean, dtype=dt)
        rstd = np.asarray(spec.rstd, dtype=dt)
        xhat = g.op("Mul", g.op("Sub", xs, g.const(mean)), g.const(rstd))
    if not same:
        xhat = g.op("Reshape", xhat, g.op("Shape", x))
    if len(call.inputs) == 1:
        return xhat
    pshape = tuple(spec.param_shape)
    w = call.inputs[1]
    if tuple(call.arrays[1].shape) != pshape:
        w = g.op("Reshape", w, g.ints(pshape))
    y = g.op("Mul", xhat, w)
    if len(call.inputs) == 3:
        b = call.inputs[2]
        if tuple(call.arrays[2].shape) != pshape:
            b = g.op("Reshape", b, g.ints(pshape))
        y = g.op("Add", y, b)
    return y


# --- activations -----------------------------------------------------------------------------
@lowers(ACT.Softmax, ACT.LogSoftmax)
def _softmax(call):
    op = "Softmax" if call.op_class is ACT.Softmax else "LogSoftmax"
    return call.g.op(op, call.inputs[0], axis=int(call.params[0]))


@lowers(ACT.LeakyRelu)
def _leaky_relu(call):
    return call.g.op("LeakyRelu", call.inputs[0], alpha=float(call.params[0]))


@lowers(ACT.Hardtanh)
def _hardtanh(call):
    lo, hi = call.params
    return call.g.op("Clip", call.inputs[0], scalar(call, lo), scalar(call, hi))


@lowers(DIST.ClampMinValue)
def _clamp_min(call):
    return call.g.op("Max", call.inputs[0], scalar(call, call.params[0]))


@lowers(ACT.Threshold)
def _threshold(call):
    g = call.g
    threshold, value = call.params
    x = call.inputs[0]
    return g.op("Where", g.op("Greater", x, scalar(call, threshold)), x, scalar(call, value))


@lowers(ACT.Hardshrink, ACT.Softshrink)
def _shrink(call):
    lambd = float(call.params[0])
    bias = lambd if call.op_class is ACT.Softshrink else 0.0
    return call.g.op("Shrink", call.inputs[0], lambd=lambd, bias=bias)


@lowers(ACT.Hardsigmoid)
def _hardsigmoid(call):
    return call.g.op("HardSigmoid", call.inputs[0], alpha=1 / 6, beta=0.5)


@lowers(ACT.Hardswish)
def _hardswish(call):
    return call.g.op("HardSwish", call.inputs[0])


@lowers(ACT.Elu)
def _elu(call):
    # scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))
    g = call.g
    alpha, scale, input_scale = call.params
    x = call.inputs[0]
    if scale != 1 and input_scale == 1 and math.isclose(alpha, ACT._SELU_ALPHA) \
            and math.isclose(scale, ACT._SELU_SCALE):
        return g.op("Selu", x, alpha=float(alpha), gamma=float(scale))
    if input_scale == 1 and scale == 1:
        return g.op("Elu", x, alpha=float(alpha))
    if scale == 1 and math.isclose(input_scale * alpha, 1.0):
        return g.op("Celu", x, alpha=float(alpha))
    neg = g.op("Mul", g.op("Sub", g.op("Exp", g.op("Mul", x, scalar(call, input_scale))),
                           scalar(call, 1)), scalar(call, alpha))
    y = g.op("Where", g.op("Greater", x, scalar(call, 0)), x, neg)
    return g.op("Mul", y, scalar(call, scale))


@lowers(ACT.Gelu)
def _gelu(call):
    g = call.g
    x = call.inputs[0]
    half = scalar(call, 0.5)
    one = scalar(call, 1)
    if call.params[0] == "tanh":
        cube = g.op("Mul", g.op("Mul", x, x), x)
        inner = g.op("Mul", scalar(call, math.sqrt(2 / math.pi)),
                     g.op("Add", x, g.op("Mul", scalar(call, 0.044715), cube)))
        return g.op("Mul", g.op("Mul", half, x), g.op("Add", one, g.op("Tanh", inner)))
    erf = g.op("Erf", g.op("Mul", x, scalar(call, 1 / math.sqrt(2))))
    return g.op("Mul", g.op("Mul", half, x), g.op("Add", one, erf))


@lowers(ACT.Silu)
def _silu(call):
    x = call.inputs[0]
    return call.g.op("Mul", x, call.g.op("Sigmoid", x))


@lowers(ACT.Mish)
def _mish(call):
    g = call.g
    x = call.inputs[0]
    return g.op("Mul", x, g.op("Tanh", g.op("Softplus", x)))


@lowers(ACT.Softplus)
def _softplus(call):
    g = call.g
    beta, threshold = call.params
    x = call.inputs[0]
    bx = g.op("Mul", x, scalar(call, beta)) if beta != 1 else x
    soft = g.op("Softplus", bx)
    if beta != 1:
        soft = g.op("Div", soft, scalar(call, beta))
    return g.op("Where", g.op("Greater", bx, scalar(call, threshold)), x, soft)


# --- embedding, dropout ----------------------------------------------------------------------
@lowers(SPARSE.Embedding)
def _embedding(call):
    idx = call.input_of(call.params[0])
    call.out_dyn = [set(call.tracer.dyn.get(idx, ()))]
    return call.g.op("Gather", call.inputs[0], idx, axis=0)


@lowers(DROP.Dropout)
def _dropout(call):
    call.fail("dropout in training mode (export puts the model in eval mode; pass "
              "training=None or call model.eval())")
