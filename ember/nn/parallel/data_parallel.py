"""``DataParallel`` and ``data_parallel`` on a machine without GPUs, as torch runs them there.

torch splits a batch over its visible GPUs; with none it calls the wrapped module directly, and so
does ember (it has only the CPU). The wrapper still behaves as torch's for code around it: the
module is ``.module``, ``state_dict`` keys carry the ``module.`` prefix, ``device_ids`` is empty.
"""
from ember.autograd.grad_mode import is_grad_enabled
from ember.nn.modules.module import Module
from ember.nn.parallel.parallel_apply import parallel_apply
from ember.nn.parallel.replicate import replicate
from ember.nn.parallel.scatter_gather import gather, scatter_kwargs

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Wrap ``module`` to run it data-parallel over GPUs: with none, it runs as is.

    Args:
        module (Module): the module to run.
        device_ids (list of int or device, optional): GPUs to use (there are none here).
        output_device (int or device, optional): where outputs are gathered.
        dim (int): the batch dimension to split along.

    Example:
        >>> import ember
        >>> model = ember.nn.DataParallel(ember.nn.Linear(2, 3))
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)

    # The steps of a multi-GPU forward, for subclasses that override them. Without GPUs torch
    # sets no ``dim`` (it returns from ``__init__`` first), so scatter/gather fail as there.
    def replicate(self, module, device_ids):
        return replicate(module, device_ids, not is_grad_enabled())

    def scatter(self, inputs, kwargs, device_ids):
        return scatter_kwargs(inputs, kwargs, device_ids, dim=self.dim)

    def parallel_apply(self, replicas, inputs, kwargs):
        return parallel_apply(replicas, inputs, kwargs, self.device_ids[:len(replicas)])

    def gather(self, outputs, output_device):
        return gather(outputs, output_device, dim=self.dim)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0,
                  module_kwargs=None):
    """Evaluate ``module(*inputs)`` in parallel over ``device_ids``. Like torch on a machine
    without accelerators (ember's case), it raises: torch's functional form needs a device type
    to spread over, where the ``DataParallel`` module runs the module directly.

    Args:
        module (Module): the module to evaluate.
        inputs (Tensor or tuple): its positional inputs.
        device_ids, output_device, dim: as for ``DataParallel``.
        module_kwargs (dict, optional): its keyword inputs.

    Raises:
        RuntimeError: always, as torch's "device type could not be determined".
    """
    raise RuntimeError("device type could not be determined")
