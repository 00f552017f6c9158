"""The run stops when a package of the ``[test]`` extra is missing (tests/_requirements.py)."""
from tests._requirements import PYPROJECT, missing_test_requirements, declared_test_requirements

FAKE = '''[project.optional-dependencies]
onnx = ["onnx"]
test = ["torch==%s", "pytest>=7", "ember-no-such-package",
        "hypothesis[cli]>=6 ; python_version >= '3.8'"]
train = ["tqdm"]
'''


def test_every_test_requirement_is_installed_here():
    with open(PYPROJECT) as f:
        text = f.read()
    declared = declared_test_requirements(text)
    assert "torch==2.13.0" in declared and "matplotlib" in declared
    assert missing_test_requirements(text) == []


def test_missing_and_mispinned_packages_are_named():
    import torch

    here = torch.__version__.split("+")[0]
    assert declared_test_requirements(FAKE % here)[2] == "ember-no-such-package"
    assert missing_test_requirements(FAKE % here) == ["ember-no-such-package"]
    assert missing_test_requirements(FAKE % "1.0.0") == [
        "torch==1.0.0 (found %s)" % torch.__version__, "ember-no-such-package"]
