"""The coverage rule: every public function that ember shares with torch, in every namespace ember
mirrors (``ember``, ``ember.nn.functional``, ``ember.linalg``, ``ember.special``, ``ember.fft``),
is either a registered op (tested by ``tests/ops/test_ops.py`` from its record) or listed in
``NOT_DIFFERENTIABLE`` with a test file that exists and tests it; and every module class of
``ember.nn`` is constructed in a test that compares it with torch."""
import glob
import importlib
import os
import re
import types

import pytest
import torch

import ember
from ember.ops.registry import NOT_DIFFERENTIABLE, OPS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# prefix of the registry / NOT_DIFFERENTIABLE key -> the ember and torch namespaces
NAMESPACES = {"": "", "nn.functional.": "nn.functional", "linalg.": "linalg",
              "special.": "special", "fft.": "fft"}

# module classes that are abstract bases in torch (constructed only through their subclasses)
ABSTRACT_MODULES = {"Module": "the base class; tests/nn/test_module.py",
                    "RNNBase": "base of RNN/LSTM/GRU; tests/nn/test_rnn.py",
                    "RNNCellBase": "base of RNNCell/LSTMCell/GRUCell; tests/nn/test_rnn.py"}


def _namespace(root, path):
    obj = root
    for part in path.split(".") if path else ():
        obj = getattr(obj, part, None)
        if obj is None:
            try:
                obj = importlib.import_module("%s.%s" % (root.__name__, path))
            except ImportError:
                return None
            break
    return obj


def _public_functions():
    """(key, ember object) for every public callable ember shares with torch."""
    found = []
    for prefix, path in NAMESPACES.items():
        e_ns, t_ns = _namespace(ember, path), _namespace(torch, path)
        if e_ns is None:
            continue  # ember does not mirror this namespace yet
        for name in dir(e_ns):
            if name.startswith("_") or not hasattr(t_ns, name):
                continue
            obj = getattr(e_ns, name)
            if isinstance(obj, (type, types.ModuleType, ember.dtype)) or not callable(obj):
                continue
            found.append((prefix + name, obj))
    return found


def _covered(key, obj):
    if key in OPS or key in NOT_DIFFERENTIABLE:
        return True
    # a re-export of a registered op (F.relu is ember.relu, linalg.matmul is ember.matmul)
    return any(info.func is obj or getattr(info.func, "__wrapped__", None) is obj
               for info in OPS.values())


def test_there_are_public_functions_to_check():
    keys = [k for k, _ in _public_functions()]
    assert len(keys) > 50 and "add" in keys and "zeros" in keys
    assert "nn.functional.relu" in keys and "linalg.inv" in keys
    assert "Tensor" not in keys and "float32" not in keys and "nn" not in keys


def test_every_public_function_is_registered_or_listed():
    missing = [k for k, obj in _public_functions() if not _covered(k, obj)]
    assert not missing, (
        "public functions neither registered in ember.ops.registry.OPS nor listed in "
        "NOT_DIFFERENTIABLE (ember/ops/_not_differentiable.py): %s" % missing)


def test_registered_ops_are_not_also_listed():
    both = sorted(set(OPS) & set(NOT_DIFFERENTIABLE))
    assert not both, "listed as not differentiable but registered as ops: %s" % both


@pytest.mark.parametrize("key", sorted(NOT_DIFFERENTIABLE))
def test_listed_test_file_exists_and_tests_the_name(key):
    path = os.path.join(ROOT, NOT_DIFFERENTIABLE[key])
    assert os.path.isfile(path), "%s: %s does not exist" % (key, NOT_DIFFERENTIABLE[key])
    with open(path) as f:
        text = f.read()
    prefix, _, name = key.rpartition(".")
    # called directly (ember.zeros, lib.zeros, F.relu_) or named in a parametrize list ("zeros")
    pattern = r"\b(ember|lib|L|F|functional|linalg|special|fft)\.{0}\b|[\"']{0}[\"']".format(
        re.escape(name))
    assert re.search(pattern, text), "%s does not test %s" % (NOT_DIFFERENTIABLE[key], key)
    assert hasattr(_namespace(ember, prefix), name), \
        "%s is listed but ember has no such function" % key


def _module_classes():
    return sorted(n for n in dir(ember.nn) if isinstance(getattr(ember.nn, n), type)
                  and issubclass(getattr(ember.nn, n), ember.nn.Module))


def test_module_classes_mirror_torch():
    names = _module_classes()
    assert len(names) > 100 and "Linear" in names
    assert [n for n in names if not hasattr(torch.nn, n)] == []


def test_every_module_class_is_compared_with_torch():
    """Module tests build each class from a table (``nn.Name(...)`` evaluated with ``nn`` bound
    to torch.nn and to ember.nn, or ``("Name", args, kwargs, shape)`` rows) and compare the two."""
    text = "".join(open(f).read() for f in glob.glob(os.path.join(ROOT, "tests", "**", "*.py"),
                                                     recursive=True))
    missing = [n for n in _module_classes() if n not in ABSTRACT_MODULES
               and not re.search(r"\bnn\.{0}\(|[\"']{0}[\"']".format(n), text)]
    assert not missing, "module classes no test constructs and compares with torch: %s" % missing
