"""Test configuration: torch is the oracle and must be importable (never skipped)."""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError as e:  # pragma: no cover - CI must fail loudly, not skip
    raise pytest.UsageError(
        "torch==2.13.0 is required to run ember's tests (it is the oracle): "
        "pip install -e '.[test]'") from e

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


@pytest.fixture(autouse=True)
def _own_working_folder(tmp_path_factory, monkeypatch):
    """Each test runs in a fresh empty folder of its own, so that relative paths (``./data``,
    ``runs/``) neither read the caller's folder (a checkout where ``ember train`` ran) nor write
    into it."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
