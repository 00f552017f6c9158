"""``ember.nn.parallel``: running a module over several devices, as ``torch.nn.parallel``."""
from ember.nn.parallel.data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
