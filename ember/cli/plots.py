"""PNG figures for ``ember train``, drawn with Pillow: training curves and a grid of digits.

``plot_curves`` draws loss and accuracy per epoch side by side; ``plot_predictions`` draws test
digits in a grid, each captioned with its predicted and true label (green when right, red when
wrong). Both write the file atomically, so an interrupted run never leaves half a PNG.
"""
import io
import math

import numpy as np

__all__ = ["plot_curves", "plot_predictions"]

_WHITE, _BLACK, _GREY = (255, 255, 255), (40, 40, 40), (215, 215, 215)
_BLUE, _ORANGE = (31, 119, 180), (255, 127, 14)
_GREEN, _RED = (30, 140, 50), (210, 40, 40)


def _font(size):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one fixed-size bitmap font
        return ImageFont.load_default()


def _save_png(image, path):
    from ember.serialization import _atomic_write

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    _atomic_write(str(path), lambda fp: fp.write(buffer.getvalue()))


def _nice_ticks(low, high, count=5):
    """About ``count`` round tick values covering [low, high]."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _panel(draw, box, title, series, y_format, font, small, limits=(-math.inf, math.inf),
           legend_at_top=True):
    """One line chart inside ``box`` = (left, top, right, bottom): axes, ticks, lines, legend.
    The y axis stays within ``limits`` (a loss is never below 0, an accuracy never above 100)."""
    left, top, right, bottom = box
    plot_left, plot_top, plot_right, plot_bottom = left + 60, top + 34, right - 12, bottom - 42
    draw.text(((left + right) // 2, top + 4), title, fill=_BLACK, font=font, anchor="mt")

    values = [v for _, ys, _ in series for v in ys if v is not None and math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.05 or 0.05
    ticks = _nice_ticks(max(low - pad, limits[0]), min(high + pad, limits[1]))
    ticks = [t for t in ticks if limits[0] <= t <= limits[1]]
    y_low, y_high = ticks[0], ticks[-1]
    epochs = max((len(ys) for _, ys, _ in series), default=1)

    def x_at(i):  # epoch i+1
        if epochs == 1:
            return (plot_left + plot_right) / 2
        return plot_left + i * (plot_right - plot_left) / (epochs - 1)

    def y_at(v):
        return plot_bottom - (v - y_low) * (plot_bottom - plot_top) / (y_high - y_low)

    for t in ticks:
        y = y_at(t)
        draw.line([(plot_left, y), (plot_right, y)], fill=_GREY)
        draw.text((plot_left - 6, y), y_format(t), fill=_BLACK, font=small, anchor="rm")
    label_every = max(1, math.ceil(epochs / 10))
    for i in range(epochs):
        x = x_at(i)
        draw.line([(x, plot_bottom), (x, plot_bottom + 4)], fill=_BLACK)
        if i % label_every == 0 or i == epochs - 1:
            draw.text((x, plot_bottom + 6), str(i + 1), fill=_BLACK, font=small, anchor="mt")
    draw.text(((plot_left + plot_right) // 2, bottom - 4), "epoch", fill=_BLACK, font=small,
              anchor="mb")
    draw.rectangle([plot_left, plot_top, plot_right, plot_bottom], outline=_BLACK)

    for _, ys, color in series:
        points = [(x_at(i), y_at(v)) for i, v in enumerate(ys)
                  if v is not None and math.isfinite(v)]
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
        for x, y in points:
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=color)
    legend_y = plot_top + 6 if legend_at_top else plot_bottom - 6 - 18 * len(series)
    for name, _, color in series:
        draw.line([(plot_right - 110, legend_y + 6), (plot_right - 90, legend_y + 6)], fill=color,
                  width=3)
        draw.text((plot_right - 84, legend_y), name, fill=_BLACK, font=small)
        legend_y += 18


def plot_curves(rows, path):
    """Draw loss and accuracy per epoch as a PNG at ``path``.

    Args:
        rows (list of dict): one per epoch, with ``train_loss``, ``test_loss``, ``train_acc`` and
            ``test_acc`` (accuracies as fractions in [0, 1]).
        path (str): the PNG to write.
    """
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 360), _WHITE)
    draw = ImageDraw.Draw(image)
    font, small = _font(16), _font(12)
    column = lambda key: [row.get(key) for row in rows]  # noqa: E731
    _panel(draw, (0, 0, 450, 360), "loss",
           [("train", column("train_loss"), _BLUE), ("test", column("test_loss"), _ORANGE)],
           lambda v: "%.3g" % v, font, small, limits=(0.0, math.inf))
    _panel(draw, (450, 0, 900, 360), "accuracy (%)",
           [("train", [None if v is None else 100 * v for v in column("train_acc")], _BLUE),
            ("test", [None if v is None else 100 * v for v in column("test_acc")], _ORANGE)],
           lambda v: "%g" % round(v, 6), font, small, limits=(0.0, 100.0), legend_at_top=False)
    _save_png(image, path)


def plot_predictions(images, predicted, targets, path, columns=8, scale=3):
    """Draw digits in a grid, each captioned ``predicted (true)``, as a PNG at ``path``.

    Args:
        images (array-like): ``(N, 28, 28)`` or ``(N, 1, 28, 28)`` grayscale images in [0, 1]
            (or any range: each grid is scaled by its min and max).
        predicted (sequence of int): the predicted class of each image.
        targets (sequence of int): the true class of each image.
        path (str): the PNG to write.
        columns (int): digits per row.
        scale (int): each pixel drawn as ``scale x scale``.
    """
    from PIL import Image, ImageDraw

    images = np.asarray(images, dtype=np.float64)
    images = images.reshape(images.shape[0], images.shape[-2], images.shape[-1])
    low, high = float(images.min(initial=0.0)), float(images.max(initial=1.0))
    pixels = np.clip((images - low) / ((high - low) or 1.0) * 255, 0, 255).astype(np.uint8)
    count, height, width = pixels.shape
    rows = max(1, math.ceil(count / columns))
    cell_w, cell_h, caption, header = width * scale + 8, height * scale + 26, 20, 28
    image = Image.new("RGB", (columns * cell_w, header + rows * cell_h), _WHITE)
    draw = ImageDraw.Draw(image)
    font = _font(13)
    right = sum(int(p) == int(t) for p, t in zip(predicted, targets))
    draw.text((image.width // 2, header // 2), "predicted (true): %d of %d right"
              % (right, count), fill=_BLACK, font=_font(15), anchor="mm")
    for k in range(count):
        x, y = (k % columns) * cell_w + 4, header + (k // columns) * cell_h + 2
        digit = Image.fromarray(pixels[k], mode="L").resize((width * scale, height * scale),
                                                             Image.NEAREST)
        image.paste(digit.convert("RGB"), (x, y))
        right = int(predicted[k]) == int(targets[k])
        draw.text((x + width * scale // 2, y + height * scale + caption // 2 + 1),
                  "%d (%d)" % (int(predicted[k]), int(targets[k])),
                  fill=_GREEN if right else _RED, font=font, anchor="mm")
    _save_png(image, path)
