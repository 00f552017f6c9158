"""``ember eval``: accuracy and confusion matrix of a trained run, and bad checkpoints."""
import csv
import os
import re

import numpy as np
import pytest

import ember
from ember.cli.evaluate import confusion_matrix, format_confusion
from ember.cli.models import LeNet5
from tests.cli._helpers import TEST, assert_one_line_error, cli


def parse_matrix(stdout):
    lines = stdout.splitlines()
    start = lines.index("true \\ predicted")
    assert lines[start + 1].split() == [str(c) for c in range(10)] + ["recall"]
    rows = [line.split() for line in lines[start + 2:start + 12]]
    assert [int(r[0]) for r in rows] == list(range(10))
    return np.array([[int(n) for n in r[1:11]] for r in rows])


def final_test_accuracy(out):
    with open(os.path.join(out, "metrics.csv"), newline="") as f:
        return float(list(csv.DictReader(f))[-1]["test_acc"])


@pytest.mark.parametrize("filename", ["checkpoint.pt", "model.safetensors"])
def test_eval_prints_the_runs_test_accuracy_and_confusion_matrix(trained_run, mnist_root,
                                                                 capsys, filename):
    out, _ = trained_run
    status, stdout, err = cli(capsys, "eval", os.path.join(out, filename), "--data", mnist_root)
    assert status == 0, err
    accuracy = final_test_accuracy(out)
    correct = round(accuracy * TEST)
    assert "(net) on the full MNIST test set: accuracy %.2f%% (%d/%d)" % (
        100 * accuracy, correct, TEST) in stdout.splitlines()[0]
    matrix = parse_matrix(stdout)
    assert matrix.sum() == TEST and np.trace(matrix) == correct
    assert (matrix.sum(1) == TEST // 10).all()  # the generated test set has 10 of each digit


def test_eval_without_data_uses_the_shipped_sample_and_says_so(trained_run, tmp_path,
                                                               monkeypatch, capsys):
    out, _ = trained_run
    monkeypatch.chdir(tmp_path)
    status, stdout, _ = cli(capsys, "eval", os.path.join(out, "checkpoint.pt"))
    assert status == 0
    lines = stdout.splitlines()
    assert lines[0] == ("full MNIST not found in %s (download disabled); evaluating on the "
                        "5,000-digit sample shipped with ember" % os.path.join(".", "data"))
    assert re.search(r"on the sample's MNIST test set: accuracy [\d.]+% \(\d+/1000\)", lines[1])
    assert parse_matrix(stdout).sum() == 1000


def test_confusion_table_layout():
    matrix = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], classes=3)
    assert matrix == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    table = format_confusion(matrix).splitlines()
    assert table[2].split() == ["0", "1", "0", "0", "100.00%"]
    assert table[4].split() == ["2", "0", "1", "1", "50.00%"]


# --- bad input ---------------------------------------------------------------------------------

def test_missing_checkpoint(tmp_path, capsys):
    status, _, err = cli(capsys, "eval", tmp_path / "nope.pt")
    assert_one_line_error(status, err, "ember eval: error: no such checkpoint")


def test_corrupt_checkpoint(tmp_path, capsys):
    path = tmp_path / "broken.pt"
    path.write_bytes(os.urandom(1000))
    status, _, err = cli(capsys, "eval", path)
    assert_one_line_error(status, err, "cannot read checkpoint")


def test_truncated_checkpoint(trained_run, tmp_path, capsys):
    out, _ = trained_run
    with open(os.path.join(out, "checkpoint.pt"), "rb") as f:
        data = f.read()
    path = tmp_path / "cut.pt"
    path.write_bytes(data[:len(data) // 3])
    status, _, err = cli(capsys, "eval", path)
    assert_one_line_error(status, err, "cannot read checkpoint")


def test_checkpoint_of_another_model(tmp_path, capsys):
    import torch

    torch.save(torch.nn.Linear(3, 4).state_dict(), tmp_path / "linear.pt")
    status, _, err = cli(capsys, "eval", tmp_path / "linear.pt")
    assert_one_line_error(status, err, "holds weights of a model ember train does not know",
                          "weight, bias")


def test_checkpoint_whose_weights_do_not_fit_its_model(tmp_path, capsys):
    ember.save({"config": {"model": "net"}, "model": LeNet5().state_dict()}, tmp_path / "x.pt")
    status, _, err = cli(capsys, "eval", tmp_path / "x.pt")
    assert_one_line_error(status, err, "does not hold weights for the net model")


def test_checkpoint_that_is_not_weights(tmp_path, capsys):
    ember.save(ember.zeros(3), tmp_path / "t.pt")
    status, _, err = cli(capsys, "eval", tmp_path / "t.pt")
    assert_one_line_error(status, err, "holds a Tensor, not model weights")


def test_bare_state_dict_of_a_known_model_is_recognised(mnist_root, tmp_path, capsys):
    ember.save(LeNet5().state_dict(), tmp_path / "lenet.pt")
    status, stdout, _ = cli(capsys, "eval", tmp_path / "lenet.pt", "--data", mnist_root)
    assert status == 0 and "(lenet5)" in stdout.splitlines()[0]


def test_data_folder_without_mnist(trained_run, tmp_path, capsys):
    out, _ = trained_run
    status, _, err = cli(capsys, "eval", os.path.join(out, "checkpoint.pt"), "--data", tmp_path)
    assert_one_line_error(status, err, "full MNIST not found in %s" % tmp_path)
