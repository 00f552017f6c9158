"""``ember.stft`` / ``ember.istft`` against torch: values and dtypes over the options, the round
trip, and gradients (the registry records in ``ember/ops/stft.py`` add the errors and fuzzing)."""
import warnings

import numpy as np
import pytest
import torch

import ember

_RNG = np.random.default_rng(0)
_SIGNAL = _RNG.standard_normal((2, 40))
_HANN = np.hanning(17)[:16]


def _both(name, *args, **kwargs):
    """``name`` run in ember and torch on the same arguments (arrays become tensors)."""
    out = []
    for lib in (ember, torch):
        def conv(a):
            return lib.from_numpy(a.copy()) if isinstance(a, np.ndarray) else a

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(getattr(lib, name)(*map(conv, args),
                                          **{k: conv(v) for k, v in kwargs.items()}))
    return out


def _compare(e, t, what, tol=1e-10):
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], what
    assert tuple(e.shape) == tuple(t.shape), what
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol,
                               err_msg=what)


_STFT_OPTIONS = [{}, {"hop_length": 3}, {"win_length": 10, "window": np.hanning(10)},
                 {"center": False}, {"pad_mode": "constant"}, {"pad_mode": "circular"},
                 {"normalized": True}, {"onesided": False},
                 {"window": _HANN, "hop_length": 5, "center": False},
                 {"win_length": 10, "window": np.hanning(10), "center": False,
                  "align_to_window": True, "hop_length": 3},
                 {"window": _HANN.astype(np.float32)}]


@pytest.mark.parametrize("kind", ["batch", "one", "float32", "complex"])
def test_stft_matches_torch(kind):
    x = {"batch": _SIGNAL, "one": _SIGNAL[0], "float32": _SIGNAL.astype(np.float32),
         "complex": _SIGNAL + 1j * _RNG.standard_normal(_SIGNAL.shape)}[kind]
    for kwargs in _STFT_OPTIONS:
        if kind == "complex" and kwargs.get("onesided") is not None:
            continue
        e, t = _both("stft", x, 16, return_complex=True, **kwargs)
        _compare(e, t, "stft(%s, %s)" % (kind, kwargs), 1e-5 if kind == "float32" else 1e-10)


def test_istft_matches_torch():
    spectrum = torch.stft(torch.from_numpy(_SIGNAL), 16, window=torch.from_numpy(_HANN),
                          return_complex=True).numpy()
    full = torch.stft(torch.from_numpy(_SIGNAL), 16, window=torch.from_numpy(_HANN),
                      return_complex=True, onesided=False).numpy()
    for s in (spectrum, spectrum[0], spectrum.astype(np.complex64), full):
        for kwargs in ({"window": _HANN}, {"window": _HANN, "length": 45},
                       {"window": _HANN, "length": 30}, {}, {"window": _HANN, "normalized": True},
                       {"window": _HANN, "hop_length": 3}):
            e, t = _both("istft", s, 16, **kwargs)
            _compare(e, t, "istft(%s, %s)" % (s.shape, kwargs),
                     1e-5 if s.dtype == np.complex64 else 1e-10)
    e, t = _both("istft", full, 16, window=_HANN, return_complex=True)
    _compare(e, t, "istft return_complex")


def test_istft_inverts_stft():
    x = ember.from_numpy(_SIGNAL.copy())
    window = ember.hamming_window(16, dtype=ember.float64)  # no zero at the ends: center=False
    for center, hop in ((True, 4), (True, 3), (False, 4)):
        s = ember.stft(x, 16, hop, window=window, center=center, return_complex=True)
        y = ember.istft(s, 16, hop, window=window, center=center, length=40)
        keep = slice(None) if center else slice(0, 36)  # the last frame ends at 36
        np.testing.assert_allclose(y.numpy()[:, keep], _SIGNAL[:, keep], atol=1e-12)
    assert x.stft(16, window=window, return_complex=True).shape == (2, 9, 11)


def test_stft_and_istft_gradients_match_torch():
    """The gradient of the input and of the window, for a complex gradient of the spectrum;
    and of the spectrum for a real gradient of istft's signal."""
    e_x, t_x = ember.tensor(_SIGNAL, requires_grad=True), torch.tensor(_SIGNAL, requires_grad=True)
    e_w, t_w = (ember.tensor(_HANN[3:13], requires_grad=True),
                torch.tensor(_HANN[3:13], requires_grad=True))
    kwargs = dict(hop_length=3, win_length=10, return_complex=True)
    e_s = ember.stft(e_x, 16, window=e_w, **kwargs)
    t_s = torch.stft(t_x, 16, window=t_w, **kwargs)
    g = _RNG.standard_normal(tuple(t_s.shape)) + 1j * _RNG.standard_normal(tuple(t_s.shape))
    e_gx, e_gw = ember.autograd.grad(e_s, (e_x, e_w), ember.from_numpy(g.copy()))
    t_gx, t_gw = torch.autograd.grad(t_s, (t_x, t_w), torch.from_numpy(g.copy()))
    _compare(e_gx, t_gx, "stft input gradient")
    _compare(e_gw, t_gw, "stft window gradient")
    e_s, t_s = ember.from_numpy(g.copy()), torch.from_numpy(g.copy())
    e_s.requires_grad_(True)
    t_s.requires_grad_(True)
    e_y = ember.istft(e_s, 16, 3, window=ember.from_numpy(_HANN.copy()))
    t_y = torch.istft(t_s, 16, 3, window=torch.from_numpy(_HANN.copy()))
    h = _RNG.standard_normal(tuple(t_y.shape))
    (e_gs,) = ember.autograd.grad(e_y, e_s, ember.from_numpy(h.copy()))
    (t_gs,) = torch.autograd.grad(t_y, t_s, torch.from_numpy(h.copy()))
    _compare(e_gs, t_gs, "istft gradient")


def test_complex_input_gradient_and_real_layout_match_torch():
    x = _SIGNAL + 1j * _SIGNAL[:, ::-1]
    e_x, t_x = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    window = _HANN
    ember.stft(e_x, 16, window=ember.tensor(window), return_complex=True).abs().sum().backward()
    torch.stft(t_x, 16, window=torch.tensor(window), return_complex=True).abs().sum().backward()
    _compare(e_x.grad, t_x.grad, "stft of a complex input, gradient")
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        e = ember.stft(ember.tensor(_SIGNAL), 16, window=ember.tensor(window),
                       return_complex=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.stft(torch.tensor(_SIGNAL), 16, window=torch.tensor(window),
                       return_complex=False)
    _compare(e, t, "stft return_complex=False")


def test_warnings_as_torch():
    x = ember.from_numpy(_SIGNAL[0].copy())
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(x, 16, return_complex=True)
    s = ember.stft(x, 16, window=ember.ones(16, dtype=ember.float64), return_complex=True)
    with pytest.warns(UserWarning, match="padded with zeros in the tail"):
        ember.istft(s, 16, window=ember.ones(16, dtype=ember.float64), length=50)
