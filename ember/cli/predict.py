"""``ember predict CHECKPOINT IMAGE...``: classify digit images with a trained model.

Any image Pillow reads (PNG, JPEG, ...; any size or mode) is turned into an MNIST-like digit:
grayscale, white ink on black (a light background is inverted), and, unless it is already
28 x 28, cropped to its ink, scaled to fit 20 x 20 and centred by its centre of mass in 28 x 28,
as MNIST's digits were made. It is then normalised as in training (``ToTensor``,
``Normalize([0.5], [0.5])``). Each image gives one line: the predicted class, its probability,
and the probabilities of all ten classes.
"""
import numpy as np

import ember
from ember.cli import CommandError

__all__ = ["add_parser", "run", "mnist_like"]

_INK = 0.3  # the fraction of full brightness above which a pixel counts as ink when cropping


def _to_gray(image):
    """A PIL image of any mode as a float array in [0, 1]; transparency is laid on a background
    that contrasts with the visible strokes."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and
                                               "transparency" in image.info):
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float64) / 255
        if alpha.min() < 1.0:
            gray = np.asarray(rgba.convert("L"), dtype=np.float64) / 255
            weight = alpha.sum()
            ink = (gray * alpha).sum() / weight if weight else 0.0
            background = 1.0 if ink < 0.5 else 0.0
            return gray * alpha + background * (1 - alpha)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return np.asarray(image.convert("L"), dtype=np.float64) / 255


def _centre_of_mass_shift(digit):
    total = digit.sum()
    if total <= 0:
        return 0, 0
    rows, cols = np.indices(digit.shape)
    cy, cx = (rows * digit).sum() / total, (cols * digit).sum() / total
    return int(round((digit.shape[0] - 1) / 2 - cy)), int(round((digit.shape[1] - 1) / 2 - cx))


def _shift(digit, dy, dx):
    out = np.zeros_like(digit)
    h, w = digit.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        digit[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def mnist_like(image):
    """A PIL image as a 28 x 28 uint8 MNIST-style digit (white on black), as a PIL image."""
    from PIL import Image

    gray = _to_gray(image)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) > 0.5:  # dark ink on light paper, MNIST is the other way round
        gray = 1.0 - gray
        border = 1.0 - border
    if gray.shape != (28, 28):
        gray = np.clip(gray - np.median(border), 0.0, None)  # the paper's grey becomes black
        if gray.max() > 0:
            gray = gray / gray.max()
        ys, xs = np.nonzero(gray > _INK)
        if len(ys):
            gray = gray[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        h, w = gray.shape
        scale = 20.0 / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = Image.fromarray((gray * 255).astype(np.uint8)).resize(size, Image.LANCZOS)
        digit = np.zeros((28, 28))
        top, left = (28 - size[1]) // 2, (28 - size[0]) // 2
        digit[top:top + size[1], left:left + size[0]] = np.asarray(small, dtype=np.float64) / 255
        gray = _shift(digit, *_centre_of_mass_shift(digit))
    return Image.fromarray(np.clip(np.round(gray * 255), 0, 255).astype(np.uint8))


def _read_image(path):
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            image.load()
            return ImageOps.exif_transpose(image)
    except FileNotFoundError:
        raise CommandError("no such image: %s" % path) from None
    except Exception as e:  # Pillow raises many types for damaged or foreign files
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CommandError("cannot read image %s: %s" % (path, message)) from None


def _onnx_session(path):
    """An onnxruntime session on the ONNX file ``path`` (``ember export`` writes them)."""
    import os

    try:
        import onnxruntime
    except ImportError:
        raise CommandError("running an ONNX model needs onnxruntime: pip install "
                           "'ember[onnx]'") from None
    if not os.path.isfile(path):
        raise CommandError("no such model: %s" % path)
    try:
        return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own types for unreadable models
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CommandError("cannot load ONNX model %s: %s" % (path, message)) from None


def _predict_onnx(session, images):
    """Class probabilities from the model's logits (softmax over the last axis)."""
    (logits,) = session.run(None, {session.get_inputs()[0].name: images})
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def add_parser(commands):
    p = commands.add_parser(
        "predict", help="classify digit images with a checkpoint or an ONNX model",
        description="Classify digit images (PNG, JPEG, ...: any size or colour mode, converted "
                    "to 28x28 MNIST-like grayscale) with a checkpoint of ember train, or with an "
                    "ONNX file of ember export (run by onnxruntime).")
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=run)
    return p


def run(args):
    from ember.cli.evaluate import predict_batch
    from ember.cli.models import model_from_checkpoint, read_checkpoint
    from ember.cli.data import mnist_transform

    try:
        import PIL  # noqa: F401
    except ImportError:
        raise CommandError("Pillow is needed to read images: pip install 'ember[train]'") \
            from None
    onnx_file = args.checkpoint.endswith(".onnx")
    if onnx_file:
        session = _onnx_session(args.checkpoint)
    else:
        model, _ = model_from_checkpoint(read_checkpoint(args.checkpoint), args.checkpoint)
    transform = mnist_transform()
    images = ember.stack([transform(mnist_like(_read_image(path))) for path in args.images])
    if onnx_file:
        probabilities = _predict_onnx(session, images.numpy()).tolist()
    else:
        probabilities = predict_batch(model, images).tolist()
    for path, p in zip(args.images, probabilities):
        best = max(range(len(p)), key=p.__getitem__)
        print("%s: %d (%.1f%%)  probabilities: %s" % (
            path, best, 100 * p[best], " ".join("%d:%.3f" % (c, q) for c, q in enumerate(p))))
    return 0
