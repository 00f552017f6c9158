"""vmap over every registry op with samples: the batched call equals torch's op run once per
sample, and an op runs once per sample inside vmap only where the fallback is recorded
(``_rules.FALLBACK`` for nodes, ``_functions.LOOP_REASONS`` for public functions,
``_array_rules.LOOP_REASONS`` for NumPy functions).

Two samples per op, each with every tensor batched and with only the first batched.
"""
import itertools

import pytest

import ember
from ember.func import _array_rules, _functions, _rules
from ember.ops.registry import OPS
from tests.func.vmap_registry import _specs, batched_arrays, loop_torch, run
from tests.ops.harness import assert_close, check_same_error, flatten_outputs, torch_fn

NAMES = sorted(n for n, info in OPS.items() if not info.nondeterministic)


def _outcome(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - compared with torch's outcome
        return None, e


@pytest.mark.parametrize("name", NAMES)
def test_vmap_matches_per_sample_loop(name):
    info = OPS[name]
    dtype = info.dtypes[0]
    for sample in itertools.islice(info.samples(dtype), 2):
        n = len(_specs(sample))
        if not n:
            continue
        for batched in ([True] * n, [True] + [False] * (n - 1)):
            what = "%s %r batched=%s" % (name, sample, batched)
            arrays = batched_arrays(sample, dtype, batched)
            for counter in (_rules.LOOPED, _functions.LOOPED, _array_rules.LOOPED):
                counter.clear()
            expected, t_err = _outcome(lambda: loop_torch(torch_fn(info), sample, arrays,
                                                          batched))
            got, e_err = _outcome(lambda: run(ember, info.func, sample, arrays, batched))
            if check_same_error(what, e_err, t_err):
                continue
            e_out, t_out = flatten_outputs(got), flatten_outputs(expected)
            assert len(e_out) == len(t_out), what
            for e, t in zip(e_out, t_out):
                assert_close(e, t, max(info.atol, 1e-5) * 10, max(info.rtol, 1e-5) * 10, what)
            loops = (set(_rules.LOOPED) - set(_rules.FALLBACK)) \
                | (set(_functions.LOOPED) - set(_functions.LOOP_REASONS)) \
                | (set(_array_rules.LOOPED) - set(_array_rules.LOOP_REASONS))
            assert not loops, "%s: ran once per sample without a recorded fallback: %s" % (
                what, sorted(loops))


def test_every_recorded_fallback_has_a_reason():
    for table in (_rules.FALLBACK, _functions.LOOP_REASONS, _array_rules.LOOP_REASONS):
        assert all(isinstance(r, str) and r for r in table.values())
    assert set(_functions.LOOP_REASONS) <= set(OPS)
