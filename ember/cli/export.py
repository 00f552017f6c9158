"""``ember export CHECKPOINT --onnx model.onnx``: a trained model as an ONNX file.

The graph takes ``image`` (batch x 1 x 28 x 28, normalised as in training: ``ToTensor`` then
``Normalize([0.5], [0.5])``) and gives ``logits`` (batch x 10); the batch size is free.
``ember predict model.onnx IMAGE...`` runs the file with onnxruntime.
"""
import importlib.util

import ember
from ember.cli import CommandError

__all__ = ["add_parser", "run"]


def add_parser(commands):
    p = commands.add_parser(
        "export", help="export a checkpoint's model to ONNX",
        description="Export the model of an ember train checkpoint (or model.safetensors) to an "
                    "ONNX file: input 'image' (N x 1 x 28 x 28, normalised as in training), "
                    "output 'logits' (N x 10), any batch size.")
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("--onnx", required=True, metavar="FILE", help="the ONNX file to write")
    p.add_argument("--opset", type=int, default=17, choices=range(13, 22), metavar="N",
                   help="ONNX opset version, 13 to 21 (default 17)")
    p.set_defaults(func=run)
    return p


def run(args):
    from ember.cli.models import model_from_checkpoint, read_checkpoint

    model, name = model_from_checkpoint(read_checkpoint(args.checkpoint), args.checkpoint)
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise CommandError("exporting to ONNX needs the onnx package: pip install "
                           "'ember[onnx]'") from None
    verify = importlib.util.find_spec("onnxruntime") is not None
    try:
        ember.onnx.export(model, (ember.randn(1, 1, 28, 28),), args.onnx, input_names=["image"],
                          output_names=["logits"], opset_version=args.opset, verify=verify,
                          dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    except OSError as e:
        raise CommandError("cannot write %s: %s" % (args.onnx, e.strerror or e)) from None
    print("wrote %s: the %s model (opset %d), input 'image' (N x 1 x 28 x 28, normalised as in "
          "training), output 'logits' (N x 10)%s" % (
              args.onnx, name, args.opset,
              "; onnxruntime gives the model's logits at batch 1 and 2" if verify else ""))
    return 0
