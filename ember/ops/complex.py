"""Complex numbers: ``complex``/``polar`` (building), ``real``/``imag`` and ``view_as_real``/
``view_as_complex`` (views), ``conj``/``conj_physical``/``resolve_conj`` and ``angle``.

Gradients follow torch's convention for complex autograd: the gradient of a real loss ``L``
with respect to ``z = x + iy`` is ``dL/dx + i dL/dy`` (the conjugate Wirtinger derivative, times
two), so a holomorphic ``f`` passes ``g * conj(f'(z))`` back and ``real(z)`` passes ``g`` as a
complex number. ``conj`` copies (NumPy has no lazily conjugated views) and marks its result as
torch's conjugate view is marked, so ``is_conj``, ``resolve_conj`` and ``view_as_real``'s refusal
behave as torch's.
"""
from ember import _dtype
from ember._backend import array_module, as_strided, np
from ember._tensor import Tensor
from ember.autograd.function import Node
from ember.ops._util import check_broadcast, sum_to_shape
from ember.ops.registry import COMPLEX, FLOAT, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.views import as_view


def _word(t):
    from ember._tensor_str import dtype_word

    return dtype_word(t._data.dtype)


def _complex_of(np_dtype):
    """The complex dtype of a real floating NumPy dtype (float16 has none in NumPy)."""
    d = _dtype.from_numpy_dtype(np_dtype)
    return d.to_complex()


# --- complex, polar -------------------------------------------------------------------------------

class Complex(Node):
    def forward(ctx, re, im):
        ctx.shapes = (re.shape, im.shape)
        out = array_module(re, im).empty(np.broadcast_shapes(re.shape, im.shape),
                                         dtype=_complex_of(re.dtype).np)
        out.real, out.imag = re, im
        return out

    def backward(ctx, g):
        sa, sb = ctx.shapes
        return sum_to_shape(real(g), sa), sum_to_shape(imag(g), sb)


def _check_parts(name, re, im):
    for arg, t in (("real", re), ("imag", im)) if name == "complex" else (("abs", re),
                                                                         ("angle", im)):
        if not isinstance(t, Tensor):
            raise TypeError("%s(): argument '%s' (position %d) must be Tensor, not %s"
                            % (name, arg, 1 if t is re else 2, type(t).__name__))
    if re._data.dtype.kind != "f" or im._data.dtype.kind != "f":
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got %s "
                           "and %s" % (_word(re), _word(im)))
    if re._data.dtype != im._data.dtype:
        raise RuntimeError("Expected object of scalar type %s but got scalar type %s for second "
                           "argument" % (_word(re), _word(im)))
    check_broadcast(re._data, im._data)


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i * imag`` (both of one floating dtype; broadcast).

    Example:
        >>> import ember
        >>> ember.complex(ember.tensor([1.0, 2.0]), ember.tensor([0.5, -1.0]))
        tensor([1.+0.5000j, 2.-1.0000j])
    """
    _check_parts("complex", real, imag)
    from ember.ops.arithmetic import _out

    return _out(Complex.apply((real, imag)), out)


def polar(abs, angle, *, out=None):
    """The complex tensor with magnitudes ``abs`` and phases ``angle``:
    ``abs * (cos(angle) + i sin(angle))``."""
    _check_parts("polar", abs, angle)
    from ember.ops.arithmetic import _out
    from ember.ops.unary import cos, sin

    return _out(Complex.apply((abs * cos(angle), abs * sin(angle))), out)


def _parts_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4))
    yield SampleInput(T(3, 1), T(4), name="broadcast")
    yield SampleInput(T(), T(), name="0-d")
    yield SampleInput(T(2, 3, noncontig=True), T(2, 3))
    yield SampleInput(T(0, 3), T(3), name="empty")


def _parts_errors():
    yield ErrorInput(SampleInput(T(2), T(2, dtype="float64")), RuntimeError,
                     "Expected object of scalar type Float but got scalar type Double")
    yield ErrorInput(SampleInput(T(2, dtype="int64"), T(2, dtype="int64")), RuntimeError,
                     "Expected both inputs to be Half, Float or Double tensors but got Long")
    yield ErrorInput(SampleInput(T(2), T(3)), RuntimeError, "must match the size")


def _polar_samples(dtype):
    # torch's polar (and its gradient) assumes abs >= 0
    for sample in _parts_samples(dtype):
        abs, angle = sample.args
        yield SampleInput(T(*abs.shape, low=0.1, high=2.0, noncontig=abs.noncontig), angle,
                          name=sample.name)


register(OpInfo("complex", complex, _parts_samples, _parts_errors))
register(OpInfo("polar", polar, _polar_samples, _parts_errors))


# --- real, imag -----------------------------------------------------------------------------------

class Real(Node):
    def forward(ctx, a):
        ctx.dtype = _dtype.from_numpy_dtype(a.dtype)
        return a.real

    def backward(ctx, g):
        return g.to(ctx.dtype)


class Imag(Node):
    def forward(ctx, a):
        return a.imag

    def backward(ctx, g):
        return g * 1j


def real(input):
    """The real parts of a complex tensor, as a view; a real tensor itself."""
    if input._data.dtype.kind != "c":
        return input
    return as_view(Real.apply((input,)), input)


def imag(input):
    """The imaginary parts of a complex tensor, as a view (real tensors have none)."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return as_view(Imag.apply((input,)), input)


def _set_part(part):
    def setter(self, value):
        # torch's ``z.real = v`` copies ``v`` into the view
        getattr(self, part).copy_(value)

    return setter


Tensor.real = property(real, _set_part("real"), doc="The real parts (a view).")
Tensor.imag = property(imag, _set_part("imag"), doc="The imaginary parts (a view).")


def _complex_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T())
    yield SampleInput(T(2, 3, noncontig=True))
    yield SampleInput(T(0, 2))


register(OpInfo("real", real, _complex_samples, dtypes=FLOAT + COMPLEX))
def _real_input_error(match):
    return lambda: iter([ErrorInput(SampleInput(T(2, dtype="float32")), RuntimeError, match)])


register(OpInfo("imag", imag, _complex_samples,
                _real_input_error("imag is not implemented for tensors with non-complex"),
                dtypes=COMPLEX))


# --- view_as_real, view_as_complex ----------------------------------------------------------------

class ViewAsReal(Node):
    def forward(ctx, a):
        re = a.real
        return as_strided(re, a.shape + (2,), a.strides + (re.itemsize,))

    def backward(ctx, g):
        return view_as_complex(g.contiguous())


class ViewAsComplex(Node):
    def forward(ctx, a):
        return a.view(_complex_of(a.dtype).np)[..., 0]

    def backward(ctx, g):
        return view_as_real(g)


def view_as_real(input):
    """A real view of a complex tensor with a last dimension of size 2 (real, imaginary)."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    if input.is_conj():
        raise RuntimeError("view_as_real doesn't work on unresolved conjugated tensors.  To "
                           "resolve the conjugate tensor so you can view it as real, use "
                           "self.resolve_conj(); however, be warned that the resulting tensor "
                           "will NOT alias the original.")
    return as_view(ViewAsReal.apply((input,)), input)


def view_as_complex(input):
    """A complex view of a real tensor whose last dimension (of size 2, stride 1) holds the
    real and imaginary parts."""
    kind = input._data.dtype.kind
    if kind != "f":
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           "tensors, but got a tensor of scalar type: %s" % _word(input))
    if input._data.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if input._data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return as_view(ViewAsComplex.apply((input,)), input)


def _view_as_complex_samples(dtype):
    yield SampleInput(T(3, 2))
    yield SampleInput(T(2, 3, 2))
    yield SampleInput(T(2))


def _view_as_complex_errors():
    yield ErrorInput(SampleInput(T(3, 4)), RuntimeError, "last dimension of size 2")
    yield ErrorInput(SampleInput(T()), RuntimeError, "one or more dimensions")
    yield ErrorInput(SampleInput(T(3, 2, dtype="int64")), RuntimeError,
                     "only supported for half, float and double tensors, but got a tensor of "
                     "scalar type: Long")


register(OpInfo("view_as_real", view_as_real, _complex_samples,
                _real_input_error("view_as_real is only supported for complex tensors"),
                dtypes=COMPLEX))
register(OpInfo("view_as_complex", view_as_complex, _view_as_complex_samples,
                _view_as_complex_errors))


# --- conj, conj_physical, resolve_conj, angle -----------------------------------------------------

class Conj(Node):
    def forward(ctx, a):
        return np.conj(a)

    def backward(ctx, g):
        return conj_physical(g)


class ConjPhysical(Conj):
    pass


def conj(input):
    """The complex conjugate (a real tensor itself). torch returns a lazily conjugated view;
    ember's result is a copy marked as one (``is_conj()`` is True, as torch's)."""
    if input._data.dtype.kind != "c":
        return input
    out = Conj.apply((input,))
    out._is_conj = True
    return out


def conj_physical(input, *, out=None):
    """The complex conjugate, computed (never marked as a conjugate view)."""
    from ember.ops.arithmetic import _out

    if input._data.dtype.kind != "c":
        return input if out is None else _out(input.clone(), out)
    return _out(ConjPhysical.apply((input,)), out)


def is_conj(input):
    """Whether ``input`` is marked as a conjugate view (the result of ``conj``)."""
    return input.__dict__.get("_is_conj", False)


def resolve_conj(input):
    """An unmarked tensor with the values of ``input`` (``input`` itself when not marked)."""
    if not is_conj(input):
        return input
    return input.clone()


def is_neg(input):
    """False: ember never holds lazily negated views (torch's come from ``conj().imag``)."""
    return False


def resolve_neg(input):
    return input


class Angle(Node):
    save = (0,)

    def forward(ctx, a):
        return np.angle(a).astype(a.real.dtype, copy=False)

    def backward(ctx, g):
        from ember.ops.indexing import where
        from ember.ops.unary import abs

        (z,) = ctx.saved_tensors
        magnitude = abs(z)
        zero = magnitude == 0
        return where(zero, 0, g * (z * 1j) / (magnitude * magnitude + zero))


def angle(input, *, out=None):
    """The phase of each element in radians: for real tensors 0 where ``input >= 0`` and pi
    where it is negative (NaN stays NaN), as a float tensor for integers."""
    import math

    from ember.ops.arithmetic import _out
    from ember.ops.indexing import where
    from ember.ops._util import to_float

    if input._data.dtype.kind == "c":
        return _out(Angle.apply((input,)), out)
    x = to_float(input)
    return _out(where(x < 0, math.pi, x * 0), out)


register(OpInfo("conj", conj, _complex_samples, method=True, dtypes=FLOAT + COMPLEX))
register(OpInfo("conj_physical", conj_physical, _complex_samples, method=True,
                inplace="conj_physical_", dtypes=FLOAT + COMPLEX))
register(OpInfo("resolve_conj", resolve_conj, _complex_samples, method=True,
                dtypes=FLOAT + COMPLEX))
register(OpInfo("angle", angle, _complex_samples, method=True, dtypes=FLOAT + COMPLEX))
Tensor.is_conj, Tensor.is_neg, Tensor.resolve_neg = is_conj, is_neg, resolve_neg
