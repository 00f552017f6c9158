"""ember.distributed's collectives and failure handling, run under mpiexec.

Each launch runs many checks (tests/distributed/workers/*.py); the expected values come from
NumPy on the known per-rank data.
"""
import os
import re

import pytest

from tests.distributed._launch import check_ok, mpirun


@pytest.mark.parametrize("nproc", [2, 3])
def test_every_collective_dtype_and_reduce_op(nproc):
    check_ok(mpirun(nproc, "collectives", timeout=90), nproc)


def _pids(folder):
    return [int(p.read_text()) for p in folder.iterdir()]


def _assert_gone(pids):
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        with open("/proc/%d/stat" % pid) as f:  # a zombie awaiting its parent is gone too
            assert f.read().split()[2] == "Z", "rank process %d outlived the job" % pid


def test_a_rank_that_raises_stops_the_others_with_its_error(tmp_path):
    result = mpirun(3, "faults", "raise", tmp_path, timeout=60)
    assert result.returncode != 0
    for rank in (0, 2):
        line = re.search(r"^RANK %d FAILED AFTER ([\d.]+) s: (.*)$" % rank, result.stdout, re.M)
        assert line, result.stdout + result.stderr
        assert "rank 1 failed (ValueError: rank one gives up)" in line.group(2)
    assert "ValueError: rank one gives up" in result.stderr
    _assert_gone(_pids(tmp_path))


def test_a_rank_that_never_joins_times_out_the_others(tmp_path):
    result = mpirun(2, "faults", "absent", tmp_path, timeout=60)
    assert result.returncode != 0
    line = re.search(r"^RANK 0 FAILED AFTER ([\d.]+) s: (.*)$", result.stdout, re.M)
    assert line, result.stdout + result.stderr
    assert 2.0 <= float(line.group(1)) < 30
    assert "all_reduce on rank 0 timed out" in line.group(2)
    _assert_gone(_pids(tmp_path))


def test_a_killed_rank_ends_the_job(tmp_path):
    result = mpirun(3, "faults", "kill", tmp_path, timeout=60)
    assert result.returncode != 0
    assert "signal 9" in result.stdout + result.stderr
    pids = _pids(tmp_path)
    assert len(pids) == 3
    _assert_gone(pids)
