"""``ember.multiprocessing``: Python's ``multiprocessing`` with tensors shared between processes.

Everything of the standard module is here (``Process``, ``Queue``, ``Pool``, ``get_context``...).
On top, as in ``torch.multiprocessing``:

* ``tensor.share_memory_()`` (and ``module.share_memory()``) moves a tensor's data into shared
  memory: processes forked afterwards, or handed the tensor through a ``Queue``, ``Pipe`` or
  ``Process`` arguments, see and update the same numbers (Hogwild-style training);
* a tensor sent to another process is moved to shared memory first, as torch does, so the
  receiver gets a view of the same data rather than a copy;
* ``spawn(fn, args, nprocs)`` starts ``nprocs`` processes running ``fn(i, *args)`` and reports a
  failure in any of them as ``ProcessRaisedException``/``ProcessExitedException``.
"""
import multiprocessing
from multiprocessing import *  # noqa: F401,F403

from ember.multiprocessing.reductions import init_reductions
from ember.multiprocessing.spawn import (
    ENV_VAR_PARALLEL_START,
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    SpawnContext,
    spawn,
    start_processes,
)

__all__ = ["ENV_VAR_PARALLEL_START", "set_sharing_strategy", "get_sharing_strategy",
           "get_all_sharing_strategies", "init_reductions", "spawn", "start_processes",
           "ProcessContext", "SpawnContext",
           "ProcessException", "ProcessRaisedException", "ProcessExitedException"]
__all__ += multiprocessing.__all__

_STRATEGIES = ("file_descriptor", "file_system")
_sharing_strategy = ["file_descriptor"]


def get_all_sharing_strategies():
    """The ways shared tensors can be passed (both map the same POSIX shared memory here)."""
    return set(_STRATEGIES)


def get_sharing_strategy():
    return _sharing_strategy[0]


def set_sharing_strategy(new_strategy):
    if new_strategy not in _STRATEGIES:
        raise AssertionError("unknown sharing strategy %r" % (new_strategy,))
    _sharing_strategy[0] = new_strategy


init_reductions()
