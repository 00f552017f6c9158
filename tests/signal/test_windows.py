"""``ember.signal.windows`` against ``torch.signal.windows``: values for symmetric and periodic
windows of several lengths in both float dtypes, the parameters, the errors, and gradients."""
import numpy as np
import pytest
import torch
import torch.signal.windows

import ember

_PARAMS = {"exponential": [{}, {"tau": 2.5}, {"center": 1.5, "sym": False}],
           "gaussian": [{}, {"std": 0.4}], "kaiser": [{}, {"beta": 0.0}, {"beta": 3.5}],
           "general_cosine": [{"a": [0.5, 0.3, 0.2]}], "general_hamming": [{}, {"alpha": 0.6}]}
_NAMES = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
          "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


@pytest.mark.parametrize("name", _NAMES)
def test_windows_match_torch(name):
    e_fn, t_fn = getattr(ember.signal.windows, name), getattr(torch.signal.windows, name)
    for kwargs in _PARAMS.get(name, [{}]):
        for M in (0, 1, 2, 5, 8):
            for sym in ((True, False) if "sym" not in kwargs else (kwargs["sym"],)):
                for e_dt, t_dt in ((ember.float32, torch.float32), (ember.float64, torch.float64)):
                    kw = dict(kwargs, sym=sym)
                    e, t = e_fn(M, dtype=e_dt, **kw), t_fn(M, dtype=t_dt, **kw)
                    what = "%s(%d, %s, %s)" % (name, M, kw, e_dt)
                    assert e.dtype == e_dt and tuple(e.shape) == tuple(t.shape), what
                    tol = 1e-6 if e_dt == ember.float32 else 1e-12
                    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=tol, atol=tol,
                                               err_msg=what)
    assert e_fn(4, **_PARAMS.get(name, [{}])[0]).dtype == ember.get_default_dtype()


@pytest.mark.parametrize("name", _NAMES)
def test_window_errors_match_torch(name):
    kwargs = _PARAMS.get(name, [{}])[0]
    for call in (lambda lib: getattr(lib.signal.windows, name)(-1, **kwargs),
                 lambda lib: getattr(lib.signal.windows, name)(4, dtype=lib.int64, **kwargs)):
        with pytest.raises(ValueError) as t_err:
            call(torch)
        with pytest.raises(ValueError) as e_err:
            call(ember)
        assert str(e_err.value) == str(t_err.value).replace("torch.", "ember.")


def test_window_parameter_errors_match_torch():
    calls = [("exponential", {"tau": 0.0}), ("exponential", {"center": 1.0}),
             ("gaussian", {"std": -1.0}), ("kaiser", {"beta": -1.0}),
             ("general_cosine", {"a": []})]
    for name, kwargs in calls:
        with pytest.raises(ValueError) as t_err:
            getattr(torch.signal.windows, name)(4, **kwargs)
        with pytest.raises(ValueError) as e_err:
            getattr(ember.signal.windows, name)(4, **kwargs)
        assert str(e_err.value) == str(t_err.value), name
    with pytest.raises(TypeError):
        ember.signal.windows.general_cosine(4, a=3)


@pytest.mark.parametrize("name", ["gaussian", "hann", "bartlett"])
def test_requires_grad_records_the_graph_as_torch(name):
    e = getattr(ember.signal.windows, name)(6, requires_grad=True)
    t = getattr(torch.signal.windows, name)(6, requires_grad=True)
    assert (e.requires_grad, e.is_leaf) == (t.requires_grad, t.is_leaf) == (True, False)
