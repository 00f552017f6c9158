"""Helpers for the ``ember`` command's tests: a tiny MNIST in the raw layout, running the
command in-process, and checking one-line errors.

The digits are the ten numerals drawn with Pillow's built-in font at random sizes, offsets and
stroke widths, plus noise: learnable in an epoch or two, so accuracies mean something.
"""
import gzip
import os
import struct

import numpy as np

from ember.cli import main

TRAIN, TEST = 200, 100


def draw_digits(count, seed):
    """``count`` 28x28 uint8 images of digits (white on black) and their labels."""
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    rng.shuffle(labels)
    images = np.zeros((count, 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        font = ImageFont.load_default(size=int(rng.integers(20, 24)))
        canvas = Image.new("L", (28, 28), 0)
        draw = ImageDraw.Draw(canvas)
        x, y = 14 + rng.integers(-2, 3), 14 + rng.integers(-2, 3)
        draw.text((x, y), str(label), fill=255, font=font, anchor="mm",
                  stroke_width=int(rng.integers(0, 2)), stroke_fill=255)
        noisy = np.asarray(canvas, dtype=np.float64) + rng.normal(0, 10, (28, 28))
        images[i] = np.clip(noisy, 0, 255).astype(np.uint8)
    return images, labels.astype(np.uint8)


def idx_header(array):
    """The IDX header of a uint8 ``array``."""
    return struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(">%dI" % array.ndim,
                                                                   *array.shape)


def write_idx(path, array):
    """Write ``array`` (uint8, 1 or 3 dims) as an IDX file, gzip-compressed if ``path`` ends
    with ``.gz``."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(idx_header(array) + array.tobytes())


def write_mnist(root, train=TRAIN, test=TEST, seed=0):
    """Write a tiny MNIST in torchvision's layout ``root/MNIST/raw``; returns ``root``."""
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for prefix, count, offset in (("train", train, 0), ("t10k", test, 1)):
        images, labels = draw_digits(count, seed + offset)
        write_idx(os.path.join(raw, "%s-images-idx3-ubyte.gz" % prefix), images)
        write_idx(os.path.join(raw, "%s-labels-idx1-ubyte" % prefix), labels)
    return str(root)


def cli(capsys, *argv):
    """Run ``ember *argv`` in-process; returns ``(status, stdout, stderr)``."""
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(status, err, *fragments):
    """A failure reported as one ``ember ...: error: ...`` line on stderr, no traceback."""
    assert status not in (0, None), err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ember") and "error:" in lines[0], err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, err)
