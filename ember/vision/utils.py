"""Image utilities: ``make_grid`` and ``save_image``, as in torchvision."""
import math

import numpy as np

from ember._tensor import Tensor, _make


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Tile a batch ``(B, C, H, W)`` (or a list of ``(C, H, W)`` images) into one image.

    Args:
        tensor (Tensor or list): the images; 1-channel images are repeated to 3 channels.
        nrow (int): images per row.
        padding (int): pixels between (and around) images.
        normalize (bool): shift to [0, 1] by ``value_range`` (or the min and max).
        value_range (tuple, optional): (min, max) used by ``normalize``.
        scale_each (bool): normalise each image by its own min and max.
        pad_value (float): the padding's value.
    """
    if isinstance(tensor, (list, tuple)):
        x = np.stack([t._data for t in tensor])
    elif isinstance(tensor, Tensor):
        x = tensor._data
    else:
        raise TypeError("tensor or list of tensors expected, got %s" % type(tensor))
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = np.concatenate([x] * 3) if x.shape[0] == 1 else x
        x = x[None]
    if x.ndim == 4 and x.shape[1] == 1:
        x = np.concatenate([x] * 3, axis=1)
    if normalize:
        x = x.astype(np.float32 if x.dtype.kind != "f" else x.dtype, copy=True)

        def norm(img, lo, hi):
            np.clip(img, lo, hi, out=img)
            img -= lo
            img /= max(hi - lo, 1e-5)

        if scale_each:
            for img in x:
                lo, hi = value_range if value_range is not None else (img.min(), img.max())
                norm(img, float(lo), float(hi))
        else:
            lo, hi = value_range if value_range is not None else (x.min(), x.max())
            norm(x, float(lo), float(hi))
    if x.shape[0] == 1:
        return _make(np.ascontiguousarray(x[0]))
    n = x.shape[0]
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(n / xmaps))
    h, w = x.shape[2] + padding, x.shape[3] + padding
    grid = np.full((x.shape[1], h * ymaps + padding, w * xmaps + padding), pad_value,
                   dtype=x.dtype)
    for k in range(n):
        r, c = divmod(k, xmaps)
        grid[:, r * h + padding:(r + 1) * h, c * w + padding:(c + 1) * w] = x[k]
    return _make(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or batch, through :func:`make_grid`) with values in [0, 1] as an image
    file; ``kwargs`` go to :func:`make_grid`."""
    from PIL import Image

    grid = make_grid(tensor, **kwargs)._data
    arr = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    Image.fromarray(np.ascontiguousarray(arr)).save(fp, format=format)
