"""Distributed communication over MPI, as ``torch.distributed``.

Start the processes with ``ember run --nproc N script.py`` (or ``python -m
ember.distributed.run``, or ``mpiexec -n N python script.py``), then call
:func:`init_process_group`. Every backend name maps to MPI (mpi4py and an MPI library such as the
``mpich`` wheel: ``pip install 'ember[distributed]'``). Importing this package does not import
mpi4py; the first process-group call does.
"""
from ember.distributed.distributed_c10d import *  # noqa: F401,F403
from ember.distributed.distributed_c10d import (  # noqa: F401
    Backend,
    DistBackendError,
    DistError,
    GroupMember,
    ReduceOp,
    Work,
    default_pg_timeout,
    is_mpi_available,
)


def is_available():
    """True when ember.distributed can run: mpi4py is installed."""
    return is_mpi_available()


def is_gloo_available():
    return False


def is_nccl_available():
    return False


def is_torchelastic_launched():
    import os

    return "TORCHELASTIC_RUN_ID" in os.environ
