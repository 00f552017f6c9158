"""utils.benchmark.Timer: measurements print as torch's."""
import re

import torch.utils.benchmark

import ember
from ember.utils import benchmark


def _shape(measurement):
    """The printout with numbers and addresses blanked."""
    return re.sub(r"0x[0-9a-f]+|\d+(\.\d+)?", "N", repr(measurement)).splitlines()


def test_timeit_prints_as_torch():
    globals_ = {"x": ember.ones(3), "y": ember.ones(3)}
    m = benchmark.Timer(stmt="x + y", globals=globals_, label="add").timeit(100)
    t = torch.utils.benchmark.Timer(stmt="x + y", globals={"x": torch.ones(3),
                                                            "y": torch.ones(3)},
                                    label="add").timeit(100)
    assert _shape(m)[:2] == _shape(t)[:2] and _shape(m)[3:] == _shape(t)[3:]
    assert m.number_per_run == 100 and len(m.times) == 1 and m.median > 0


def test_blocked_autorange_and_units():
    # torch's algorithm: blocks of runs until min_run_time is spent (one block may do)
    m = benchmark.Timer(stmt="pass").blocked_autorange(min_run_time=0.01)
    assert len(m.times) >= 1 and sum(m.raw_times) >= 0.01 and "measurement" in repr(m)
    m = benchmark.Timer(stmt="torch.ones(2)").adaptive_autorange(min_run_time=0.01,
                                                                 max_run_time=0.05)
    assert len(m.times) >= 1 and m.number_per_run >= 1
    for t in (3e-9, 3e-6, 3e-3, 3.0):
        assert benchmark.select_unit(t) == torch.utils.benchmark.select_unit(t)
