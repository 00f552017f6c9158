"""``--nproc N`` for ``ember run`` and ``ember train``: the same command on N MPI ranks.

The command started by the user launches itself under ``mpiexec`` (``ember.distributed.run``);
each rank then finds torchrun's variables in its environment, joins the process group and trains
its share of every global batch through DistributedDataParallel. Rank 0 alone prints and writes
files; the others stay quiet.
"""
import os
import sys

import numpy as np

__all__ = ["in_rank", "launch", "report_failure", "Ranks"]


def in_rank():
    """True inside a process that ``ember.distributed.run`` started."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def launch(nproc, argv, compat=False):
    """Run ``ember ARGV`` (or, with ``compat``, the script ARGV[0]) on ``nproc`` ranks; return the
    job's status."""
    from ember.distributed import run

    options = ["--nproc-per-node", str(nproc)]
    if compat:
        return run.main(options + ["--compat"] + list(argv))
    return run.main(options + ["-m", "ember"] + list(argv))


def report_failure(error):
    """Tell the other ranks that this one is giving up with ``error`` (when in a process group),
    so that they stop at once instead of waiting for the timeout."""
    c10d = sys.modules.get("ember.distributed.distributed_c10d")
    if c10d is not None and c10d.is_initialized():
        c10d._announce_to_peers("%s: %s" % (type(error).__name__, error))


class _SharedStop:
    """Ctrl-C as all ranks see it: ``requested`` is true on every rank once any rank's is, so
    that every rank stops after the same batch (reading it is a small all-reduce)."""

    def __init__(self, local):
        self.local = local

    @property
    def requested(self):
        from ember import distributed as dist

        flag = _tensor([1.0 if self.local.requested else 0.0])
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item())


def _tensor(values):
    from ember import tensor

    return tensor(np.asarray(values, dtype=np.float64))


class Ranks:
    """This process's place in a ``--nproc`` run (a single process when not launched so)."""

    def __init__(self, nproc):
        from ember import distributed as dist

        self.world = 1
        self.rank = 0
        if nproc > 1:
            if int(os.environ["WORLD_SIZE"]) != nproc:
                raise RuntimeError("--nproc %d but the job has %s processes"
                                   % (nproc, os.environ["WORLD_SIZE"]))
            dist.init_process_group()
            self.world, self.rank = dist.get_world_size(), dist.get_rank()
            if self.rank:
                sys.stdout = open(os.devnull, "w")  # rank 0 reports for everyone

    @property
    def main(self):
        return self.rank == 0

    def wrap(self, model):
        if self.world == 1:
            return model
        from ember.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(model)

    def stop(self, local):
        return local if self.world == 1 else _SharedStop(local)

    def order(self, dataset, seed, epoch):
        """This rank's sample order in ``epoch``: DistributedSampler's share of the permutation
        that one process would use."""
        from ember.utils.data import DistributedSampler

        sampler = DistributedSampler(dataset, self.world, self.rank, shuffle=True, seed=seed)
        sampler.set_epoch(epoch)
        return list(sampler)

    def sum(self, *values):
        """The sums over ranks of the numbers ``values``."""
        if self.world == 1:
            return values
        from ember import distributed as dist

        totals = _tensor(values)
        dist.all_reduce(totals)
        return tuple(totals.tolist())

    def close(self):
        from ember import distributed as dist

        if self.world > 1 and dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()
