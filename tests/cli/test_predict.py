"""``ember predict``: digits from image files, MNIST-like preprocessing, and bad images."""
import os
import re

import numpy as np
import pytest
from PIL import Image

import ember
from ember.cli.models import model_from_checkpoint, read_checkpoint
from ember.cli.predict import mnist_like
from ember.cli.train import mnist_transform
from ember.vision.datasets import MNIST
from tests.cli._helpers import assert_one_line_error, cli

LINE = re.compile(r"^(?P<path>.+): (?P<digit>\d) \((?P<pct>[\d.]+)%\)  probabilities: "
                  r"(?P<probs>(?:\d:[\d.]+ ?){10})$")


def parse(stdout):
    out = []
    for line in stdout.splitlines():
        match = LINE.match(line)
        assert match, line
        probs = [float(p.split(":")[1]) for p in match["probs"].split()]
        out.append((match["path"], int(match["digit"]), float(match["pct"]), probs))
    return out


def test_predicts_the_class_the_model_gives_the_same_digit(trained_run, mnist_root, tmp_path,
                                                           capsys):
    out, _ = trained_run
    checkpoint = os.path.join(out, "checkpoint.pt")
    test_set = MNIST(mnist_root, train=False, transform=mnist_transform())
    model, _ = model_from_checkpoint(read_checkpoint(checkpoint), checkpoint)
    paths, expected = [], []
    for i in range(6):
        path = tmp_path / ("digit%d.png" % i)
        Image.fromarray(test_set.data[i].numpy()).save(path)
        paths.append(str(path))
        with ember.no_grad():
            probs = ember.softmax(model(test_set[i][0][None]), dim=1)[0]
        expected.append(probs.numpy())
    status, stdout, err = cli(capsys, "predict", checkpoint, *paths)
    assert status == 0, err
    results = parse(stdout)
    assert [r[0] for r in results] == paths
    for (_, digit, pct, probs), want in zip(results, expected):
        assert digit == int(want.argmax())
        assert pct == pytest.approx(100 * want.max(), abs=0.051)
        np.testing.assert_allclose(probs, want, atol=0.0006)
        assert sum(probs) == pytest.approx(1, abs=0.006)


def test_any_size_and_mode_is_accepted(trained_run, tmp_path, capsys):
    out, _ = trained_run
    digit = np.zeros((90, 60), dtype=np.uint8)
    digit[10:80, 25:35] = 255  # a "1"
    rgb = np.stack([255 - digit] * 3, axis=-1)  # black ink on white paper, in colour
    Image.fromarray(rgb).save(tmp_path / "one.jpg", quality=90)
    rgba = np.zeros((40, 40, 4), dtype=np.uint8)
    rgba[5:35, 18:22, 3] = 255  # black strokes on a transparent background
    Image.fromarray(rgba, mode="RGBA").save(tmp_path / "one.png")
    Image.fromarray(digit).convert("P").save(tmp_path / "one.gif")
    paths = [str(tmp_path / n) for n in ("one.jpg", "one.png", "one.gif")]
    status, stdout, err = cli(capsys, "predict", os.path.join(out, "model.safetensors"), *paths)
    assert status == 0, err
    assert [r[0] for r in parse(stdout)] == paths


def test_mnist_like_crops_scales_and_centres_the_ink():
    page = np.full((200, 300), 230, dtype=np.uint8)  # light grey paper
    page[20:120, 200:240] = 10  # a dark, tall stroke near the top right
    digit = np.asarray(mnist_like(Image.fromarray(page).convert("RGB")), dtype=np.float64)
    assert digit.shape == (28, 28)
    assert digit[0].max() == 0 and digit[:, 0].max() == 0  # ink is white on black
    ys, xs = np.nonzero(digit > 128)
    assert ys.max() - ys.min() + 1 == 20  # the longer side fits 20 pixels, as in MNIST
    assert 7 <= xs.max() - xs.min() + 1 <= 9
    rows, cols = np.indices(digit.shape)
    assert (rows * digit).sum() / digit.sum() == pytest.approx(13.5, abs=0.6)
    assert (cols * digit).sum() / digit.sum() == pytest.approx(13.5, abs=0.6)


def test_mnist_like_keeps_a_28x28_digit_and_inverts_dark_on_light():
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[4:9, 3:7] = 200
    assert np.array_equal(np.asarray(mnist_like(Image.fromarray(digit))), digit)
    assert np.array_equal(np.asarray(mnist_like(Image.fromarray(255 - digit))), digit)


# --- bad input ---------------------------------------------------------------------------------

def test_unreadable_image(trained_run, tmp_path, capsys):
    out, _ = trained_run
    bad = tmp_path / "bad.png"
    bad.write_text("this is not a picture")
    status, stdout, err = cli(capsys, "predict", os.path.join(out, "checkpoint.pt"), bad)
    assert_one_line_error(status, err, "ember predict: error: cannot read image %s" % bad)
    assert stdout == ""


def test_missing_image(trained_run, tmp_path, capsys):
    out, _ = trained_run
    status, _, err = cli(capsys, "predict", os.path.join(out, "checkpoint.pt"),
                         tmp_path / "none.png")
    assert_one_line_error(status, err, "no such image")


def test_missing_checkpoint(tmp_path, capsys):
    Image.new("L", (28, 28)).save(tmp_path / "x.png")
    status, _, err = cli(capsys, "predict", tmp_path / "none.pt", tmp_path / "x.png")
    assert_one_line_error(status, err, "no such checkpoint")


def test_no_image_is_a_usage_error(tmp_path, capsys):
    status, _, err = cli(capsys, "predict", tmp_path / "model.pt")
    assert_one_line_error(status, err, "the following arguments are required: IMAGE")
