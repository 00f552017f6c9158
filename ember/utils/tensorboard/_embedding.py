"""Files the projector plugin reads: ``tensors.tsv``, ``metadata.tsv``, ``sprite.png`` under
``log_dir/<step>/<tag>/`` and their entry in ``log_dir/projector_config.pbtxt``."""
import io
import math
import os

import numpy as np
from google.protobuf import text_format
from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

from ember.utils.tensorboard.summary import make_np


def _metadata_lines(metadata, header):
    if header is None:
        return ["%s" % x for x in metadata]
    return ["\t".join(str(h) for h in header)] + ["\t".join(str(v) for v in row)
                                                   for row in metadata]


def _sprite(images):
    """``(N, C, H, W)`` thumbnails tiled in a square grid as an RGB PNG."""
    from PIL import Image

    images = make_np(images)
    n, c, h, w = images.shape
    if c == 1:
        images = np.repeat(images, 3, axis=1)
    side = int(math.ceil(math.sqrt(n)))
    canvas = np.zeros((3, side * h, side * w), dtype=np.float64)
    for i in range(n):
        r, k = divmod(i, side)
        canvas[:, r * h:(r + 1) * h, k * w:(k + 1) * w] = images[i, :3]
    if images.dtype != np.uint8:
        canvas = np.clip(canvas, 0, 1) * 255
    buf = io.BytesIO()
    Image.fromarray(canvas.transpose(1, 2, 0).astype(np.uint8), "RGB").save(buf, format="PNG")
    return buf.getvalue(), (h, w)


def write_embedding(log_dir, mat, metadata, label_img, global_step, tag, metadata_header):
    if mat.ndim != 2:
        raise ValueError("mat should be 2D, where mat.size(0) is the number of data points")
    step = 0 if global_step is None else int(global_step)
    subdir = "%s/%s" % (str(step).zfill(5), tag.replace("/", "_"))
    path = os.path.join(log_dir, subdir)
    os.makedirs(path, exist_ok=True)
    config = ProjectorConfig()
    embedding = config.embeddings.add(tensor_name="%s:%s" % (tag, str(step).zfill(5)),
                                      tensor_path=subdir + "/tensors.tsv")
    with open(os.path.join(path, "tensors.tsv"), "w") as f:
        for row in mat:
            f.write("\t".join("%.8g" % v for v in row) + "\n")
    if metadata is not None:
        metadata = [make_np(m).item() if hasattr(m, "shape") else m for m in metadata]
        if len(metadata) != mat.shape[0] and metadata_header is None:
            raise ValueError("#labels should equal with #data points")
        with open(os.path.join(path, "metadata.tsv"), "w") as f:
            f.write("\n".join(_metadata_lines(metadata, metadata_header)) + "\n")
        embedding.metadata_path = subdir + "/metadata.tsv"
    if label_img is not None:
        png, (h, w) = _sprite(label_img)
        with open(os.path.join(path, "sprite.png"), "wb") as f:
            f.write(png)
        embedding.sprite.image_path = subdir + "/sprite.png"
        embedding.sprite.single_image_dim.extend([w, h])
    with open(os.path.join(log_dir, "projector_config.pbtxt"), "a") as f:
        f.write(text_format.MessageToString(config))
