"""``ember.nn.parallel``: running a module over several devices or processes, as
``torch.nn.parallel``."""
import warnings

from ember.nn.parallel import comm, scatter_gather  # noqa: F401 (torch's submodules)
from ember.nn.parallel.data_parallel import DataParallel, data_parallel
from ember.nn.parallel.distributed import DistributedDataParallel
from ember.nn.parallel.parallel_apply import parallel_apply
from ember.nn.parallel.replicate import replicate
from ember.nn.parallel.scatter_gather import gather, scatter

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel", "gather",
           "parallel_apply", "replicate", "scatter"]


class DistributedDataParallelCPU(DistributedDataParallel):
    """Deprecated name of :class:`DistributedDataParallel` (FutureWarning, as torch)."""

    def __init__(self, *args, **kwargs):
        warnings.warn("`torch.nn.parallel.DistributedDataParallelCPU` is deprecated, please use "
                      "`torch.nn.parallel.DistributedDataParallel` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__(*args, **kwargs)
