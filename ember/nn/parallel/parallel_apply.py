"""``ember.nn.parallel.parallel_apply``: running replicas on their GPUs in threads, as torch's
without an accelerator: the arguments are checked as torch checks them, then the run is refused
(it needs a device stream per replica)."""
from ember._tensor import Tensor
from ember.accelerator import current_stream
from ember.nn.parallel import comm

__all__ = ["get_a_var", "parallel_apply"]


def get_a_var(obj):
    """The first tensor found in ``obj`` (a tensor, or lists/tuples/dicts holding some)."""
    if isinstance(obj, Tensor):
        return obj
    if isinstance(obj, (list, tuple)):
        for result in map(get_a_var, obj):
            if isinstance(result, Tensor):
                return result
    if isinstance(obj, dict):
        for result in map(get_a_var, obj.items()):
            if isinstance(result, Tensor):
                return result
    return None


def parallel_apply(modules, inputs, kwargs_tup=None, devices=None):
    """Apply ``modules[i]`` to ``inputs[i]`` (and ``kwargs_tup[i]``) on ``devices[i]``, each in a
    thread."""
    if len(modules) != len(inputs):
        raise AssertionError("The number of modules %d is not equal to the number of inputs %d"
                             % (len(modules), len(inputs)))
    if kwargs_tup is not None and len(modules) != len(kwargs_tup):
        raise AssertionError("The number of modules %d is not equal to the number of kwargs_tup "
                             "%d" % (len(modules), len(kwargs_tup)))
    if devices is not None and len(modules) != len(devices):
        raise AssertionError("The number of modules %d is not equal to the number of devices %d"
                             % (len(modules), len(devices)))
    for dev in devices if devices is not None else [None] * len(modules):
        _cuda_index(dev)
    for dev in devices if devices is not None else [None] * len(modules):
        current_stream(dev)
    raise AssertionError("No available accelerator found.")


def _cuda_index(dev):
    # torch.cuda's _get_device_index: any device but CUDA is refused by name
    if isinstance(dev, str) or hasattr(dev, "type"):
        kind = str(dev).split(":")[0]
        if kind != "cuda":
            raise ValueError("Expected a cuda device, but got: %s" % dev)
    return comm._device_index(dev, optional=True)
