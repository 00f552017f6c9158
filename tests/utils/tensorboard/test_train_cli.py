"""``ember train --tensorboard DIR``: per-epoch logs read back with EventAccumulator."""
import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ember.cli import main
from tests.cli._helpers import write_mnist


def test_train_logs_every_epoch(tmp_path, capsys):
    root = write_mnist(tmp_path / "data", train=40, test=20)
    board = tmp_path / "board"
    status = main(["train", "--model", "mlp", "--data", root, "--out", str(tmp_path / "out"),
                   "--epochs", "2", "--batch-size", "20", "--no-progress", "--no-download",
                   "--tensorboard", str(board)])
    assert status == 0, capsys.readouterr().err
    acc = EventAccumulator(str(board), size_guidance={"images": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    assert {"loss/train", "loss/test", "accuracy/train", "accuracy/test", "lr"} <= set(
        tags["scalars"])
    assert set(tags["histograms"]) == {"dense.dense1.weight", "dense.dense1.bias",
                                       "dense.dense2.weight", "dense.dense2.bias"}
    assert [e.step for e in acc.Scalars("loss/train")] == [1, 2]
    metrics = (tmp_path / "out" / "metrics.csv").read_text().splitlines()
    header = metrics[0].split(",")
    last = dict(zip(header, metrics[2].split(",")))
    assert acc.Scalars("accuracy/test")[-1].value == np.float32(float(last["test_acc"]))
    assert [e.step for e in acc.Images("predictions")] == [1, 2]
