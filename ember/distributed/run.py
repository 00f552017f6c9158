"""Start a script on several processes under ``mpiexec``, with torchrun's flags and environment.

Usage::

    python -m ember.distributed.run --nproc-per-node 2 train.py --lr 0.1
    python -m ember.distributed.run --nproc-per-node 2 -m mypackage.train
    ember run --nproc 2 train.py --lr 0.1        # the same, with torch resolved to ember

Each process gets torchrun's variables (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``,
``LOCAL_WORLD_SIZE``, ``GROUP_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``), so scripts that read them
work, and ``init_process_group`` joins the MPI job. The exit status is the job's (non-zero if any
rank failed); Ctrl-C stops every rank.

Several machines: MPI starts the processes, so give mpiexec a host file (one ``host:slots`` a
line) and the total count: ``--nnodes 2 --nproc-per-node 4 --hostfile hosts``; run it once, on
one machine (mpiexec reaches the others through ssh). ``--node-rank`` is accepted for torchrun
compatibility and ignored: MPI numbers the ranks.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

__all__ = ["main", "mpiexec_path", "build_command"]


def mpiexec_path():
    """The ``mpiexec`` of this interpreter's environment (where the mpich wheel puts it), else
    the one on PATH."""
    for folder in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        candidate = folder / "mpiexec"
        if candidate.is_file():
            return str(candidate)
    import sysconfig

    candidate = Path(sysconfig.get_path("scripts")) / "mpiexec"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("mpiexec")
    if found is None:
        raise FileNotFoundError("ember.distributed.run: no mpiexec found; install one with "
                                "pip install 'ember[distributed]' (mpi4py and mpich)")
    return found


def _parser():
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                description="Run SCRIPT on several processes under mpiexec "
                                "(torchrun's flags and environment variables).")
    p.add_argument("--nproc-per-node", "--nproc_per_node", "--nproc", dest="nproc", type=int,
                   default=1, help="processes per machine (default 1)")
    p.add_argument("--nnodes", type=int, default=1, help="machines (needs --hostfile if > 1)")
    p.add_argument("--node-rank", "--node_rank", dest="node_rank", type=int, default=0,
                   help="accepted for torchrun compatibility; MPI numbers the ranks")
    p.add_argument("--master-addr", "--master_addr", dest="master_addr", default="127.0.0.1")
    p.add_argument("--master-port", "--master_port", dest="master_port", type=int,
                   default=29500)
    p.add_argument("--standalone", action="store_true", help="accepted; one machine")
    p.add_argument("--hostfile", help="mpiexec's host file, for several machines")
    p.add_argument("-m", "--module", action="store_true",
                   help="SCRIPT is a module, run as python -m SCRIPT")
    p.add_argument("--compat", action="store_true",
                   help="resolve torch and torchvision to ember in the script (ember run)")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    return p


def build_command(options):
    """The mpiexec command line that starts ``options.script`` on every rank."""
    if options.nproc < 1 or options.nnodes < 1:
        raise ValueError("--nproc-per-node and --nnodes must be positive")
    if options.nnodes > 1 and not options.hostfile:
        raise ValueError("--nnodes %d needs --hostfile (mpiexec's host file naming the machines)"
                         % options.nnodes)
    command = [mpiexec_path(), "-n", str(options.nproc * options.nnodes)]
    if options.hostfile:
        command += ["-f", options.hostfile]
    env = {"MASTER_ADDR": options.master_addr, "MASTER_PORT": str(options.master_port),
           "LOCAL_WORLD_SIZE": str(options.nproc)}
    for name, value in env.items():
        command += ["-genv", name, value]
    command += [sys.executable, "-m", "ember.distributed._worker"]
    if options.compat:
        command.append("--compat")
    elif options.module:
        command.append("-m")
    return command + [options.script] + list(options.args)


def main(argv=None):
    """Run the launcher; return the job's exit status."""
    options = _parser().parse_args(argv)
    try:
        command = build_command(options)
    except (ValueError, FileNotFoundError) as e:
        print("ember.distributed.run: error: %s" % e, file=sys.stderr)
        return 2
    if not options.module and not os.path.isfile(options.script):
        print("ember.distributed.run: error: no such script: %s" % options.script,
              file=sys.stderr)
        return 2
    job = subprocess.Popen(command)
    try:
        status = job.wait()
    except KeyboardInterrupt:
        job.send_signal(signal.SIGINT)  # mpiexec passes it to every rank
        try:
            job.wait(10)
        except subprocess.TimeoutExpired:
            job.kill()
            job.wait()
        return 130
    if status < 0:
        print("ember.distributed.run: mpiexec ended by signal %d" % -status, file=sys.stderr)
        return 128 - status
    if status:
        print("ember.distributed.run: the job failed (exit status %d); see the ranks' errors "
              "above" % status, file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
