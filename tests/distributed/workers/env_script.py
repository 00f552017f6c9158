"""Run by ``ember run --nproc`` / the launcher: reports torchrun's variables, then all-reduces."""
import os
import sys

import torch  # ember, under ``ember run``
import torch.distributed as dist

dist.init_process_group("gloo")
rank = dist.get_rank()
assert rank == int(os.environ["RANK"]) == int(os.environ["LOCAL_RANK"])
assert dist.get_world_size() == int(os.environ["WORLD_SIZE"])
t = torch.tensor([float(rank + 1)])
dist.all_reduce(t)
# each rank writes its own file: mpiexec may interleave the ranks' stdout
with open(os.path.join(os.environ["EMBER_TEST_OUT"], "rank%d" % rank), "w") as f:
    f.write("RANK %s/%s LOCAL_RANK %s MASTER %s:%s SUM %g ARGS %s torch=%s\n" % (
        os.environ["RANK"], os.environ["WORLD_SIZE"], os.environ["LOCAL_RANK"],
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"], t.item(), sys.argv[1:],
        type(t).__module__.split(".")[0]))
dist.destroy_process_group()
if sys.argv[1:] == ["fail"] and rank == 1:
    sys.exit(7)
