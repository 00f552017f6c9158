"""The short-time Fourier transform and its inverse (``torch.stft`` / ``torch.istft``), composed
of differentiable ops: frames are ``Tensor.unfold`` windows of the (padded) signal, multiplied by
the window and transformed by ``ember.fft``; ``istft`` transforms back and overlap-adds the
windowed frames with ``F.fold``, divided by the overlap-added squared window.
"""
import warnings

from ember.ops.fft import fft, ifft, irfft, rfft
from ember.ops.registry import COMPLEX, ErrorInput, OpInfo, SampleInput, T, register

_NO_WINDOW = ("A window was not provided. A rectangular window will be applied,which is known to "
              "cause spectral leakage. Other windows such as torch.hann_window or "
              "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
              "warning and use a rectangular window, explicitly set `window=torch.ones(n_fft, "
              "device=<device>)`.")


def _padded_window(window, win_length, n_fft, like):
    """The window (ones when None) zero-padded on both sides to ``n_fft``, centred."""
    import ember

    if window is None:
        window = ember.ones(win_length, dtype=like.real.dtype if like.is_complex() else like.dtype)
    left = (n_fft - win_length) // 2
    if left or win_length != n_fft:
        from ember.ops.nn.padding import pad

        window = pad(window, (left, n_fft - win_length - left))
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):
    """The short-time Fourier transform: the FFTs of ``n_fft``-long frames ``hop_length`` apart
    (default ``n_fft // 4``), each multiplied by ``window`` (``win_length`` long, centred in the
    frame). ``(L,)`` or ``(B, L)`` -> ``(B?, n_fft // 2 + 1, n_frames)`` (all ``n_fft``
    frequencies when ``onesided=False`` or the input is complex).

    Args:
        center: pad the signal by ``n_fft // 2`` on both sides (``pad_mode``), so that frame
            ``t`` is centred at ``t * hop_length``.
        normalized: scale by ``n_fft ** -0.5``.
        return_complex: must be given for real inputs (``True``; ``False`` gives the deprecated
            ``view_as_real`` layout).
        align_to_window: with ``center=False``, frames start where their window starts.
    """
    from ember.ops.nn.padding import pad

    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None and not complex_in:
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, "
                           "and will further require that return_complex=True in a future "
                           "PyTorch release.")
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:
        ndim = input.dim()
        extended = (1,) * (3 - ndim) + tuple(input.shape)
        input = pad(input.reshape(extended), (n_fft // 2, n_fft // 2), pad_mode)
        input = input.reshape(input.shape[-ndim:])
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("stft: expected a tensor of floating point or complex values")
    if input.dim() not in (1, 2):
        raise RuntimeError("stft: expected a 1D or 2D tensor")
    hop_length = n_fft >> 2 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    length = input.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError("stft: expected 0 < n_fft < %d, but got n_fft=%d" % (length, n_fft))
    if hop_length <= 0:
        raise RuntimeError("stft: expected hop_length > 0, but got hop_length=%d" % hop_length)
    if win_length <= 0 or win_length > n_fft:
        raise RuntimeError("stft: expected 0 < win_length <= n_fft, but got win_length=%d"
                           % win_length)
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise RuntimeError("stft: expected a 1D window tensor of size equal to win_length=%d, "
                           "but got window with size %s" % (win_length, list(window.shape)))
    if window is None:
        warnings.warn(_NO_WINDOW, UserWarning, stacklevel=2)
    onesided = not complex_in if onesided is None else onesided
    if complex_in and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if align_to_window:
        # the frame starts where its (centred) window does: pad by the window's offset
        left = (n_fft - win_length) // 2
        input = pad(input, (left, n_fft - win_length - left))
    frames = input.unfold(-1, n_fft, hop_length)
    if window is not None or win_length != n_fft:
        frames = frames * _padded_window(window, win_length, n_fft, input)
    norm = "ortho" if normalized else "backward"
    out = (rfft if onesided else fft)(frames, norm=norm).transpose(-1, -2)
    if return_complex is False:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch "
                      "release, stft will return complex tensors for all inputs, and "
                      "return_complex=False will raise an error.", UserWarning, stacklevel=2)
        from ember.ops.complex import view_as_real

        out = view_as_real(out)
    return out


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """The inverse of :func:`stft`: inverse FFTs of the frames, multiplied by the window and
    overlap-added, divided by the overlap-added squared window (which must not vanish where the
    signal is kept). ``length`` trims or zero-pads the result.
    """
    from ember.ops.nn.fold import fold
    from ember.ops.nn.padding import pad

    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    if input.dim() < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-2, 1], but got "
                         "-3)")
    if input.dim() > 3:
        raise RuntimeError("istft: expected a tensor with 2 or 3 dimensions of complex values")
    hop_length = n_fft >> 2 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if not 0 < win_length <= n_fft:
        raise RuntimeError("istft: expected 0 < win_length <= n_fft")
    if not 0 < hop_length <= win_length:
        raise RuntimeError("istft: expected 0 < hop_length <= win_length")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise RuntimeError("istft: Invalid window shape. window has to be 1D and length of "
                           "`win_length`")
    fft_size, n_frames = input.shape[-2], input.shape[-1]
    onesided = fft_size != n_fft if onesided is None else onesided
    if onesided and n_fft // 2 + 1 != fft_size:
        raise RuntimeError("istft: expected the frequency dimension (3rd to the last) of the "
                           "input tensor to match n_fft / 2 + 1 when onesided=True, but got %d"
                           % fft_size)
    if not onesided and n_fft != fft_size:
        raise RuntimeError("istft: expected the frequency dimension (3rd to the last) of the "
                           "input tensor to match n_fft when onesided=False, but got %d"
                           % fft_size)
    if return_complex and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if not return_complex and window is not None and window.is_complex():
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please "
                      "provide the same window used by stft to make the inversion lossless.To "
                      "suppress this warning and use a rectangular window, explicitly set "
                      "`window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    batched = input.dim() == 3
    spectrum = (input if batched else input.unsqueeze(0)).transpose(1, 2)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        frames = ifft(spectrum, n=n_fft, norm=norm)
    else:
        if not onesided:
            spectrum = spectrum[..., :n_fft // 2 + 1]
        frames = irfft(spectrum, n=n_fft, norm=norm)
    window = _padded_window(window, win_length, n_fft, frames)
    frames = frames * window
    total = n_fft + hop_length * (n_frames - 1)
    blocks = dict(output_size=(1, total), kernel_size=(1, n_fft), stride=(1, hop_length))
    columns = frames.transpose(1, 2)
    if columns.is_complex():
        # F.fold has no complex kernel (torch's either): overlap-add each part
        from ember.ops.complex import complex as make_complex, imag, real

        signal = make_complex(fold(real(columns), **blocks), fold(imag(columns), **blocks))
    else:
        signal = fold(columns, **blocks)
    signal = signal.reshape(frames.shape[0], total)
    squares = (window * window).reshape(1, n_fft, 1).expand(1, n_fft, n_frames)
    envelope = fold(squares, **blocks).reshape(1, total)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = total - n_fft // 2 if center else total
    signal, envelope = signal[:, start:min(end, total)], envelope[:, start:min(end, total)]
    if envelope.numel() and bool((envelope.abs() < 1e-11).any()):
        raise RuntimeError("istft: window overlap add min: 1")
    signal = signal / envelope
    if end > total:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being "
                      "padded with zeros in the tail. Please check your center and hop_length "
                      "settings.", UserWarning, stacklevel=2)
        signal = pad(signal, (0, end - total))
    return signal if batched else signal.squeeze(0)


def _stft_samples(dtype):
    window = T(8, low=0.2, high=1.0)
    yield SampleInput(T(40), 16, return_complex=True)
    yield SampleInput(T(2, 30), 8, hop_length=3, window=window, return_complex=True)
    yield SampleInput(T(30), 8, win_length=6, window=T(6, low=0.2, high=1.0), center=False,
                      return_complex=True)
    yield SampleInput(T(25), 8, normalized=True, onesided=False, pad_mode="constant",
                      return_complex=True)
    yield SampleInput(T(20), 8, hop_length=4, win_length=6, center=False, align_to_window=True,
                      return_complex=True)


def _stft_errors():
    yield ErrorInput(SampleInput(T(40), 16), RuntimeError,
                     "stft requires the return_complex parameter be given for real inputs")
    yield ErrorInput(SampleInput(T(20), 32, center=False, return_complex=True), RuntimeError,
                     "expected 0 < n_fft < 20, but got n_fft=32")
    yield ErrorInput(SampleInput(T(20), 8, hop_length=0, return_complex=True), RuntimeError,
                     "expected hop_length > 0, but got hop_length=0")
    yield ErrorInput(SampleInput(T(20), 8, win_length=9, return_complex=True), RuntimeError,
                     "expected 0 < win_length <= n_fft, but got win_length=9")
    yield ErrorInput(SampleInput(T(20), 8, window=T(5), return_complex=True), RuntimeError,
                     "expected a 1D window tensor of size equal to win_length=8")
    yield ErrorInput(SampleInput(T(20), 8, align_to_window=True, return_complex=True),
                     RuntimeError, "stft align_to_window should only be set when center = false")
    yield ErrorInput(SampleInput(T(2, 2, 20), 8, return_complex=True), RuntimeError,
                     "expected a 1D or 2D tensor")
    yield ErrorInput(SampleInput(T(20, dtype="complex64"), 8, onesided=True,
                                 return_complex=True), RuntimeError,
                     "Cannot have onesided output if window or input is complex")


def _istft_samples(dtype):
    window = T(8, low=0.5, high=1.0, dtype="float64")
    yield SampleInput(T(5, 7), 8, window=window)
    yield SampleInput(T(2, 5, 7), 8, hop_length=2, length=20)
    yield SampleInput(T(8, 6), 8, hop_length=2, window=window, onesided=False,
                      return_complex=True)
    yield SampleInput(T(5, 6), 8, hop_length=2, win_length=6, normalized=True, length=40)
    yield SampleInput(T(5, 6), 8, window=window, center=False, hop_length=2)


def _istft_errors():
    yield ErrorInput(SampleInput(T(5, 7, dtype="float32"), 8), RuntimeError,
                     "istft requires a complex-valued input tensor")
    yield ErrorInput(SampleInput(T(6, 7), 8), RuntimeError, "expected the frequency dimension "
                     r"\(3rd to the last\) of the input tensor to match n_fft / 2 \+ 1")
    yield ErrorInput(SampleInput(T(5, 7), 8, onesided=False), RuntimeError,
                     "to match n_fft when onesided=False, but got 5")
    yield ErrorInput(SampleInput(T(5, 7), 8, hop_length=9), RuntimeError,
                     "expected 0 < hop_length <= win_length")
    yield ErrorInput(SampleInput(T(5, 7), 8, window=T(7, dtype="float32")), RuntimeError,
                     "Invalid window shape")
    yield ErrorInput(SampleInput(T(5, 7), 8, return_complex=True), RuntimeError,
                     "Cannot have onesided output if window or input is complex")
    yield ErrorInput(SampleInput(T(5, 7), 8, center=False, window=T(8, low=0.0, high=0.0,
                                                                     dtype="float32")),
                     RuntimeError, "window overlap add min")


register(OpInfo("stft", stft, _stft_samples, _stft_errors, method=True, atol=1e-4, rtol=1e-5))
register(OpInfo("istft", istft, _istft_samples, _istft_errors, method=True, dtypes=COMPLEX,
                atol=1e-4, rtol=1e-5))
