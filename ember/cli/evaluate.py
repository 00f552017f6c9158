"""``ember eval CHECKPOINT``: test accuracy of a trained classifier, and its confusion matrix.

The checkpoint may be ``ember train``'s ``checkpoint.pt``, its ``model.safetensors``, or a bare
``state_dict`` of one of the models in ``ember.cli.models``. The test set is full MNIST from
``--data`` (which must then hold it), else MNIST in ``./data`` when it is there, else the 1,000
test digits of the sample shipped with ember (announced in one line).
"""
import os

import ember
import ember.nn.functional as F
from ember.cli import CommandError

__all__ = ["add_parser", "run", "evaluate_model", "predict_batch", "confusion_matrix",
           "format_confusion"]


def predict_batch(model, images):
    """Class probabilities for a batch of normalised images, in eval mode without gradients."""
    model.eval()
    with ember.no_grad():
        return F.softmax(model(images), dim=1)


def evaluate_model(model, dataset, batch_size=500, stop=None):
    """Mean cross-entropy and accuracy of ``model`` on ``dataset``.

    Runs ``model.eval()`` under ``no_grad``. ``stop`` (an object with a ``requested`` flag) is
    checked after each batch; evaluation then returns None.

    Returns:
        dict: ``loss``, ``accuracy`` (a fraction), ``predicted`` and ``targets`` (lists of int).
    """
    loader = ember.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
    model.eval()
    loss_sum, predicted, targets = 0.0, [], []
    with ember.no_grad():
        for images, labels in loader:
            output = model(images)
            loss_sum += F.cross_entropy(output, labels, reduction="sum").item()
            predicted += output.argmax(1).tolist()
            targets += labels.tolist()
            if stop is not None and stop.requested:
                return None
    correct = sum(p == t for p, t in zip(predicted, targets))
    return {"loss": loss_sum / len(targets), "accuracy": correct / len(targets),
            "predicted": predicted, "targets": targets}


def confusion_matrix(predicted, targets, classes=10):
    """``matrix[t][p]``: how many digits of class ``t`` were predicted as ``p``."""
    matrix = [[0] * classes for _ in range(classes)]
    for p, t in zip(predicted, targets):
        matrix[t][p] += 1
    return matrix


def format_confusion(matrix):
    """The confusion matrix as a text table: rows are true classes, columns predictions, and a
    last column with each class's accuracy (recall)."""
    classes = len(matrix)
    width = max(5, len(str(max(max(row) for row in matrix))) + 1)
    lines = ["true \\ predicted",
             "    " + "".join("%*d" % (width, c) for c in range(classes)) + "   recall"]
    for t, row in enumerate(matrix):
        total = sum(row)
        recall = "%7.2f%%" % (100 * row[t] / total) if total else "      - "
        lines.append("%3d " % t + "".join("%*d" % (width, n) for n in row) + " " + recall)
    return "\n".join(lines)


def add_parser(commands):
    p = commands.add_parser(
        "eval", help="test accuracy and confusion matrix of a checkpoint",
        description="Evaluate a checkpoint (ember train's checkpoint.pt or model.safetensors) "
                    "on the MNIST test set: accuracy and a confusion matrix.")
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("--data", default=None, metavar="DIR",
                   help="MNIST root holding MNIST/raw/t10k-*-ubyte[.gz] (default: ./data when "
                        "it holds MNIST, else the sample shipped with ember)")
    p.add_argument("--sample", action="store_true",
                   help="evaluate on the 1,000 test digits of the sample shipped with ember")
    p.add_argument("--batch-size", type=int, default=500, help="evaluation batch size")
    p.set_defaults(func=run)
    return p


def run(args):
    from ember.cli.models import model_from_checkpoint, read_checkpoint
    from ember.cli.data import open_mnist

    if args.batch_size < 1:
        raise CommandError("invalid batch size: %d (must be >= 1)" % args.batch_size)
    model, name = model_from_checkpoint(read_checkpoint(args.checkpoint), args.checkpoint)
    data = args.data if args.data is not None else os.path.join(".", "data")
    _, test_set, source = open_mnist(data, download=False, require_full=args.data is not None,
                                     sample=args.sample, purpose="evaluating on",
                                     need_train=False)
    result = evaluate_model(model, test_set, batch_size=args.batch_size)
    correct = round(result["accuracy"] * len(result["targets"]))
    print("%s (%s) on %s MNIST test set: accuracy %.2f%% (%d/%d), loss %.4f" % (
        args.checkpoint, name, "the sample's" if source == "sample" else "the full",
        100 * result["accuracy"], correct, len(result["targets"]), result["loss"]))
    print(format_confusion(confusion_matrix(result["predicted"], result["targets"])))
    return 0
