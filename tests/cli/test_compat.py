"""ember.cli.compat: PyTorch scripts run on ember with torch's names aliased only during the run."""
import os
import subprocess
import sys
import textwrap

import pytest
import torch

import ember
from ember.cli import compat

TRAIN = """
    import sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    true_w = torch.tensor([[1.5], [-2.0], [0.5]])
    x = torch.randn(64, 3)
    y = x @ true_w + 0.3

    # plain tensors and autograd
    w = torch.zeros(3, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    plain = []
    for _ in range(30):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
            w.grad.zero_()
            b.grad.zero_()
        plain.append(loss.item())

    # nn, optim and data
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 1)

        def forward(self, inp):
            return self.fc(inp)

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for epoch in range(int(sys.argv[1])):
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True):
            loss = F.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    is_ember = isinstance(x, torch.Tensor) and type(x).__module__.startswith("ember")
    argv = list(sys.argv)
"""


def _script(tmp_path, body, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return str(path)


def _no_aliases():
    return (not any(isinstance(f, compat._TorchFinder) for f in sys.meta_path)
            and sys.modules["torch"] is torch)


def test_training_script_runs_on_ember_and_loss_falls(tmp_path):
    assert _no_aliases()
    g = compat.run_script(_script(tmp_path, TRAIN), ["3"])
    assert g["is_ember"] and g["argv"][1:] == ["3"]
    assert g["plain"][-1] < 0.1 * g["plain"][0]
    assert g["losses"][-1] < 0.1 * g["losses"][0]
    assert type(g["model"].fc).__module__ == "ember.nn.modules.linear"
    assert _no_aliases()  # real torch is back once the script ends


def test_missing_attribute_is_reported(tmp_path):
    cases = {
        "torch.frobnicate(torch.ones(2))": (AttributeError, "torch.frobnicate"),
        "torch.nn.Frobnicator(3)": (AttributeError, "torch.nn.Frobnicator"),
        "torch.nn.functional.frob(torch.ones(2))": (AttributeError,
                                                    "torch.nn.functional.frob"),
        "import torch.frobnicate_module": (ModuleNotFoundError, "torch.frobnicate_module"),
        "from torch.nn import Frob": (ModuleNotFoundError, "torch.nn.Frob"),
    }
    for line, (kind, name) in cases.items():
        path = _script(tmp_path, "import torch\nimport torch.nn\n" + line + "\n")
        with pytest.raises(kind) as info:
            compat.run_script(path)
        assert str(info.value) == "ember does not implement %s yet" % name
        assert _no_aliases()  # cleaned up after a failing script too


def test_aliases_follow_ember_modules():
    with compat.torch_aliases():
        import torch as alias
        import torch.nn.functional as F
        from torch.utils import data

        assert alias.Tensor is ember.Tensor and alias.float32 is ember.float32
        assert F.relu is ember.nn.functional.relu
        assert data.DataLoader is ember.utils.data.DataLoader
        assert alias.nn.functional is F  # attribute access gives the same alias module
        assert alias.optim.lr_scheduler.StepLR is ember.optim.lr_scheduler.StepLR
        import torchvision.datasets

        assert torchvision.datasets.__name__ == "torchvision.datasets"
        assert torchvision.datasets._ember_module.__name__ == "ember.vision.datasets"
    assert _no_aliases()


def test_python_dash_m(tmp_path):
    path = _script(tmp_path, """
        import sys
        import torch
        x = torch.ones(2, requires_grad=True)
        (x * 3).sum().backward()
        print(type(x).__module__, x.grad.tolist(), sys.argv[1:])
    """)
    out = subprocess.run([sys.executable, "-m", "ember.cli.compat", path, "a", "--b"],
                         capture_output=True, text=True, timeout=120,
                         cwd=os.path.dirname(os.path.dirname(ember.__file__)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ember._tensor [3.0, 3.0] ['a', '--b']"


def test_main_usage_and_exit(tmp_path, capsys):
    assert compat.main([]) == 2
    assert "usage" in capsys.readouterr().out
    path = _script(tmp_path, "import sys\nsys.exit(3)\n")
    with pytest.raises(SystemExit) as info:
        compat.main(["run", path])
    assert info.value.code == 3 and _no_aliases()


def test_coverage_table_is_the_census_and_needs_torch(monkeypatch):
    table = compat.coverage_table()
    assert table.startswith("| torch namespace | provided |") and "\n## torch.nn\n" in table
    monkeypatch.setitem(sys.modules, "torch", None)  # what an ember-only install sees
    with pytest.raises(ModuleNotFoundError, match="install torch"):
        compat.coverage_table()


_PRINTS = """
import torch
import torch.nn.functional as F
x = torch.ones(10)
print(x.shape, x.size(), x.dtype, torch.float64, torch.Size([2, 3]))
print(torch.tensor([1, 2]).double(), torch.ones(2, dtype=torch.int32))
y = torch.ones(2, 3, requires_grad=True)
print(F.mse_loss(y, torch.zeros(2, 3)), F.cross_entropy(y, torch.tensor([0, 1])))
print(F.binary_cross_entropy_with_logits(y, torch.ones(2, 3)), y.sum(), y.max())
print(torch.__version__ >= "1.8", torch.__version__ > (1, 13), type(torch.__version__))
"""


def test_printing_under_run_matches_torch(tmp_path, capsys):
    path = _script(tmp_path, _PRINTS)
    compat.run_script(path)
    ember_out = capsys.readouterr().out
    exec(compile(textwrap.dedent(_PRINTS), path, "exec"), {"__name__": "__main__"})
    assert ember_out == capsys.readouterr().out
    assert repr(ember.float32) == "ember.float32" and repr(ember.Size([1])) == "ember.Size([1])"


def test_torch_version_under_run():
    from packaging.version import Version

    version = compat.TORCH_VERSION
    assert Version(version) >= Version("1.8") and version.startswith("2.")
    assert version >= "1.8" and version < "3" and version > (2, 0) and version <= "2.13.0"
    assert ember.__version__ != version
