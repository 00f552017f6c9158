"""``ember.fft`` against ``torch.fft``: sample frequencies here; fftshift/ifftshift are registry
ops (``tests/ops/test_ops.py`` meets them)."""
import numpy as np
import pytest
import torch

import ember

_DTYPES = [(ember.float32, torch.float32), (ember.float64, torch.float64)]


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_sample_frequencies_match_torch(name):
    # rfftfreq's size is trunc(n / 2) + 1: rfftfreq(-1) has one element
    for n in range(-2 if name == "rfftfreq" else 0, 10):
        for d in (1.0, 0.3, 2.5, -2.0, 0.0):
            for e_dt, t_dt in _DTYPES:
                e = getattr(ember.fft, name)(n, d, dtype=e_dt)
                t = getattr(torch.fft, name)(n, d, dtype=t_dt)
                assert e.dtype == e_dt and e.shape == t.shape, (name, n, d)
                np.testing.assert_array_equal(e.numpy(), t.numpy(), err_msg="%s(%d, %s)"
                                              % (name, n, d))
    assert ember.fft.fftfreq(4).dtype == ember.get_default_dtype()
    e = getattr(ember.fft, name)(5, requires_grad=True)
    assert e.requires_grad and e.is_leaf


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_sample_frequency_errors_match_torch(name):
    for call in (lambda lib: getattr(lib.fft, name)(4, dtype=lib.int64),
                 lambda lib: getattr(lib.fft, name)(-5)):
        with pytest.raises(RuntimeError) as t_err:
            call(torch)
        with pytest.raises(RuntimeError) as e_err:
            call(ember)
        assert str(e_err.value) == str(t_err.value).splitlines()[0]


def test_shift_undoes_itself_and_centres_the_frequencies():
    x = ember.arange(35.0).reshape(5, 7)
    np.testing.assert_array_equal(ember.fft.ifftshift(ember.fft.fftshift(x)).numpy(), x.numpy())
    np.testing.assert_array_equal(ember.fft.fftshift(ember.fft.fftfreq(6)).numpy(),
                                  torch.fft.fftshift(torch.fft.fftfreq(6)).numpy())


# ---- transforms -------------------------------------------------------------------------------
_RNG = np.random.default_rng(0)
_REAL = _RNG.standard_normal((3, 4, 6))
_COMPLEX = _REAL + 1j * _RNG.standard_normal((3, 4, 6))
_ONE_DIM = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
_N_DIM = ["fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn", "fft2", "ifft2", "rfft2",
          "irfft2", "hfft2", "ihfft2"]
_REAL_ONLY = ("rfft", "ihfft")


def _inputs(name, dtype):
    """(ember, torch) inputs of ``dtype`` (float32/float64) and, where the transform takes
    them, of its complex dtype."""
    cdt = np.complex64 if dtype == np.float32 else np.complex128
    arrays = [_REAL.astype(dtype)] + ([] if name.startswith(_REAL_ONLY) else [_COMPLEX.astype(cdt)])
    return [(ember.from_numpy(a.copy()), torch.from_numpy(a.copy())) for a in arrays]


def _compare(e, t, what, tol):
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], what
    assert tuple(e.shape) == tuple(t.shape), what
    np.testing.assert_allclose(e.detach().numpy(), t.detach().resolve_conj().numpy(), rtol=tol,
                               atol=tol,
                               err_msg=what)


@pytest.mark.parametrize("name", _ONE_DIM)
def test_one_dim_transforms_match_torch(name):
    for dtype in (np.float32, np.float64):
        tol = 1e-4 if dtype == np.float32 else 1e-10
        for e_x, t_x in _inputs(name, dtype):
            for kwargs in ({}, {"n": 5}, {"n": 9, "dim": 1, "norm": "ortho"},
                           {"dim": 0, "norm": "forward"}, {"n": 1, "norm": "backward"}):
                what = "%s(%s, %s)" % (name, e_x.dtype, kwargs)
                e, t = _run_both(name, e_x, t_x, kwargs)
                _compare(e, t, what, tol)


@pytest.mark.parametrize("name", _N_DIM)
def test_n_dim_transforms_match_torch(name):
    two = name.endswith("2")
    for dtype in (np.float32, np.float64):
        tol = 1e-4 if dtype == np.float32 else 1e-10
        for e_x, t_x in _inputs(name, dtype):
            for kwargs in ({}, {"s": (3, 5)}, {"dim": (0, 2), "norm": "ortho"},
                           {"s": (-1, 7), "dim": (2, 0), "norm": "forward"},
                           {"s": (2, 3, 4)} if not two else {"dim": (-1, -3)}):
                e, t = _run_both(name, e_x, t_x, kwargs)
                _compare(e, t, "%s(%s, %s)" % (name, e_x.dtype, kwargs), tol)


def _run_both(name, e_x, t_x, kwargs):
    return getattr(ember.fft, name)(e_x, **kwargs), getattr(torch.fft, name)(t_x, **kwargs)


def test_result_dtypes_follow_torch():
    x32, x64 = ember.ones(8), ember.ones(8, dtype=ember.float64)
    assert ember.fft.rfft(x32).dtype == ember.complex64
    assert ember.fft.fft(x64).dtype == ember.complex128
    assert ember.fft.irfft(ember.fft.rfft(x32)).dtype == ember.float32
    assert ember.fft.hfft(x64).dtype == ember.float64
    assert ember.fft.fft(ember.arange(8)).dtype == ember.complex64  # integers: default dtype
    assert ember.fft.irfft(ember.arange(5)).dtype == ember.float32


@pytest.mark.parametrize("name", _ONE_DIM + _N_DIM)
def test_gradients_match_torch(name):
    """``autograd.grad`` with a complex (or real) gradient of the output, and the double
    backward (the vector-Jacobian product of that gradient with respect to the output's)."""
    kwargs = {"n": 7} if name in _ONE_DIM else {"s": (3, 5)}
    for e_x, t_x in _inputs(name, np.float64):
        e_x.requires_grad_(True)
        t_x.requires_grad_(True)
        e_y, t_y = _run_both(name, e_x, t_x, kwargs)
        g = _RNG.standard_normal(tuple(t_y.shape))
        if t_y.is_complex():
            g = g + 1j * _RNG.standard_normal(tuple(t_y.shape))
        e_g, t_g = ember.from_numpy(g.copy()), torch.from_numpy(g.copy())
        e_g.requires_grad_(True)
        t_g.requires_grad_(True)
        (e_gx,) = ember.autograd.grad(e_y, e_x, e_g, create_graph=True)
        (t_gx,) = torch.autograd.grad(t_y, t_x, t_g, create_graph=True)
        _compare(e_gx, t_gx, "%s grad of %s" % (name, e_x.dtype), 1e-10)
        h = _RNG.standard_normal(tuple(t_gx.shape))
        if t_gx.is_complex():
            h = h + 1j * _RNG.standard_normal(tuple(t_gx.shape))
        e_gg, = ember.autograd.grad(e_gx, e_g, ember.from_numpy(h.copy()))
        t_gg, = torch.autograd.grad(t_gx, t_g, torch.from_numpy(h.copy()))
        _compare(e_gg, t_gg, "%s double backward of %s" % (name, e_x.dtype), 1e-10)


def test_loss_of_a_spectrum_backward_matches_torch():
    x = _REAL[0].astype(np.float32)
    e_x, t_x = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ember.fft.rfft(e_x).abs().sum().backward()
    torch.fft.rfft(t_x).abs().sum().backward()
    np.testing.assert_allclose(e_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-5, atol=1e-5)
    e_x.grad = t_x.grad = None
    (ember.view_as_real(ember.fft.fft2(e_x)) ** 2).sum().backward()
    (torch.view_as_real(torch.fft.fft2(t_x)) ** 2).sum().backward()
    np.testing.assert_allclose(e_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_inverse_transforms_undo_the_forward_ones():
    x = ember.from_numpy(_REAL.copy())
    np.testing.assert_allclose(ember.fft.irfftn(ember.fft.rfftn(x), s=x.shape).numpy(), _REAL,
                               atol=1e-12)
    np.testing.assert_allclose(ember.fft.ihfft(ember.fft.hfft(ember.fft.ihfft(x))).numpy(),
                               ember.fft.ihfft(x).numpy(), atol=1e-12)


def test_out_argument_as_torch():
    for lib in (ember, torch):
        x = lib.arange(8.0)
        out = lib.empty(5, dtype=lib.complex64)
        res = lib.fft.rfft(x, out=out)
        freq = lib.empty(0)
        lib.fft.fftfreq(4, out=freq)
        if lib is ember:
            e_res, e_out, e_freq = res, out, freq
    assert e_res is e_out
    np.testing.assert_allclose(e_out.numpy(), out.numpy(), atol=1e-5)
    np.testing.assert_array_equal(e_freq.numpy(), freq.numpy())


def test_keyword_aliases_as_torch():
    for lib in (ember, torch):
        x = lib.ones(4, 3)
        res = [lib.fft.fft(x, axis=0), lib.fft.fftn(x=x, axis=(0,)), lib.fft.rfft(input=x)]
        if lib is ember:
            e_res = res
    for e, t in zip(e_res, res):
        np.testing.assert_allclose(e.numpy(), t.numpy())


@pytest.mark.parametrize("name,kwargs", [("fft", {"n": 6}), ("ihfft", {"n": 5}),
                                         ("irfft", {"n": 7}), ("hfftn", {"s": (2, 4)}),
                                         ("rfft2", {"norm": "ortho"})])
def test_gradcheck_and_gradgradcheck(name, kwargs):
    """ember's own float64 checks (no torch), on complex inputs where the transform takes them."""
    x = _RNG.standard_normal((2, 5))
    if not name.startswith(_REAL_ONLY) and not name.startswith("rfft"):
        x = x + 1j * _RNG.standard_normal((2, 5))
    leaf = ember.from_numpy(x).requires_grad_(True)

    def fn(t):
        return getattr(ember.fft, name)(t, **kwargs)

    assert ember.autograd.gradcheck(fn, (leaf,))
    assert ember.autograd.gradgradcheck(fn, (leaf,))
