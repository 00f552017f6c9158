"""Helpers shared by the op files: operand conversion, type promotion, gradient reduction."""
import builtins

from ember import _dtype
from ember._backend import np
from ember._tensor import Tensor, _make, _wrap_dim
from ember.autograd.function import Node
from ember.autograd.grad_mode import _State


def as_tensor_operand(x, dtype=None):
    """A Tensor for ``x``: tensors pass through, Python/NumPy scalars become 0-d tensors."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    if dtype is None:
        dtype = _dtype._scalar_dtype(x)
    if isinstance(x, builtins.int) and dtype.np.kind in "iu":
        # torch wraps a Python int into the tensor's integer dtype (uint8 + 300 adds 44)
        return _make(np.asarray(x).astype(dtype.np))
    return _make(np.asarray(x, dtype=dtype.np))


def binary_operands(a, b):
    """Promote two operands (tensors or scalars) to torch's common dtype."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a._data.dtype is b._data.dtype or a._data.dtype == b._data.dtype:
            return a, b
    elif not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError("expected at least one Tensor operand, got %s and %s"
                        % (type(a).__name__, type(b).__name__))
    dt = _dtype.result_type(a, b)
    return cast(as_tensor_operand(a, dt), dt), cast(as_tensor_operand(b, dt), dt)


def cast(t, dtype):
    """``t`` converted to ``dtype`` (differentiable; no copy when it already has it)."""
    if t._data.dtype == dtype.np:
        return t
    from ember.ops.arithmetic import _cast

    return _cast(t, dtype)


def to_float(t):
    """Integer and bool tensors become the default float dtype (for exp, sqrt, true division);
    floating and complex tensors pass."""
    if t._data.dtype.kind in "fc" or _dtype.is_bfloat16(t._data.dtype):
        return t
    return cast(t, _dtype.get_default_dtype())


def sum_to_shape(g, shape):
    """Reduce a broadcast gradient ``g`` back to ``shape`` (the backward of broadcasting)."""
    gshape = g._data.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    ones = tuple(i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1)
    if not ones:
        # Only leading dims (the bias case): one reduction, a fresh array, no reshape view.
        return g.sum(tuple(range(lead)))
    g = g.sum(tuple(range(lead)) + ones, keepdim=True)
    if g._data.shape != shape:
        g = g.reshape(shape)
    return g


def broadcast_shapes_error(*shapes):
    return RuntimeError(
        "The size of tensor a (%d) must match the size of tensor b (%d) at non-singleton "
        "dimension %d" % _mismatch(shapes[0], shapes[1]))


def _mismatch(a, b):
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            return x, y, max(len(a), len(b)) - i
    return 0, 0, 0


def check_broadcast(a, b):
    """Raise torch's RuntimeError when two array shapes do not broadcast."""
    sa, sb = a.shape, b.shape
    if sa == sb:
        return
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        raise broadcast_shapes_error(sa, sb) from None


def check_dtype(kernel, *tensors, kinds="f", half=True):
    """Raise torch's NotImplementedError (``"kernel" not implemented for 'Char'``) when a
    tensor's dtype is one torch's kernel ``kernel`` has no version for: its kind is not in
    ``kinds`` ('f' floating, 'i' signed, 'u' unsigned, 'b' bool), or it is float16 and not
    ``half``. ``None`` entries are skipped."""
    for t in tensors:
        if t is None:
            continue
        dt = t._data.dtype
        kind = "f" if _dtype.is_bfloat16(dt) else dt.kind  # torch has bfloat16 CPU kernels
        if kind not in kinds or (not half and dt == np.float16):
            from ember._tensor_str import dtype_word

            raise NotImplementedError('"%s" not implemented for \'%s\'' % (kernel, dtype_word(dt)))


def wrap_dim(dim, ndim):
    return _wrap_dim(dim, ndim)


def wrap_dims(dim, ndim):
    """Normalise ``dim`` (None, int or sequence) to a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (builtins.int, np.integer)):
        return (_wrap_dim(dim, ndim),)
    dims = tuple(_wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError("dim %d appears multiple times in the list of dims"
                           % next(d for d in dims if dims.count(d) > 1))
    return tuple(sorted(dims))


def shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def ntuple(value, n, mismatch):
    """``value`` (an int, or a sequence of one or ``n`` ints) as a tuple of ``n`` ints.

    ``mismatch(values)`` gives the RuntimeError message for a sequence of another length.
    """
    if isinstance(value, (builtins.int, np.integer)):
        return (builtins.int(value),) * n
    value = tuple(builtins.int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(mismatch(value))
    return value


def check_no_grad_input(fn_name, **inputs):
    """Raise torch's RuntimeError when an input the op has no derivative for requires grad."""
    if not _State.enabled:
        return
    for arg, t in inputs.items():
        if isinstance(t, Tensor) and t.requires_grad:
            raise RuntimeError("The function '%s' is not differentiable with respect to argument "
                               "'%s'. This input cannot have requires_grad True." % (fn_name, arg))


class _NoDerivative(Node):
    """The result of an op torch has no derivative for: it requires grad like torch's, and
    backward raises torch's error."""

    def forward(ctx, *arrays_out_name):
        *_, out, ctx.op = arrays_out_name
        return out

    def backward(ctx, g):
        raise RuntimeError("derivative for aten::%s is not implemented" % ctx.op)


def no_derivative(name, out, *inputs):
    """``out`` (an array) as a Tensor that requires grad when an input does; its backward raises
    as torch's does for ``name``."""
    inputs = tuple(t for t in inputs if isinstance(t, Tensor))
    if _State.enabled and any(t.requires_grad for t in inputs):
        return _NoDerivative.apply(inputs, out, name)
    return _make(out)


def refuse_complex(message, *tensors, error=NotImplementedError):
    """Raise torch's error for an op without complex kernels when one of ``tensors`` is complex;
    a ``%s`` in ``message`` becomes torch's dtype word (``"lt_cpu" not implemented for
    'ComplexFloat'``)."""
    for t in tensors:
        if isinstance(t, Tensor) and t._data.dtype.kind == "c":
            if "%s" in message:
                from ember._tensor_str import dtype_word

                message = message % dtype_word(t._data.dtype)
            raise error(message)


def conj(t):
    """``t`` conjugated, for backward formulas (torch's convention passes ``g * conj(f'(z))``
    back through a holomorphic ``f``); a real tensor is returned as it is, recording nothing."""
    if t._data.dtype.kind != "c":
        return t
    from ember.ops.complex import conj_physical

    return conj_physical(t)


def joined_zeros(inputs, shape):
    """Zeros of ``shape`` (and the first input's dtype) joined to every input's graph, their
    gradients zeros: what torch gives, without computing, for an empty output or nothing to
    reduce over. As torch's, each input enters as its sum times 0 (a NaN or inf input makes the
    zeros NaN)."""
    link = inputs[0].sum() * 0
    for t in inputs[1:]:
        link = link + t.sum() * 0
    return link.to(inputs[0].dtype).expand(shape).contiguous()
