"""``ember.nn.parallel.replicate``: copies of a module for several GPUs, as torch's without GPUs.

A replica shares nothing but its structure: torch copies the parameters and buffers onto each
device. A module without tensors replicates here as in torch; one with parameters or buffers would
have them copied onto a GPU, which a CPU-only torch refuses and so does ember.
"""
from ember.nn.parallel import comm

__all__ = ["replicate"]


def _copy_module(module):
    replica = module.__new__(type(module))
    replica.__dict__ = module.__dict__.copy()
    replica._parameters = dict(module._parameters)
    replica._buffers = dict(module._buffers)
    replica._modules = dict(module._modules)
    replica._is_replica = True
    return replica


def replicate(network, devices, detach=False):
    """One copy of ``network`` per device of ``devices``; the copies' parameters are copies of
    the network's on those devices."""
    if not devices:
        return []
    indices = [comm._device_index(d, optional=True) for d in devices]
    params = list(network.parameters())
    if params:
        if not detach:
            raise AssertionError("Broadcast function not implemented for CPU tensors")
        comm.broadcast_coalesced(params, indices)
    buffers = list(network.buffers())
    if buffers:
        comm.broadcast_coalesced(buffers, indices)
    modules = list(network.modules())
    position = {id(m): i for i, m in enumerate(modules)}
    replicas = [[_copy_module(m) for m in modules] for _ in indices]
    for copies in replicas:
        for copy in copies:
            for name, child in copy._modules.items():
                copy._modules[name] = None if child is None else copies[position[id(child)]]
    return [copies[0] for copies in replicas]
