"""``import ember`` is light: it imports no torch, scipy or PIL, loads nn/optim/utils/vision only
on first use, takes well under a few seconds, and every public subpackage is reachable from it."""
import json
import subprocess
import sys

import pytest

_PROBE = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import ember
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
modules = sorted(sys.modules)
reached = {}
for name in ("nn", "optim", "utils.data", "autograd", "linalg"):
    try:
        obj = ember
        for part in name.split("."):
            obj = getattr(obj, part)
        reached[name] = obj.__name__
    except Exception as e:
        reached[name] = repr(e)
print(json.dumps({"wall": wall, "cpu": cpu, "modules": modules, "reached": reached}))
"""


def _probe():
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def probes():
    return [_probe() for _ in range(2)]


@pytest.mark.parametrize("name", ["torch", "scipy", "PIL", "ember.nn", "ember.optim",
                                  "ember.utils", "ember.vision", "matplotlib", "pandas"])
def test_import_ember_does_not_load(probes, name):
    loaded = [m for m in probes[0]["modules"] if m == name or m.startswith(name + ".")]
    assert not loaded, "import ember loaded %s" % loaded


def test_import_ember_takes_under_a_second(probes):
    # A generous sanity bound (CPU time, best of two; about 0.2 s here): it catches an eager
    # import of torch or of every subpackage, not a slow machine.
    best = min(p["cpu"] for p in probes)
    assert best < 5.0, "import ember took %.2f s of CPU" % best


@pytest.mark.parametrize("name", ["nn", "optim", "utils.data", "autograd", "linalg"])
def test_subpackages_reachable_after_plain_import(probes, name):
    assert probes[0]["reached"][name] == "ember." + name


def test_unknown_attribute_raises_attribute_error():
    import ember

    with pytest.raises(AttributeError, match="no attribute 'definitely_not_there'"):
        ember.definitely_not_there  # noqa: B018
