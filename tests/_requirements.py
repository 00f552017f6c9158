"""What the ``[test]`` extra of pyproject.toml declares, checked against the running environment.

tests/conftest.py stops the run (``pytest.UsageError``) when a declared package is absent, so that
a test environment missing one fails loudly instead of skipping what needs it.
"""
import importlib.metadata
import os
import re

PYPROJECT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "pyproject.toml")


def declared_test_requirements(pyproject_text):
    """The requirement strings of the ``test`` extra in ``pyproject_text``."""
    block = re.search(r"^test = \[(.*?)\]", pyproject_text, re.M | re.S)
    if block is None:
        raise ValueError("pyproject.toml declares no [test] extra")
    return re.findall(r'"([^"]+)"', block.group(1))


def missing_test_requirements(pyproject_text):
    """Each requirement of the ``[test]`` extra that is not installed, or that is pinned
    (``==``) to another version than the installed one."""
    missing = []
    for requirement in declared_test_requirements(pyproject_text):
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(requirement)
            continue
        pinned = requirement.partition("==")[2].strip()
        if pinned and have.split("+")[0] != pinned:
            missing.append("%s (found %s)" % (requirement, have))
    return missing
