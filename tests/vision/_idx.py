"""Test data for the MNIST family: IDX files in the MNIST layout, and a loopback server."""
import gzip
import hashlib
import http.server
import os
import struct
import threading

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


class LoopbackServer:
    """An HTTP server on 127.0.0.1 serving ``files`` (name -> bytes; 404 for any other path),
    recording the paths asked for in ``hits``."""

    def __init__(self, files):
        self.files, self.hits = files, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits.append(self.path)
                body = outer.files.get(self.path.lstrip("/"))
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
