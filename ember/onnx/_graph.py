"""The ONNX graph under construction: nodes, initializers and value names.

Lowerings add nodes through :class:`Graph` (``g.op("Relu", x)``) and never touch ``onnx``
protobufs directly, so the opset differences (``axes`` as attribute before opset 18 for most
reductions, as input after) live in one place.
"""
import numpy as np

# ONNX reductions whose ``axes`` moved from an attribute to an input in opset 18 (ReduceSum
# moved in 13).
_AXES_INPUT_SINCE = {"ReduceSum": 13}
_INT64_MAX = np.iinfo(np.int64).max


# numpy dtype -> onnx.TensorProto data type
ONNX_DTYPES = {np.dtype(k): v for k, v in (
    ("float32", 1), ("uint8", 2), ("int8", 3), ("uint16", 4), ("int16", 5), ("int32", 6),
    ("int64", 7), ("bool", 9), ("float16", 10), ("float64", 11), ("uint32", 12),
    ("uint64", 13))}


class OpNode:
    """One ONNX node before it becomes a protobuf (``ember.utils.tensorboard`` reads these
    without the onnx package)."""

    __slots__ = ("op_type", "inputs", "outputs", "name", "attrs")

    def __init__(self, op_type, inputs, outputs, name, attrs):
        self.op_type, self.inputs, self.outputs = op_type, inputs, outputs
        self.name, self.attrs = name, attrs

    def proto(self):
        from onnx import helper

        return helper.make_node(self.op_type, self.inputs, self.outputs, name=self.name,
                                **self.attrs)


class Graph:
    """Nodes and initializers of one exported graph.

    Args:
        opset: the target opset version (13 to 21).
    """

    def __init__(self, opset):
        self.opset = opset
        self.nodes = []
        self.initializers = {}  # name -> ndarray
        self._names = set()
        self._consts = {}
        self.scope = ""  # the module path of the op being lowered: names read "/conv/Conv"

    def fresh(self, hint):
        """A value name not used yet, built from ``hint``."""
        base = hint or "v"
        name, k = base, 0
        while name in self._names:
            k += 1
            name = "%s_%d" % (base, k)
        self._names.add(name)
        return name

    def reserve(self, name):
        self._names.add(name)
        return name

    def op(self, op_type, *inputs, outputs=1, **attrs):
        """Add a node; returns its output name (or a list of ``outputs`` names when > 1)."""
        outs = [self.fresh("%s/%s_output" % (self.scope, op_type)) for _ in range(outputs)]
        inputs = list(inputs)
        while inputs and inputs[-1] is None:
            inputs.pop()
        self.nodes.append(OpNode(op_type, ["" if i is None else i for i in inputs], outs,
                                 self.fresh("%s/%s" % (self.scope, op_type)),
                                 {k: v for k, v in attrs.items() if v is not None}))
        return outs[0] if outputs == 1 else outs

    def const(self, value, dtype=None, name=None):
        """An initializer holding ``value`` (deduplicated for small constants)."""
        arr = np.asarray(value, dtype=dtype)
        if not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr)
        key = None
        if arr.size <= 16 and name is None:
            key = (arr.dtype.str, arr.shape, arr.tobytes())
            if key in self._consts:
                return self._consts[key]
        out = self.fresh(name or "onnx::Constant")
        self.initializers[out] = arr
        if key is not None:
            self._consts[key] = out
        return out

    def ints(self, values):
        return self.const(np.asarray(values, dtype=np.int64).reshape(-1))

    # --- helpers whose form depends on the opset -------------------------------------------
    def reduce(self, op_type, x, axes, keepdims):
        """``op_type`` (ReduceMean, ReduceSum, ...) over ``axes`` (None: all)."""
        since = _AXES_INPUT_SINCE.get(op_type, 18)
        keep = int(bool(keepdims))
        if axes is None:
            return self.op(op_type, x, keepdims=keep)
        axes = [int(a) for a in axes]
        if self.opset >= since:
            return self.op(op_type, x, self.ints(axes), keepdims=keep)
        return self.op(op_type, x, axes=axes, keepdims=keep)

    def squeeze(self, x, axes):
        return self.op("Squeeze", x, self.ints(axes))

    def unsqueeze(self, x, axes):
        return self.op("Unsqueeze", x, self.ints(axes))

    def slice(self, x, starts, ends, axes, steps=None):
        ends = [min(int(e), _INT64_MAX) for e in ends]
        return self.op("Slice", x, self.ints(starts), self.ints(ends), self.ints(axes),
                       None if steps is None else self.ints(steps))

    def cast(self, x, np_dtype):
        return self.op("Cast", x, to=ONNX_DTYPES[np.dtype(np_dtype)])

    def along_axes(self, x, ndim, mats):
        """``x`` multiplied along axis ``d`` by the matrix ``m`` (``(out_d, in_d)``) for each
        ``(d, m)`` in ``mats``: a Transpose, a MatMul with ``m.T`` and the inverse Transpose.
        Interpolation, adaptive average pooling and reflect/replicate padding are such maps."""
        for d, m in mats:
            perm = [i for i in range(ndim) if i != d] + [d]
            inv = [perm.index(i) for i in range(ndim)]
            t = self.op("Transpose", x, perm=perm)
            t = self.op("MatMul", t, self.const(np.ascontiguousarray(m.T)))
            x = self.op("Transpose", t, perm=inv)
        return x

    def trunc(self, x):
        """Rounding toward zero (ONNX has Floor and Ceil only)."""
        return self.op("Mul", self.op("Sign", x), self.op("Floor", self.op("Abs", x)))

    def basic_index(self, x, shape, idx):
        """``x[idx]`` for a basic index (ints, slices, None, Ellipsis): one Slice, then Squeeze
        for ints and Unsqueeze for None. A slice running to the end of an axis ends at "the
        end" (INT64_MAX), so it stays right for a dynamic axis."""
        items = list(idx) if isinstance(idx, tuple) else [idx]
        used = sum(1 for i in items if i is not None and i is not Ellipsis)
        if any(i is Ellipsis for i in items):
            k = next(j for j, i in enumerate(items) if i is Ellipsis)
            items[k:k + 1] = [slice(None)] * (len(shape) - used)
        else:
            items += [slice(None)] * (len(shape) - used)
        starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
        axis = out_axis = 0
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
                        stop = _INT64_MAX
                    elif step < 0 and stop < 0:
                        stop = -_INT64_MAX
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
            x = self.slice(x, starts, ends, axes, steps)
        if squeeze:
            x = self.squeeze(x, squeeze)
        if unsqueeze:
            x = self.unsqueeze(x, unsqueeze)
        return x if axes or squeeze or unsqueeze else self.op("Identity", x)
