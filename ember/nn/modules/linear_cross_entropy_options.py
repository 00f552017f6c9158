"""``LinearCrossEntropyOptions``: the settings of torch's chunked ``linear_cross_entropy``.

ember computes the reference formula in one piece, whose values the chunked computation
reproduces, so the settings are checked as torch checks them and otherwise kept only.
"""
import dataclasses

__all__ = ["LinearCrossEntropyOptions"]


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """Chunking settings of ``linear_cross_entropy``.

    Args:
        allow_retain_graph (bool): keep the gradient buffers so backward can run twice.
        batch_chunk_size (int or None): rows per chunk (None: one chunk).
        chunking_method (str or None): ``"auto"``, ``"aspect_ratio"`` or ``"aspect_ratio:N"``.
        acc_policy (str): ``"auto"``, ``"accurate"``, ``"balanced"`` or ``"compact"``.
        acc_dtype (dtype or None): the accumulation dtype.
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int = None
    chunking_method: str = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self):
        if self.acc_policy not in {"auto", "accurate", "balanced", "compact"}:
            raise ValueError("invalid acc_policy: %r" % (self.acc_policy,))
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            if not sep:
                factor = "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError("invalid chunking_method: %r" % (self.chunking_method,))
        if not (self.batch_chunk_size is None or (isinstance(self.batch_chunk_size, int)
                                                  and self.batch_chunk_size > 0)):
            raise ValueError("batch_chunk_size must be positive int or None, got %r"
                             % (self.batch_chunk_size,))
        if self.acc_dtype is not None and str(self.acc_dtype).split(".")[-1] not in (
                "float16", "bfloat16", "float32", "float64"):
            raise ValueError("acc_dtype must be one of {None, torch.float16, torch.bfloat16, "
                             "torch.float32, torch.float64}, got %r. Pass acc_dtype=None to let "
                             "the op pick automatically." % (self.acc_dtype,))
