"""Writers for test data: IDX files, in the MNIST layout."""
import gzip
import hashlib
import os
import struct

import numpy as np

_CODES = {np.dtype(np.uint8): 8, np.dtype(np.int8): 9, np.dtype(np.int16): 11,
          np.dtype(np.int32): 12, np.dtype(np.float32): 13, np.dtype(np.float64): 14}


def idx_bytes(arr):
    arr = np.asarray(arr)
    header = struct.pack(">BBBB", 0, 0, _CODES[arr.dtype], arr.ndim)
    header += struct.pack(">%dI" % arr.ndim, *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write_idx(path, arr, compress=False):
    data = idx_bytes(arr)
    if compress:
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.md5(data).hexdigest()


def make_mnist_arrays(n, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n).astype(np.uint8))


def write_mnist_folder(folder, n_train=12, n_test=5, compress=False, prefix=("train", "t10k")):
    os.makedirs(folder, exist_ok=True)
    arrays = {}
    ext = ".gz" if compress else ""
    for split, n in zip(prefix, (n_train, n_test)):
        images, labels = make_mnist_arrays(n, seed=n)
        write_idx(os.path.join(folder, "%s-images-idx3-ubyte%s" % (split, ext)), images, compress)
        write_idx(os.path.join(folder, "%s-labels-idx1-ubyte%s" % (split, ext)), labels, compress)
        arrays[split] = (images, labels)
    return arrays
