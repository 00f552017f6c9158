"""Joins the group, reports its pid, then sleeps until Ctrl-C (the launcher test stops it)."""
import os
import time

import ember.distributed as dist
from _report import report

dist.init_process_group()
rank = dist.get_rank()
dist.barrier()
report(rank, "PID %d" % os.getpid())
time.sleep(600)
report(rank, "slept to the end")
