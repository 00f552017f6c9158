"""make_grid / save_image."""
import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision.utils import make_grid, save_image


def test_make_grid_layout():
    x = np.arange(5 * 3 * 2 * 4, dtype=np.float32).reshape(5, 3, 2, 4)
    g = make_grid(ember.from_numpy(x), nrow=2, padding=1, pad_value=-1).numpy()
    # 3 rows of 2, each cell 2x4 plus 1 of padding, plus the outer padding.
    assert g.shape == (3, 3 * 3 + 1, 2 * 5 + 1)
    assert np.array_equal(g[:, 1:3, 1:5], x[0]) and np.array_equal(g[:, 1:3, 6:10], x[1])
    assert np.array_equal(g[:, 7:9, 1:5], x[4])
    assert (g[:, 0, :] == -1).all() and (g[:, 7:9, 6:10] == -1).all()  # empty last cell


def test_make_grid_grey_list_and_normalize():
    imgs = [ember.full((1, 2, 2), float(v)) for v in (2.0, 4.0)]
    g = make_grid(imgs, padding=0, normalize=True).numpy()
    assert g.shape == (3, 2, 4) and g.min() == 0.0 and g.max() == 1.0
    single = make_grid(ember.zeros(1, 1, 3, 3))
    assert tuple(single.shape) == (3, 3, 3)
    with pytest.raises(TypeError):
        make_grid(np.zeros((1, 3, 2, 2)))


def test_save_image_roundtrip(tmp_path):
    x = np.random.default_rng(0).random((2, 3, 4, 5), dtype=np.float32)
    path = tmp_path / "grid.png"
    save_image(ember.from_numpy(x), path, padding=0)
    back = np.asarray(Image.open(path))
    assert back.shape == (4, 10, 3)
    expect = np.clip(x[1] * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    assert np.array_equal(back[:, 5:], expect)
