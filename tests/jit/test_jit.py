"""torch.jit on ember: script and trace run eagerly with torch's results; TorchScript files are
refused clearly."""
import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit")


def _pair():
    t_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    e_model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU(), ember.nn.Linear(4, 2))
    e_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    return e_model, t_model


@pytest.mark.parametrize("how", ["script", "trace"])
def test_script_and_trace_give_torchs_results(how):
    e_model, t_model = _pair()
    x = np.random.randn(5, 3).astype(np.float32)
    with pytest.warns(DeprecationWarning, match="torch.jit.%s. is deprecated" % how):
        getattr(ember.jit, how)(e_model, ember.tensor(x))
    if how == "script":
        e_jit, t_jit = ember.jit.script(e_model), torch.jit.script(t_model)
    else:
        e_jit = ember.jit.trace(e_model, ember.tensor(x))
        t_jit = torch.jit.trace(t_model, torch.tensor(x))
    e_out, t_out = e_jit(ember.tensor(x)), t_jit(torch.tensor(x))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5)
    e_out.sum().backward()
    assert e_model[0].weight.grad is not None  # parameters are shared with the original
    assert list(e_jit.state_dict()) == list(t_jit.state_dict())


def test_functions_and_decorators():
    def f(x, y):
        return x * 2 + y

    scripted = ember.jit.script(f)
    assert scripted(ember.tensor(1.0), ember.tensor(2.0)).item() == 4.0
    traced = ember.jit.trace(f, (ember.tensor(1.0), ember.tensor(2.0)))
    assert traced(ember.tensor(3.0), ember.tensor(1.0)).item() == 7.0
    assert ember.jit.ignore(f) is f and ember.jit.unused(f) is f and ember.jit.export(f) is f
    assert ember.jit.ignore(drop=True)(f) is f
    assert ember.jit.annotate(int, 3) == torch.jit.annotate(int, 3)
    assert ember.jit.is_scripting() is torch.jit.is_scripting()
    assert ember.jit.wait(ember.jit.fork(f, ember.tensor(1.0), ember.tensor(0.0))).item() == 2.0


def test_torchscript_files_are_refused(tmp_path):
    e_model, _ = _pair()
    scripted = ember.jit.script(e_model)
    for save in (lambda: scripted.save(str(tmp_path / "m.pt")),
                 lambda: ember.jit.save(scripted, str(tmp_path / "m.pt"))):
        with pytest.raises(RuntimeError, match=r"state_dict\(\).*onnx"):
            save()
    with pytest.raises(RuntimeError, match="TorchScript"):
        ember.jit.load(str(tmp_path / "m.pt"))
    with pytest.raises(RuntimeError, match="example_inputs"):
        ember.jit.trace(e_model)
