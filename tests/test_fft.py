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
