"""What each rank runs under ``ember.distributed.run``: torchrun's variables, then the script."""
import os
import runpy
import sys


def _set_torchrun_environment():
    """RANK, LOCAL_RANK, WORLD_SIZE... from the MPI launcher's own variables (MPICH's PMI_* and
    MPI_LOCALRANKID; Open MPI's OMPI_COMM_WORLD_*)."""
    env = os.environ
    rank = env.get("PMI_RANK", env.get("OMPI_COMM_WORLD_RANK", "0"))
    size = env.get("PMI_SIZE", env.get("OMPI_COMM_WORLD_SIZE", "1"))
    local = env.get("MPI_LOCALRANKID", env.get("OMPI_COMM_WORLD_LOCAL_RANK", rank))
    local_size = int(env.get("LOCAL_WORLD_SIZE", size))
    env.update(RANK=rank, WORLD_SIZE=size, LOCAL_RANK=local, LOCAL_WORLD_SIZE=str(local_size),
               GROUP_RANK=str(int(rank) // max(local_size, 1)),
               ROLE_RANK=rank, ROLE_WORLD_SIZE=size)
    env.setdefault("MASTER_ADDR", "127.0.0.1")
    env.setdefault("MASTER_PORT", "29500")


def main(argv):
    compat, module = argv[:1] == ["--compat"], argv[:1] == ["-m"]
    if compat or module:
        argv = argv[1:]
    _set_torchrun_environment()
    script, args = argv[0], argv[1:]
    if compat:
        from ember.cli import compat as shim

        shim.run_script(script, args)
        return
    sys.argv = [script] + args
    if module:
        runpy.run_module(script, run_name="__main__", alter_sys=True)
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
