"""ember.distributed's collectives and failure handling, run under mpiexec.

Each launch runs many checks (tests/distributed/workers/*.py); the expected values come from
NumPy on the known per-rank data.
"""
import re

import pytest

from tests.distributed._launch import assert_gone, check_ok, mpirun, reports


@pytest.mark.parametrize("nproc", [2, 3])
def test_every_collective_dtype_and_reduce_op(nproc, tmp_path):
    check_ok(mpirun(nproc, "collectives", tmp_path), tmp_path, nproc)


def _pids(found):
    return [int(lines[0].split()[1]) for lines in found.values() if lines]


def _failure(found, rank, result):
    """(seconds, message) of rank's ``FAILED AFTER <s> s: <message>`` report."""
    lines = found[rank]
    assert len(lines) == 2, (found, result.stdout + result.stderr)
    match = re.fullmatch(r"FAILED AFTER ([\d.]+) s: (.*)", lines[1])
    assert match, (found, result.stdout + result.stderr)
    return float(match.group(1)), match.group(2)


def test_a_rank_that_raises_stops_the_others_with_its_error(tmp_path):
    result = mpirun(3, "faults", tmp_path, "raise")
    assert result.returncode != 0
    found = reports(tmp_path, 3)
    for rank in (0, 2):
        assert "rank 1 failed (ValueError: rank one gives up)" in _failure(found, rank, result)[1]
    assert "ValueError: rank one gives up" in result.stderr
    assert_gone(_pids(found))


def test_a_rank_that_never_joins_times_out_the_others(tmp_path):
    result = mpirun(2, "faults", tmp_path, "absent")
    assert result.returncode != 0
    found = reports(tmp_path, 2)
    seconds, message = _failure(found, 0, result)
    assert seconds >= 2.0  # the group's timeout, not earlier
    assert "all_reduce on rank 0 timed out" in message
    assert_gone(_pids(found))


def test_a_killed_rank_ends_the_job(tmp_path):
    result = mpirun(3, "faults", tmp_path, "kill")
    assert result.returncode != 0
    assert "signal 9" in result.stdout + result.stderr
    pids = _pids(reports(tmp_path, 3))
    assert len(pids) == 3
    assert_gone(pids)
