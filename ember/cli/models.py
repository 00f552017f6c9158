"""The networks ``ember train --model`` offers, for 1 x 28 x 28 digits and 10 classes.

``net`` is the study notes' network, written as the notes write it (an ``nn.Module`` with a
``conv`` block and a ``dense`` block, each an ``nn.Sequential`` of named layers), with its input
adapted from 3 channels to MNIST's 1 and its dense input to the 32 x 14 x 14 features that a
2 x 2 pool leaves of a 28 x 28 image. ``lenet5`` is LeCun's LeNet-5 with ReLU and max pooling;
``mlp`` is a two-layer perceptron. The same classes written with ``torch.nn`` have the same
``state_dict`` keys, so a checkpoint's weights load into either.
"""
import os
from collections import OrderedDict

import ember
from ember import nn

__all__ = ["Net", "LeNet5", "MLP", "MODELS", "build_model", "read_checkpoint",
           "model_from_checkpoint"]


class Net(nn.Module):
    """The notes' CNN: conv 1->32 3x3 (padding 1), ReLU, 2x2 max pool, 6272->128->10.

    Shape:
        - Input: :math:`(N, 1, 28, 28)`
        - Output: :math:`(N, 10)` logits

    Example::

        >>> import ember
        >>> Net()(ember.zeros(2, 1, 28, 28)).shape
        ember.Size([2, 10])
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 32, 3, 1, 1)),
            ("relu1", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)),
        ]))
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(32 * 14 * 14, 128)),
            ("relu2", nn.ReLU()),
            ("dense2", nn.Linear(128, 10)),
        ]))

    def forward(self, x):
        x = self.conv(x)
        return self.dense(x.view(x.size(0), -1))


class LeNet5(nn.Module):
    """LeNet-5 for 28 x 28 digits: two 5x5 convolutions with pooling, then 400->120->84->10.

    Example::

        >>> import ember
        >>> LeNet5()(ember.zeros(2, 1, 28, 28)).shape
        ember.Size([2, 10])
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 6, 5, padding=2)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
        ]))
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(16 * 5 * 5, 120)),
            ("relu3", nn.ReLU()),
            ("dense2", nn.Linear(120, 84)),
            ("relu4", nn.ReLU()),
            ("dense3", nn.Linear(84, 10)),
        ]))

    def forward(self, x):
        x = self.conv(x)
        return self.dense(x.view(x.size(0), -1))


class MLP(nn.Module):
    """A multilayer perceptron on the flattened image: 784->256->10.

    Example::

        >>> import ember
        >>> MLP()(ember.zeros(2, 1, 28, 28)).shape
        ember.Size([2, 10])
    """

    def __init__(self, hidden=256):
        super().__init__()
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(28 * 28, hidden)),
            ("relu1", nn.ReLU()),
            ("dense2", nn.Linear(hidden, 10)),
        ]))

    def forward(self, x):
        return self.dense(x.view(x.size(0), -1))


MODELS = {"net": Net, "lenet5": LeNet5, "mlp": MLP}


def build_model(name):
    """A fresh model by its ``--model`` name (``net``, ``lenet5`` or ``mlp``)."""
    try:
        return MODELS[name]()
    except KeyError:
        raise ValueError("unknown model %r (choose from %s)"
                         % (name, ", ".join(MODELS))) from None


def read_checkpoint(path):
    """The object stored at ``path``: an ``ember.save`` file (loaded with ``weights_only``) or a
    ``.safetensors`` file (a dict of tensors, plus ``"__metadata__"`` when it has any).

    Raises:
        CommandError: the file is missing or cannot be read as a checkpoint.
    """
    from ember.cli import CommandError

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CommandError("no such checkpoint: %s" % path)
    try:
        if path.endswith(".safetensors"):
            from safetensors import safe_open

            from ember.serialization import load_safetensors

            tensors = load_safetensors(path)
            with safe_open(path, framework="np") as f:
                tensors["__metadata__"] = f.metadata() or {}
            return tensors
        return ember.load(path)
    except ImportError:
        raise CommandError("reading %s needs the safetensors package: pip install "
                           "'ember[train]'" % path) from None
    except Exception as e:  # any failure to parse the file is the file's fault, not ember's
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CommandError("cannot read checkpoint %s: %s" % (path, message)) from None


def _guess_model(state_dict):
    """The name of the model whose parameter names and shapes are those of ``state_dict``."""
    shapes = {k: tuple(v.shape) for k, v in state_dict.items() if hasattr(v, "shape")}
    for name, cls in MODELS.items():
        expected = {k: tuple(v.shape) for k, v in cls().state_dict().items()}
        if expected == shapes:
            return name
    return None


def model_from_checkpoint(checkpoint, path):
    """Build the model a checkpoint holds and load its weights; returns ``(model, name)``.

    ``checkpoint`` is what :func:`read_checkpoint` returned: an ``ember train`` checkpoint, a
    ``model.safetensors`` file, or a bare ``state_dict`` of one of :data:`MODELS`.

    Raises:
        CommandError: the checkpoint holds another model, or weights that do not fit its model.
    """
    from ember.cli import CommandError

    if not isinstance(checkpoint, dict):
        raise CommandError("%s holds a %s, not model weights" % (path, type(checkpoint).__name__))
    name = None
    if "config" in checkpoint and "model" in checkpoint:  # ember train's checkpoint
        name, state_dict = checkpoint["config"].get("model"), checkpoint["model"]
    else:
        state_dict = {k: v for k, v in checkpoint.items() if k != "__metadata__"}
        name = checkpoint.get("__metadata__", {}).get("model")
    if not isinstance(state_dict, dict) or not all(
            isinstance(v, ember.Tensor) for v in state_dict.values()):
        raise CommandError("%s does not hold a model's weights" % path)
    if name is None:
        name = _guess_model(state_dict)
        if name is None:
            keys = ", ".join(list(state_dict)[:4]) or "none"
            raise CommandError("%s holds weights of a model ember train does not know (%d "
                               "tensors: %s%s)" % (path, len(state_dict), keys,
                                                   ", ..." if len(state_dict) > 4 else ""))
    if name not in MODELS:
        raise CommandError("%s holds a %r model; ember knows %s" % (path, name,
                                                                     ", ".join(MODELS)))
    model = MODELS[name]()
    try:
        model.load_state_dict(state_dict)
    except (RuntimeError, KeyError, ValueError) as e:
        detail = " ".join(str(e).split())
        raise CommandError("%s does not hold weights for the %s model: %s"
                           % (path, name, detail[:200])) from None
    model.eval()
    return model, name
