"""A rank fails in a way given by argv[1]; the others must end with a clear error, not hang.
Each rank reports its pid first, so that the test can check that none survives the job."""
import os
import signal
import sys
import time
from datetime import timedelta

import ember
import ember.distributed as dist
from _report import report

mode = sys.argv[1]
dist.init_process_group(timeout=timedelta(seconds=2))
rank = dist.get_rank()
report(rank, "PID %d" % os.getpid())
if rank == 1:
    dist.barrier()
    if mode == "raise":
        raise ValueError("rank one gives up")
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "absent":
        time.sleep(2.5)  # never joins the collective; leaves after the others timed out
        sys.exit(0)
start = time.monotonic()
try:
    # rank 1's failure notice may already arrive during the barrier: the same error
    dist.barrier()
    dist.all_reduce(ember.ones(3))
except dist.DistBackendError as e:
    report(rank, "FAILED AFTER %.1f s: %s" % (time.monotonic() - start, e))
    sys.exit(5)
report(rank, "no error")
