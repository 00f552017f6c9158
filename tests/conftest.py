"""Test configuration: torch is the oracle, and it and every other package of the ``[test]``
extra must be installed: a run without one stops (never skips)."""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import signal  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # A runner started in the background (nohup, `&` without job control) inherits SIGINT
    # ignored; the Ctrl-C tests need Python's usual KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)

from tests._requirements import PYPROJECT, missing_test_requirements  # noqa: E402

with open(PYPROJECT) as _f:
    _missing = missing_test_requirements(_f.read())
if _missing:  # pragma: no cover - CI must fail loudly, not skip
    raise pytest.UsageError(
        "ember's tests need every package of the [test] extra (torch is the oracle); missing: "
        "%s. Install them with: pip install -e '.[test]'" % ", ".join(_missing))

import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(1)
ember.set_num_threads(1)


@pytest.fixture(autouse=True)
def _reset_state():
    """Each test starts with grad mode on, default dtype float32 and fixed seeds."""
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)
    ember.manual_seed(0)
    torch.manual_seed(0)
    np.random.seed(0)
    yield
    ember.set_grad_enabled(True)
    torch.set_grad_enabled(True)


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="tests/ops/test_fuzz.py draws many more examples per op")


@pytest.fixture(scope="session", autouse=True)
def _hypothesis_home(tmp_path_factory):
    """Hypothesis keeps its files (example database, constants cache) under this session's
    temporary folder: by default it writes ``./.hypothesis`` in the folder pytest started in."""
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))


@pytest.fixture(autouse=True)
def _own_working_folder(tmp_path_factory, monkeypatch):
    """Each test runs in a fresh empty folder of its own, so that relative paths (``./data``,
    ``runs/``) neither read the caller's folder (a checkout where ``ember train`` ran) nor write
    into it."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
