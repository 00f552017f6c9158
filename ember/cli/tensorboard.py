"""``ember train --tensorboard DIR``: per-epoch loss, accuracy, learning rate, weight histograms
and the prediction grid, written with ``ember.utils.tensorboard.SummaryWriter``."""
import os
import tempfile

import numpy as np

from ember.cli import CommandError

__all__ = ["open_writer", "log_epoch"]


def open_writer(log_dir):
    try:
        from ember.utils.tensorboard import SummaryWriter
    except ImportError:
        raise CommandError("--tensorboard needs the tensorboard package: pip install "
                           "'ember[tensorboard]'") from None
    try:
        return SummaryWriter(log_dir)
    except OSError as e:
        raise CommandError("cannot write to %s: %s" % (log_dir, e.strerror or e)) from None


def log_epoch(writer, row, model, test_set):
    """Log one epoch of ``ember train`` (``row`` is its line of metrics.csv) at step = epoch."""
    from PIL import Image

    from ember.cli.train import _write_predictions

    epoch = row["epoch"]
    for split in ("train", "test"):
        writer.add_scalar("loss/" + split, row[split + "_loss"], epoch)
        writer.add_scalar("accuracy/" + split, row[split + "_acc"], epoch)
    writer.add_scalar("lr", row["lr"], epoch)
    for name, p in model.named_parameters():
        writer.add_histogram(name, p, epoch)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "predictions.png")
        _write_predictions(model, test_set, path)
        with Image.open(path) as image:
            grid = np.asarray(image.convert("RGB"))
    writer.add_image("predictions", grid, epoch, dataformats="HWC")
    writer.flush()
