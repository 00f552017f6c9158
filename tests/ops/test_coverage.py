"""The coverage rule: every public function of ``ember`` that torch also has is either a
registered op (tested by ``tests/ops/test_ops.py`` from its record) or listed in
``NOT_DIFFERENTIABLE`` with a test file that exists and tests it."""
import os
import re
import types

import pytest
import torch

import ember
from ember.ops.registry import NOT_DIFFERENTIABLE, OPS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _public_functions():
    names = []
    for name in dir(ember):
        if name.startswith("_") or not hasattr(torch, name):
            continue
        obj = getattr(ember, name)
        if isinstance(obj, (type, types.ModuleType, ember.dtype)) or not callable(obj):
            continue
        names.append(name)
    return names


def test_there_are_public_functions_to_check():
    names = _public_functions()
    assert len(names) > 50 and "add" in names and "zeros" in names
    assert "Tensor" not in names and "float32" not in names and "nn" not in names


def test_every_public_function_is_registered_or_listed():
    missing = [n for n in _public_functions() if n not in OPS and n not in NOT_DIFFERENTIABLE]
    assert not missing, (
        "public functions neither registered in ember.ops.registry.OPS nor listed in "
        "NOT_DIFFERENTIABLE (ember/ops/_not_differentiable.py): %s" % missing)


def test_registered_ops_are_not_also_listed():
    both = sorted(set(OPS) & set(NOT_DIFFERENTIABLE))
    assert not both, "listed as not differentiable but registered as ops: %s" % both


@pytest.mark.parametrize("name", sorted(NOT_DIFFERENTIABLE))
def test_listed_test_file_exists_and_tests_the_name(name):
    path = os.path.join(ROOT, NOT_DIFFERENTIABLE[name])
    assert os.path.isfile(path), "%s: %s does not exist" % (name, NOT_DIFFERENTIABLE[name])
    with open(path) as f:
        text = f.read()
    # called directly (ember.zeros, lib.zeros) or named in a parametrize list ("zeros")
    pattern = r"\b(ember|lib|L)\.{0}\b|[\"']{0}[\"']".format(re.escape(name))
    assert re.search(pattern, text), "%s does not test %s" % (NOT_DIFFERENTIABLE[name], name)
    assert hasattr(ember, name), "%s is listed but ember has no such function" % name
