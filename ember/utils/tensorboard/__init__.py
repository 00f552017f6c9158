"""TensorBoard logging (torch.utils.tensorboard): ``SummaryWriter`` writes event files with the
``tensorboard`` package's own protobufs and record writer (the optional extra
``ember[tensorboard]``)."""
try:
    import tensorboard  # noqa: F401
except ImportError:
    raise ImportError("ember.utils.tensorboard needs the tensorboard package: pip install "
                      "'ember[tensorboard]'") from None

from ember.utils.tensorboard.writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
