"""The ``ember`` command itself: dispatch, the installed entry point, ``python -m ember`` and
``ember run``."""
import os
import subprocess
import sys
import sysconfig
from importlib import metadata

import pytest

from ember.cli import main
from tests.cli._helpers import assert_one_line_error, cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_process(*argv, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_python_dash_m_ember_lists_the_commands(tmp_path):
    result = run_process(sys.executable, "-m", "ember", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("train", "eval", "predict", "run"):
        assert command in result.stdout


def test_console_script_points_at_main():
    scripts = [e for e in metadata.entry_points(group="console_scripts") if e.name == "ember"]
    assert [e.value for e in scripts] == ["ember.cli:main"]
    assert scripts[0].load() is main


def test_installed_entry_point_reports_errors_in_one_line(tmp_path):
    # The script pip installed next to this interpreter (PATH may point anywhere else).
    executable = os.path.join(sysconfig.get_path("scripts"), "ember")
    assert os.path.exists(executable), "pip install -e . installs the ember console script"
    result = run_process(executable, "train", "--lr", "-0.5", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("ember train: error: argument --lr: invalid learning rate: "
                                     "-0.5 (must be > 0) (see ember train --help)")
    assert os.listdir(tmp_path) == []


def test_subprocess_errors_have_no_traceback(tmp_path):
    result = run_process(sys.executable, "-m", "ember", "eval", "missing.pt", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "ember eval: error: no such checkpoint: missing.pt\n"


def test_no_command_is_a_usage_error(capsys):
    status, _, err = cli(capsys)
    assert_one_line_error(status, err, "ember: error:", "required: COMMAND")
    status, _, err = cli(capsys, "fly")
    assert_one_line_error(status, err, "invalid choice: 'fly'")


def test_help_exits_zero(capsys):
    status, out, _ = cli(capsys, "train", "--help")
    assert status == 0 and "--resume" in out and "--no-progress" in out


# --- ember run ---------------------------------------------------------------------------------

def test_run_executes_a_pytorch_script_on_ember(tmp_path, capsys):
    script = tmp_path / "script.py"
    script.write_text(
        "import sys\n"
        "import torch\n"
        "from torch import nn\n"
        "import ember\n"
        "layer = nn.Linear(2, 3)\n"
        "assert isinstance(layer, ember.nn.Linear)\n"
        "print('args', sys.argv[1:], type(torch.ones(2)).__module__.split('.')[0])\n")
    status, out, err = cli(capsys, "run", script, "--epochs", "3")
    assert status == 0, err
    assert out == "args ['--epochs', '3'] ember\n"


def test_run_passes_the_scripts_exit_status(tmp_path):
    script = tmp_path / "fail.py"
    script.write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(SystemExit) as info:
        main(["run", str(script)])
    assert info.value.code == 3


def test_run_missing_script(tmp_path, capsys):
    status, _, err = cli(capsys, "run", tmp_path / "none.py")
    assert_one_line_error(status, err, "ember run: error: no such script")


def test_run_without_a_script(capsys):
    status, _, err = cli(capsys, "run")
    assert status == 2 and err.startswith("usage: ember run SCRIPT.py")


def test_run_coverage_lists_the_torch_surface(capsys):
    status, out, _ = cli(capsys, "run", "--coverage")
    assert status == 0
    assert out.startswith("| torch namespace | provided | omitted | missing | coverage | target |")
    assert "| `torch.nn.utils.rnn` | 8 | 2 | 0 | 100.0% | 95% |" in out
    assert "omitted (quantization: ember has no quantized tensors): " in out
