"""Discrete Fourier transforms (``torch.fft``): fft/ifft/rfft/irfft/hfft/ihfft, their 2-d and n-d
forms, and the real-valued helpers fftfreq/rfftfreq/fftshift/ifftshift.

Every transform is one of three cores, as in torch: complex-to-complex (``c2c``), real-to-complex
(``r2c``, one-sided or full) and complex-to-real (``c2r``, the inverse of a one-sided spectrum),
after zero-padding or trimming the input to the signal sizes. hfft is ``c2r`` of the conjugate
input and ihfft the conjugate of ``r2c``. Each core is a linear map; its backward is its adjoint
(torch's formulas: the adjoint of ``c2c`` is ``c2c`` the other way; of a one-sided ``r2c`` the
real part of the inverse ``c2c`` of the zero-padded gradient; of ``c2r`` the one-sided ``r2c`` with
the bins that stand for two doubled), and the adjoint of the adjoint is the core again, so every
derivative order comes from one Node. NumPy's ``np.fft`` (pocketfft, as torch's CPU kernels)
computes them and keeps single precision: float32 in, complex64 out.
"""
import builtins

from ember import _dtype
from ember._backend import array_module, np
from ember.autograd.function import Node
from ember.ops._util import cast, wrap_dim
from ember.ops.registry import (COMPLEX, FLOAT, ErrorInput, OpInfo, SampleInput, T,
                                 not_differentiable, register)

_NONE, _BY_ROOT_N, _BY_N = 0, 1, 2  # torch's fft_norm_mode: the scale a transform applies


def _norm_mode(norm, forward):
    """The scale of a ``forward`` (exponent -) or inverse transform under ``norm``."""
    if norm is None or norm == "backward":
        return _NONE if forward else _BY_N
    if norm == "forward":
        return _BY_N if forward else _NONE
    if norm == "ortho":
        return _BY_ROOT_N
    raise RuntimeError('Invalid normalization mode: "%s"' % (norm,))


def _np_norm(minus_exponent, mode):
    """NumPy's ``norm`` string that applies ``mode`` to a transform of that exponent sign."""
    if mode == _BY_ROOT_N:
        return "ortho"
    return "backward" if (mode == _NONE) == minus_exponent else "forward"


def _resize(a, shape):
    """``a`` zero-padded or trimmed (at the end of each dim) to ``shape``."""
    if a.shape == shape:
        return a
    common = tuple(slice(0, min(m, n)) for m, n in zip(a.shape, shape))
    if all(n <= m for m, n in zip(a.shape, shape)):
        return a[common].copy()
    out = array_module(a).zeros(shape, dtype=a.dtype)
    out[common] = a[common]
    return out


def _complex_of(a):
    return a.astype(np.complex64 if a.dtype in (np.float32, np.complex64) else np.complex128,
                    copy=False)


def _real_of(a):
    return a.astype(np.float32 if a.dtype in (np.float32, np.complex64) else np.float64,
                    copy=False)


class _Core:
    """One linear transform over ``axes`` with scale ``mode``; ``size`` is the signal size of the
    last axis (the real side of ``r2c``/``c2r``).

    kinds: ``c2c`` (``forward``: exponent sign), ``r2c`` (``onesided``; ``conj``: conjugate the
    output), ``r2c_adj`` (``conj``: conjugate the input), ``c2r`` (``conj``: conjugate the input;
    ``real``: the input is real) and ``c2r_adj`` (``conj``: conjugate the output; ``real``: keep
    the real part, the adjoint of a real input).
    """

    __slots__ = ("kind", "axes", "mode", "size", "forward", "onesided", "conj", "real")

    _ADJOINT = {"c2c": "c2c", "r2c": "r2c_adj", "r2c_adj": "r2c", "c2r": "c2r_adj",
                "c2r_adj": "c2r"}

    def __init__(self, kind, axes, mode, size=None, forward=True, onesided=True, conj=False,
                 real=False):
        self.kind, self.axes, self.mode, self.size = kind, axes, mode, size
        self.forward, self.onesided, self.conj, self.real = forward, onesided, conj, real

    def shifted(self, k):
        """The same transform of a tensor with ``k`` more leading dims (vmap's batch)."""
        return _Core(self.kind, tuple(d + k for d in self.axes), self.mode, self.size,
                     self.forward, self.onesided, self.conj, self.real)

    def adjoint(self):
        forward = not self.forward if self.kind == "c2c" else self.forward
        return _Core(self._ADJOINT[self.kind], self.axes, self.mode, self.size, forward,
                     self.onesided, self.conj, self.real)

    def run(self, a):
        axes, mode, fft = self.axes, self.mode, np.fft
        if self.kind == "c2c":
            run = fft.fftn if self.forward else fft.ifftn
            return run(_complex_of(a), axes=axes, norm=_np_norm(self.forward, mode))
        if self.kind == "r2c":
            run = fft.rfftn if self.onesided else fft.fftn
            out = run(a, axes=axes, norm=_np_norm(True, mode))
            return np.conj(out) if self.conj else out
        if self.kind == "r2c_adj":
            g = np.conj(a) if self.conj else a
            if self.onesided:
                g = _resize(g, g.shape[:axes[-1]] + (self.size,) + g.shape[axes[-1] + 1:])
            return _real_of(fft.ifftn(g, axes=axes, norm=_np_norm(False, mode)).real)
        if self.kind == "c2r":
            x = _complex_of(a)
            x = np.conj(x) if self.conj else x
            shape = tuple(a.shape[d] for d in axes[:-1]) + (self.size,)
            return fft.irfftn(x, s=shape, axes=axes, norm=_np_norm(False, mode))
        # c2r_adj: the one-sided spectrum, the bins that stand for two (their mirror images)
        # doubled
        out = fft.rfftn(a, axes=axes, norm=_np_norm(True, mode))
        doubled = (self.size - 1) // 2
        if doubled:
            index = (slice(None),) * axes[-1] + (slice(1, 1 + doubled),)
            out[index] *= 2
        out = np.conj(out) if self.conj else out
        return _real_of(out.real) if self.real else out


class FFT(Node):
    """``post(core(pre(a)))``: the input resized to ``pre``, transformed, resized to ``post``
    (each resize None when not needed). The backward is the adjoint chain."""

    def forward(ctx, a, core, pre, post):
        ctx.core, ctx.pre, ctx.post, ctx.in_shape = core, pre, post, a.shape
        out = core.run(a if pre is None else _resize(a, pre))
        ctx.core_shape = out.shape
        return out if post is None else _resize(out, post)

    def backward(ctx, g):
        return FFT.apply((g,), ctx.core.adjoint(), None if ctx.post is None else ctx.core_shape,
                         None if ctx.pre is None else ctx.in_shape)


# --- arguments -------------------------------------------------------------------------------
_COMPLEX_WORD = {np.dtype(np.complex64): "ComplexFloat", np.dtype(np.complex128): "ComplexDouble"}


def _promote(input, name, require_real=False):
    """The input as floating or complex: integers and bool become the default dtype; half
    precision has no kernel (torch's CPU error)."""
    kind = input._data.dtype.kind
    if kind in "biu":
        return cast(input, _dtype.get_default_dtype())
    if kind == "c":
        if require_real:
            raise RuntimeError("%s expects a real input tensor, but got %s"
                               % (name, _COMPLEX_WORD[input._data.dtype]))
        return input
    if input._data.dtype not in (np.float32, np.float64):
        from ember._tensor_str import dtype_word

        raise RuntimeError("Unsupported dtype %s" % dtype_word(input._data.dtype))
    return input


def _check_size(n):
    if n < 1:
        raise RuntimeError("Invalid number of data points (%d) specified" % n)
    return n


def _one_dim(input, n, dim):
    """``(dims, sizes)`` of a 1-d transform: the wrapped dim and its signal size."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as %d but tensor has no dimensions" % dim)
    d = wrap_dim(dim, input._data.ndim)
    return (d,), (_check_size(input._data.shape[d] if n is None else n),)


def _n_dims(input, s, dim, name, half_last=False):
    """``(dims, sizes)`` of an n-d transform: torch's rules for ``s`` and ``dim``. With
    ``half_last`` (c2r) the default size of the last dim is ``2 * (m - 1)``."""
    shape, ndim = input._data.shape, input._data.ndim
    if dim is not None:
        dim = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
        if ndim == 0 and dim:
            raise IndexError("Dimension specified as %d but tensor has no dimensions" % dim[0])
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif s is not None:
        if len(s) > ndim:
            raise RuntimeError("Got shape with %d values but input tensor only has %d "
                               "dimensions." % (len(s), ndim))
        dims = tuple(range(ndim - len(s), ndim))
    else:
        dims = tuple(range(ndim))
    if name is not None and not dims:
        raise RuntimeError("%s must transform at least one axis" % name)
    sizes = []
    for i, d in enumerate(dims):
        n = -1 if s is None else builtins.int(s[i])
        if n == -1:
            n = 2 * (shape[d] - 1) if half_last and i == len(dims) - 1 else shape[d]
        sizes.append(_check_size(n))
    return dims, tuple(sizes)


def _shape_with(input, dims, sizes):
    shape = list(input._data.shape)
    for d, n in zip(dims, sizes):
        shape[d] = n
    return tuple(shape)


def _pre(input, dims, sizes):
    shape = _shape_with(input, dims, sizes)
    if 0 in shape:
        # torch's CPU kernels (MKL) refuse an empty batch; ember follows its oracle
        raise RuntimeError("FFT of an empty batch (a tensor of shape %s): torch's CPU FFT has no "
                           "plan for zero transforms" % (list(shape),))
    return None if shape == input._data.shape else shape


def _c2c(input, dims, sizes, norm, forward):
    """fft/ifft/fftn/ifftn: complex input through ``c2c``; a real input through the full
    ``r2c`` (conjugated for the inverse, whose exponent is +)."""
    mode = _norm_mode(norm, forward)
    input = _promote(input, None)
    if not dims:
        return cast(input, _dtype.from_numpy_dtype(_complex_of(input._data[:0]).dtype))
    if input._data.dtype.kind == "c":
        core = _Core("c2c", dims, mode, forward=forward)
    else:
        core = _Core("r2c", dims, mode, sizes[-1], onesided=False, conj=not forward)
    return FFT.apply((input,), core, _pre(input, dims, sizes), None)


def _r2c(input, dims, sizes, norm, forward, name):
    """rfft/rfftn (``forward``) and ihfft/ihfftn: the one-sided spectrum of a real input."""
    mode = _norm_mode(norm, forward)
    input = _promote(input, name, require_real=True)
    core = _Core("r2c", dims, mode, sizes[-1], onesided=True, conj=not forward)
    return FFT.apply((input,), core, _pre(input, dims, sizes), None)


def _c2r(input, dims, sizes, norm, forward):
    """irfft/irfftn and (``forward``) hfft/hfftn: the real signal of a one-sided spectrum, the
    input resized to ``n // 2 + 1`` bins on the last dim."""
    mode = _norm_mode(norm, forward)
    input = _promote(input, None)
    half = sizes[:-1] + (sizes[-1] // 2 + 1,)
    core = _Core("c2r", dims, mode, sizes[-1], conj=forward,
                 real=input._data.dtype.kind != "c")
    return FFT.apply((input,), core, _pre(input, dims, half), None)


def _out(result, out, name):
    """``out=``: the result written into ``out`` with torch's rules."""
    if out is None:
        return result
    from ember.ops._arguments import write_out

    return write_out(result, out, name)


# --- public functions ------------------------------------------------------------------------
def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``.

    Args:
        input: real or complex tensor (integers become the default dtype).
        n: signal length: the input is zero-padded or trimmed to it (default: its size).
        dim: the dimension to transform.
        norm: ``"backward"`` (default, no scale), ``"forward"`` (``1/n``) or ``"ortho"``
            (``1/sqrt(n)``).

    Example:
        >>> import ember
        >>> ember.fft.fft(ember.tensor([1., 2., 3., 4.]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    dims, sizes = _one_dim(input, n, dim)
    return _out(_c2c(input, dims, sizes, norm, True), out, "fft")


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`fft` (scaled by ``1/n`` under the default ``norm="backward"``)."""
    dims, sizes = _one_dim(input, n, dim)
    return _out(_c2c(input, dims, sizes, norm, False), out, "ifft")


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-sided FFT of a real input: the ``n // 2 + 1`` non-negative frequencies.

    Example:
        >>> import ember
        >>> ember.fft.rfft(ember.tensor([1., 2., 3., 4.]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    dims, sizes = _one_dim(input, n, dim)
    return _out(_r2c(input, dims, sizes, norm, True, "rfft"), out, "rfft")


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`rfft`: a real signal of length ``n`` (default ``2 * (m - 1)`` for
    ``m`` input bins) whose one-sided spectrum is ``input``."""
    dims, sizes = _one_dim(input, n, dim)
    if n is None:
        sizes = (_check_size(2 * (input._data.shape[dims[0]] - 1)),)
    return _out(_c2r(input, dims, sizes, norm, False), out, "irfft")


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The FFT of a Hermitian-symmetric signal given by its first half: a real tensor of length
    ``n`` (default ``2 * (m - 1)``)."""
    dims, sizes = _one_dim(input, n, dim)
    if n is None:
        sizes = (_check_size(2 * (input._data.shape[dims[0]] - 1)),)
    return _out(_c2r(input, dims, sizes, norm, True), out, "hfft")


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`hfft`: the first half of the Hermitian spectrum of a real input."""
    dims, sizes = _one_dim(input, n, dim)
    return _out(_r2c(input, dims, sizes, norm, False, "ihfft"), out, "ihfft")


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional FFT over ``dim`` (default: the last ``len(s)`` dims, or all), each
    resized to ``s`` (``-1`` keeps a size)."""
    dims, sizes = _n_dims(input, s, dim, None)
    return _out(_c2c(input, dims, sizes, norm, True), out, "fftn")


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`fftn`."""
    dims, sizes = _n_dims(input, s, dim, None)
    return _out(_c2c(input, dims, sizes, norm, False), out, "ifftn")


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional FFT of a real input, one-sided on the last transformed dim."""
    dims, sizes = _n_dims(input, s, dim, "rfftn")
    return _out(_r2c(input, dims, sizes, norm, True, "rfftn"), out, "rfftn")


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`rfftn` (the last dim's default size is ``2 * (m - 1)``)."""
    dims, sizes = _n_dims(input, s, dim, "irfftn", half_last=True)
    return _out(_c2r(input, dims, sizes, norm, False), out, "irfftn")


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional FFT of a Hermitian-symmetric signal given by its half along the last
    transformed dim: a real tensor."""
    dims, sizes = _n_dims(input, s, dim, "hfftn", half_last=True)
    return _out(_c2r(input, dims, sizes, norm, True), out, "hfftn")


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`hfftn`: the half spectrum of a real input."""
    dims, sizes = _n_dims(input, s, dim, "ihfftn")
    return _out(_r2c(input, dims, sizes, norm, False, "ihfftn"), out, "ihfftn")


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-d FFT: :func:`fftn` over the last two dims."""
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-d inverse FFT: :func:`ifftn` over the last two dims."""
    return ifftn(input, s, dim, norm, out=out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-d FFT of a real input: :func:`rfftn` over the last two dims."""
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of :func:`rfft2`."""
    return irfftn(input, s, dim, norm, out=out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-d FFT of a Hermitian-symmetric signal: :func:`hfftn` over the last two dims."""
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of :func:`hfft2`."""
    return ihfftn(input, s, dim, norm, out=out)


# --- shifts and sample frequencies -------------------------------------------------------------
def _shift(input, dim, inverse):
    from ember.ops.manipulation import roll

    ndim = input._data.ndim
    if dim is None:
        dims = tuple(range(ndim))
    else:
        dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
        dims = tuple(wrap_dim(d, ndim) for d in dims)
    if not dims:
        raise RuntimeError("`shifts` required")
    shape = input._data.shape
    shifts = tuple((shape[d] + 1) // 2 if inverse else shape[d] // 2 for d in dims)
    return roll(input, shifts, dims)


def fftshift(input, dim=None):
    """Move the zero frequency to the centre of ``dim`` (default: every dim), as
    ``roll(input, n // 2, dim)``.

    Example:
        >>> import ember
        >>> ember.fft.fftshift(ember.fft.fftfreq(5))
        tensor([-0.4000, -0.2000,  0.0000,  0.2000,  0.4000])
    """
    return _shift(input, dim, False)


def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift`."""
    return _shift(input, dim, True)


def _frequencies(name, n, d, dtype, device, requires_grad, onesided):
    from ember.ops.creation import _dtype_or_default, arange

    dt = _dtype_or_default(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("%s requires a floating point or complex dtype" % name)
    # torch's C++ integer division truncates: rfftfreq(-1) has one element
    count = builtins.int(n / 2) + 1 if onesided else n
    if count < 0:
        raise RuntimeError("Trying to create tensor with negative dimension %d: [%d]"
                           % (count, count))
    index = arange(count, dtype=_dtype.int64, device=device)
    if not onesided:
        index = index - (index >= (n + 1) // 2).long() * n
    # a float division: d = 0 gives inf (and 0 * inf NaN), as torch
    out = cast(index, dt) * builtins.float(np.float64(1.0) / np.float64(n * d))
    return out.requires_grad_(True) if requires_grad else out


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an ``n``-point :func:`fft` with sample spacing ``d``:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (n * d)``.

    Example:
        >>> import ember
        >>> ember.fft.fftfreq(4)
        tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    return _out(_frequencies("fftfreq", n, d, dtype, device, requires_grad, False), out, "fftfreq")


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an ``n``-point :func:`rfft`: ``[0, 1, ..., n // 2] / (n * d)``.
    """
    return _out(_frequencies("rfftfreq", n, d, dtype, device, requires_grad, True), out, "rfftfreq")



def _shift_samples(dtype):
    yield SampleInput(T(5))
    yield SampleInput(T(4, 7))
    yield SampleInput(T(4, 7), dim=1)
    yield SampleInput(T(3, 4, 5), dim=(0, -1))
    yield SampleInput(T(4, 6, noncontig=True), dim=-1)
    yield SampleInput(T(0, 3))


def _shift_errors():
    yield ErrorInput(SampleInput(T()), RuntimeError, "`shifts` required")
    yield ErrorInput(SampleInput(T(4), dim=()), RuntimeError, "`shifts` required")
    yield ErrorInput(SampleInput(T(4), dim=2), IndexError, "Dimension out of range")


for _fn in (fftshift, ifftshift):
    register(OpInfo("fft." + _fn.__name__, _fn, _shift_samples, _shift_errors,
                    dtypes=("float32", "float64", "int64", "bool")))
for _fn in (fftfreq, rfftfreq):
    not_differentiable("fft." + _fn.__name__, "tests/test_fft.py")
del _fn


# --- registry records ------------------------------------------------------------------------
def _one_dim_samples(kind):
    """Samples of a 1-d transform: ``kind`` is "c2c", "r2c" (real input) or "c2r" (a half
    spectrum: ``n`` defaults to ``2 * (m - 1)``). The records run them in the complex dtypes
    too (where an r2c transform refuses them, as torch)."""
    def samples(dtype):
        yield SampleInput(T(8))
        yield SampleInput(T(3, 5), n=8, dim=0, norm="ortho")
        yield SampleInput(T(2, 7), n=4, norm="forward")
        yield SampleInput(T(4, 6, noncontig=True), dim=-1)
        yield SampleInput(T(6, 2), n=7, dim=0)
        yield SampleInput(T(0, 5))
        if kind == "c2r":
            yield SampleInput(T(3, 4), n=5, norm="forward")
    return samples


def _n_dim_samples(kind, two=False):
    def samples(dtype):
        yield SampleInput(T(3, 4))
        yield SampleInput(T(2, 3, 4), s=(4, 6), norm="ortho")
        yield SampleInput(T(3, 4, 5), s=(-1, 3), dim=(2, 0), norm="forward")
        yield SampleInput(T(4, 6, noncontig=True), dim=(0, 1) if two else (0,))
        yield SampleInput(T(2, 3, 4), dim=(0, -1), s=(3, 5))
        if not two:
            yield SampleInput(T(2, 3, 4), s=(5,))
    return samples


def _one_dim_errors(name, kind):
    def errors():
        yield ErrorInput(SampleInput(T(4), n=0), RuntimeError, r"Invalid number of data points "
                         r"\(0\) specified")
        yield ErrorInput(SampleInput(T(4), dim=1), IndexError, "Dimension out of range")
        yield ErrorInput(SampleInput(T()), IndexError, "tensor has no dimensions")
        yield ErrorInput(SampleInput(T(4), norm="bad"), RuntimeError,
                         'Invalid normalization mode: "bad"')
        yield ErrorInput(SampleInput(T(4, dtype="float16")), RuntimeError, "Unsupported dtype Half")
        if kind == "r2c":
            yield ErrorInput(SampleInput(T(4, dtype="complex64")), RuntimeError,
                             "%s expects a real input tensor, but got ComplexFloat" % name)
        if kind == "c2r":
            yield ErrorInput(SampleInput(T(1, dtype="complex64")), RuntimeError,
                             r"Invalid number of data points \(0\) specified")
    return errors


def _n_dim_errors(name, kind, two=False):
    def errors():
        yield ErrorInput(SampleInput(T(3, 4), s=(2, 2), dim=(0,)), RuntimeError,
                         "When given, dim and shape arguments must have the same length")
        yield ErrorInput(SampleInput(T(3, 4), dim=(0, 0)), RuntimeError,
                         "FFT dims must be unique")
        yield ErrorInput(SampleInput(T(3, 4), s=(0, 2)), RuntimeError,
                         r"Invalid number of data points \(0\) specified")
        yield ErrorInput(SampleInput(T(3, 4), dim=(0, 2)), IndexError, "Dimension out of range")
        yield ErrorInput(SampleInput(T(3, 4), norm="ortho2"), RuntimeError,
                         "Invalid normalization mode")
        if not two:
            yield ErrorInput(SampleInput(T(3, 4), s=(2, 2, 2)), RuntimeError,
                             "Got shape with 3 values but input tensor only has 2 dimensions")
            if kind != "c2c":
                yield ErrorInput(SampleInput(T(3, 4), dim=()), RuntimeError,
                                 "%s must transform at least one axis" % name)
        if kind == "r2c":
            yield ErrorInput(SampleInput(T(3, 4, dtype="complex128")), RuntimeError,
                             "%s expects a real input tensor, but got ComplexDouble" % name)
    return errors


_KINDS = {"fft": "c2c", "ifft": "c2c", "rfft": "r2c", "ihfft": "r2c", "irfft": "c2r",
          "hfft": "c2r"}
for _fn in (fft, ifft, rfft, irfft, hfft, ihfft):
    _kind = _KINDS[_fn.__name__]
    register(OpInfo("fft." + _fn.__name__, _fn, _one_dim_samples(_kind),
                    _one_dim_errors(_fn.__name__, _kind), dtypes=FLOAT + COMPLEX, atol=1e-4,
                    rtol=1e-5))
for _fn in (fftn, ifftn, rfftn, irfftn, hfftn, ihfftn, fft2, ifft2, rfft2, irfft2, hfft2, ihfft2):
    _two = _fn.__name__.endswith("2")
    _kind = _KINDS[_fn.__name__[:-1]]
    _error_name = _fn.__name__[:-1] + "n"
    register(OpInfo("fft." + _fn.__name__, _fn, _n_dim_samples(_kind, _two),
                    _n_dim_errors(_error_name, _kind, _two), dtypes=FLOAT + COMPLEX, atol=1e-4,
                    rtol=1e-5))
