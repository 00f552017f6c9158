"""``ember.nn.parallel.comm``: copying tensors between GPUs, as torch's on a machine without one.

Each function moves tensors between CUDA devices. ember has only the CPU, so every call ends where
a CPU-only torch ends: arguments are checked first (the same errors), then the GPU transfer is
refused.
Code that imports these names and calls them only when GPUs are present runs unchanged.
"""
import warnings

from ember._tensor import device as _device

__all__ = ["broadcast", "broadcast_coalesced", "gather", "reduce_add", "reduce_add_coalesced",
           "scatter"]


def _device_index(dev, optional=False, allow_cpu=False):
    """The device index torch's ``_get_device_index`` makes of ``dev``: an int or a non-CPU
    device's index; with ``optional`` None for an unindexed device (there is no current
    accelerator device); the CPU is -1 only where ``allow_cpu``."""
    given = dev
    if isinstance(dev, str):
        dev = _device(dev)
    if isinstance(dev, _device):
        if dev.type == "cpu":
            if allow_cpu:
                return -1
            raise ValueError("Expected a non cpu device, but got: cpu")
        dev = dev.index
    if isinstance(dev, int):
        return dev
    if optional:
        return None
    raise ValueError("Expected a torch.device with a specified index or an integer, but got:%s"
                     % given)


def _no_gpu(kernel):
    """The transfer itself: a build without CUDA has no kernel for it (torch's AttributeError)."""
    raise AttributeError("module 'torch._C' has no attribute '%s' (ember has no GPU to copy "
                         "tensors to)" % kernel)


def broadcast(tensor, devices=None, *, out=None):
    """Copy ``tensor`` to each GPU of ``devices`` (or into ``out``)."""
    if not ((devices is None) ^ (out is None)):
        raise RuntimeError("Exactly one of 'devices' and 'out' must be specified, but got "
                           "devices=%s and out=%s" % (devices, out))
    if devices is not None:
        [_device_index(d) for d in devices]
        _no_gpu("_broadcast")
    _no_gpu("_broadcast_out")


def broadcast_coalesced(tensors, devices, buffer_size=10485760):
    """Copy a sequence of tensors to each GPU of ``devices``."""
    [_device_index(d) for d in devices]
    _no_gpu("_broadcast_coalesced")


def reduce_add(inputs, destination=None):
    """Sum tensors that live on different GPUs onto one of them."""
    _device_index(destination, optional=True)
    inputs[0].size()
    raise AssertionError("reduce_add expects all inputs to be on GPUs, but input 0 is on CPU")


def reduce_add_coalesced(inputs, destination=None, buffer_size=10485760):
    """Sum sequences of tensors that live on different GPUs, coalescing small ones."""
    return reduce_add([list(tensors)[0] for tensors in inputs], destination)


def scatter(tensor, devices=None, chunk_sizes=None, dim=0, streams=None, *, out=None):
    """Split ``tensor`` along ``dim`` over the GPUs of ``devices`` (or into ``out``)."""
    if out is None:
        [_device_index(d) for d in devices]
        _no_gpu("_scatter")
    if devices is not None:
        raise RuntimeError("'devices' must not be specified when 'out' is specified, but got "
                           "devices=%s" % (devices,))
    if chunk_sizes is not None:
        raise RuntimeError("'chunk_sizes' must not be specified when 'out' is specified, but got "
                           "chunk_sizes=%s" % (chunk_sizes,))
    _no_gpu("_scatter_out")


def gather(tensors, dim=0, destination=None, *, out=None):
    """Concatenate tensors from several GPUs along ``dim`` on ``destination`` (or into ``out``)."""
    if out is None:
        if destination == -1:
            warnings.warn('Using -1 to represent CPU tensor is deprecated. Please use a device '
                          'object or string instead, e.g., "cpu".', FutureWarning, stacklevel=2)
        _device_index(destination, optional=True, allow_cpu=True)
        _no_gpu("_gather")
    if destination is not None:
        raise RuntimeError("'destination' must not be specified when 'out' is specified, but got "
                           "destination=%s" % (destination,))
    _no_gpu("_gather_out")
