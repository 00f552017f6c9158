"""Fixtures for the ``ember`` command's tests: a tiny MNIST written by the test, and one run."""
import contextlib
import io

import pytest

from ember.cli import main
from tests.cli._helpers import write_mnist


@pytest.fixture(scope="session")
def mnist_root(tmp_path_factory):
    """A tiny MNIST (200 train / 100 test digits) in the raw layout."""
    return write_mnist(tmp_path_factory.mktemp("mnist"))


@pytest.fixture(scope="session")
def trained_run(mnist_root, tmp_path_factory):
    """``ember train`` of the notes' CNN (SGD with momentum) for 2 epochs on the tiny MNIST;
    returns ``(out_dir, stdout)``. Shared by the tests that read a finished run."""
    out = str(tmp_path_factory.mktemp("run"))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(["train", "--data", mnist_root, "--out", out, "--epochs", "2",
                       "--batch-size", "20", "--lr", "0.05", "--no-progress"])
    assert status == 0, buffer.getvalue()
    return out, buffer.getvalue()
