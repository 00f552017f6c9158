"""The PNG figures of ``ember train``: valid images that show what they claim."""
import math

import numpy as np
from PIL import Image

from ember.cli.plots import _nice_ticks, plot_curves, plot_predictions


def colour_count(path, colour, tolerance=40):
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int64)
    return int((np.abs(pixels - colour).sum(-1) < tolerance).sum())


def rows(losses, accuracies):
    return [{"train_loss": loss, "test_loss": loss * 1.1, "train_acc": acc, "test_acc": acc - 0.01}
            for loss, acc in zip(losses, accuracies)]


def test_curves_png_draws_both_series(tmp_path):
    path = tmp_path / "curves.png"
    plot_curves(rows([1.0, 0.5, 0.3], [0.7, 0.9, 0.95]), path)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (900, 360)
    assert colour_count(path, (31, 119, 180)) > 200  # train (blue)
    assert colour_count(path, (255, 127, 14)) > 200  # test (orange)


def test_curves_cope_with_one_epoch_and_a_nan_loss(tmp_path):
    path = tmp_path / "curves.png"
    plot_curves(rows([math.nan], [0.1]), path)
    plot_curves(rows([2.0, math.inf, 1.0], [0.1, 0.1, 0.2]), path)
    with Image.open(path) as image:
        image.verify()


def test_prediction_grid_marks_wrong_labels_red(tmp_path):
    digits = np.zeros((10, 28, 28))
    digits[:, 10:18, 12:16] = 1.0
    right, wrong = tmp_path / "right.png", tmp_path / "wrong.png"
    plot_predictions(digits, list(range(10)), list(range(10)), right)
    plot_predictions(digits, [1] + list(range(1, 10)), list(range(10)), wrong)
    with Image.open(right) as image:
        assert image.format == "PNG"
        assert image.size == (8 * 92, 28 + 2 * 110)  # 8 columns, 2 rows, a header
    assert colour_count(right, (210, 40, 40)) == 0
    assert colour_count(wrong, (210, 40, 40)) > 20
    assert colour_count(right, (255, 255, 255), tolerance=3) > 0  # the digits' white ink


def test_nice_ticks_cover_the_range_with_round_steps():
    ticks = _nice_ticks(0.03, 0.97)
    assert ticks[0] <= 0.03 and ticks[-1] >= 0.97
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1 and steps.pop() in (0.1, 0.2, 0.25)
    assert _nice_ticks(5.0, 5.0)[0] <= 5.0 <= _nice_ticks(5.0, 5.0)[-1]
