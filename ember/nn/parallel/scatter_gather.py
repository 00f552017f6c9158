"""``ember.nn.parallel.scatter_gather``: spreading inputs over GPUs and collecting outputs, as
torch's does on a machine without GPUs.

The recursion over containers is torch's (objects that are not tensors are repeated once per
device, empty containers likewise, ``None`` outputs gather to ``None``); a tensor reached in it
would be copied to or from a GPU, which a CPU-only torch refuses and so does ember.
"""
import warnings

from ember._tensor import Tensor
from ember.nn.parallel import comm

__all__ = ["gather", "scatter", "scatter_kwargs"]


def is_namedtuple(obj):
    """Whether ``obj`` is an instance of a ``collections.namedtuple``/``typing.NamedTuple``
    (deprecated in torch: FutureWarning)."""
    warnings.warn("`is_namedtuple` is deprecated, please use the python checks instead",
                  FutureWarning, stacklevel=2)
    return _is_namedtuple(obj)


def _is_namedtuple(obj):
    return isinstance(obj, tuple) and hasattr(obj, "_asdict") and hasattr(obj, "_fields")


def _scatter_tensor(target_gpus, tensor):
    # torch's Scatter: CUDA indices of the targets, then the copy onto them
    indices = [comm._device_index(d, optional=True) for d in target_gpus]
    comm.scatter(tensor, indices, None, 0, None)


def scatter(inputs, target_gpus, dim=0):
    """Slice the tensors of ``inputs`` into one chunk per GPU of ``target_gpus`` and repeat the
    other objects once per GPU (a tensor needs a GPU to go to: refused here)."""
    def scatter_map(obj):
        if isinstance(obj, Tensor):
            return _scatter_tensor(target_gpus, obj)
        if _is_namedtuple(obj):
            return [type(obj)(*args) for args in zip(*map(scatter_map, obj))]
        if isinstance(obj, tuple) and len(obj) > 0:
            return list(zip(*map(scatter_map, obj)))
        if isinstance(obj, list) and len(obj) > 0:
            return [list(i) for i in zip(*map(scatter_map, obj))]
        if isinstance(obj, dict) and len(obj) > 0:
            return [type(obj)(i) for i in zip(*map(scatter_map, obj.items()))]
        return [obj for _ in target_gpus]

    return scatter_map(inputs)


def scatter_kwargs(inputs, kwargs, target_gpus, dim=0):
    """``scatter`` of positional and keyword inputs, padded to the same number of replicas."""
    scattered_inputs = scatter(inputs, target_gpus, dim) if inputs else []
    scattered_kwargs = scatter(kwargs, target_gpus, dim) if kwargs else []
    if len(scattered_inputs) < len(scattered_kwargs):
        scattered_inputs.extend(() for _ in range(len(scattered_kwargs) - len(scattered_inputs)))
    elif len(scattered_kwargs) < len(inputs):
        scattered_kwargs.extend({} for _ in range(len(scattered_inputs) - len(scattered_kwargs)))
    return tuple(scattered_inputs), tuple(scattered_kwargs)


def gather(outputs, target_device, dim=0):
    """Collect the per-GPU ``outputs`` on ``target_device``, concatenating tensors along ``dim``
    (tensors come from GPUs: refused here, as torch refuses CPU tensors)."""
    def gather_map(outputs):
        out = outputs[0]
        if isinstance(out, Tensor):
            raise AssertionError("Gather function not implemented for CPU tensors")
        if out is None:
            return None
        if isinstance(out, dict):
            if not all(len(out) == len(d) for d in outputs):
                raise ValueError("All dicts must have the same number of keys")
            return type(out)((k, gather_map([d[k] for d in outputs])) for k in out)
        if _is_namedtuple(out):
            return type(out)._make(map(gather_map, zip(*outputs, strict=True)))
        return type(out)(map(gather_map, zip(*outputs, strict=True)))

    return gather_map(outputs)
