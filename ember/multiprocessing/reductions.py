"""Tensors in POSIX shared memory, and how they travel between processes.

``share_array`` copies an array into a ``multiprocessing.shared_memory`` segment; the segment is
unlinked when the process that made it exits. Pickled by ``multiprocessing`` (``ForkingPickler``:
queues, pipes, spawned processes' arguments), a tensor becomes the segment's name plus its
shape, dtype, offset and strides, and the receiver maps the same memory.
"""
import atexit
from multiprocessing import resource_tracker, shared_memory
from multiprocessing.reduction import ForkingPickler

from ember._backend import np

__all__ = ["init_reductions", "is_shared_array", "rebuild_tensor", "reduce_tensor",
           "share_array"]

_SEGMENTS = {}  # id(segment mapping) -> SharedMemory, for every segment mapped in this process
_CREATED = []  # segments this process made (and unlinks at exit)


def _root(array):
    """The object at the bottom of ``array``'s view chain (a segment's mapping, if shared)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array.base


def _segment(array):
    return _SEGMENTS.get(id(_root(array))) if isinstance(array, np.ndarray) else None


def is_shared_array(array):
    return _segment(array) is not None


def _map(shm, shape, dtype, offset=0, strides=None):
    array = np.ndarray(shape, dtype=dtype, buffer=shm.buf, offset=offset, strides=strides)
    _SEGMENTS[id(_root(array))] = shm  # the segment's mapping, which every view ends at
    return array


def share_array(array):
    """A copy of ``array`` in a new shared-memory segment (C-contiguous)."""
    shm = shared_memory.SharedMemory(create=True, size=max(1, array.nbytes))
    _CREATED.append(shm)
    shared = _map(shm, array.shape, array.dtype)
    shared[...] = array
    return shared


def _offset(array, shm):
    start = np.frombuffer(shm.buf, dtype=np.uint8).ctypes.data
    return array.ctypes.data - start


def reduce_tensor(tensor):
    """``ForkingPickler``'s reduction: move the data to shared memory, then send its handle."""
    if not is_shared_array(tensor._data):
        tensor.share_memory_()
    array = tensor._data
    shm = _segment(array)
    state = (shm.name, array.shape, array.dtype.str, _offset(array, shm), array.strides)
    return rebuild_tensor, (type(tensor), state, tensor.requires_grad)


def rebuild_tensor(cls, state, requires_grad):
    """Map a tensor sent by ``reduce_tensor`` (the receiving side)."""
    from ember._tensor import Tensor, _make

    name, shape, dtype, offset, strides = state
    shm = _attached(name)
    data = _map(shm, shape, np.dtype(dtype), offset, strides)
    if cls is Tensor:
        return _make(data, requires_grad)
    return cls(_make(data), requires_grad)


_ATTACHED = {}


def _attached(name):
    shm = _ATTACHED.get(name)
    if shm is None:
        for created in _CREATED:
            if created.name.lstrip("/") == name.lstrip("/"):
                return created
        shm = _ATTACHED[name] = shared_memory.SharedMemory(name=name)
        # the creator unlinks it; a receiver's tracker must not
        resource_tracker.unregister(shm._name, "shared_memory")
    return shm


@atexit.register
def _unlink_created():
    for shm in _CREATED:
        try:
            shm.unlink()
        except FileNotFoundError:
            pass


def init_reductions():
    """Register the tensor reductions with ``multiprocessing``'s pickler (done on import)."""
    from ember._tensor import Tensor
    from ember.nn.parameter import Buffer, Parameter

    for cls in (Tensor, Parameter, Buffer):
        ForkingPickler.register(cls, reduce_tensor)
