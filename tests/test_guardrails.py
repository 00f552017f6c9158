"""The house rules run with the tests (so CI runs them): ruff (pyflakes, pycodestyle at 100
columns, NumPy imported only where pyproject.toml lists it) and the line budget. The docstrings'
examples run as doctests through pytest's ``--doctest-modules`` (pyproject.toml)."""
import importlib.util
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _ruff(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=ROOT,
                          input=stdin, capture_output=True, text=True)


def _line_budget():
    spec = importlib.util.spec_from_file_location(
        "line_budget", os.path.join(ROOT, "tools", "line_budget.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ruff_passes():
    res = _ruff("ember", "tests", "tools", "bench", "examples")
    assert res.returncode == 0, res.stdout + res.stderr


def test_numpy_import_is_banned_outside_the_listed_modules():
    probe = "import numpy as np\n\nprint(np)\n"
    op_file = _ruff("--stdin-filename", "ember/ops/probe.py", "-", stdin=probe)
    assert op_file.returncode == 1 and "TID251" in op_file.stdout
    host_io = _ruff("--stdin-filename", "ember/vision/probe.py", "-", stdin=probe)
    assert host_io.returncode == 0, host_io.stdout


def test_no_file_over_the_line_budget_unless_listed():
    budget = _line_budget()
    sizes = budget.count()
    assert "_tensor.py" in sizes and "ops/nn/conv.py" in sizes
    assert budget.over_budget(sizes) == []


def test_line_budget_flags_a_long_unlisted_file(tmp_path):
    budget = _line_budget()
    (tmp_path / "long.py").write_text("x = 1\n" * (budget.BUDGET + 1))
    (tmp_path / "short.py").write_text("x = 1\n")
    assert budget.over_budget(budget.count(str(tmp_path))) == ["long.py"]


def _callers_outside_the_backend(pattern):
    """The ember modules other than ``_backend.py`` whose text matches ``pattern``."""
    import re

    callers = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "ember")):
        for name in files:
            path = os.path.join(dirpath, name)
            if name.endswith(".py") and name != "_backend.py":
                with open(path, encoding="utf-8") as f:
                    if re.search(pattern, f.read()):
                        callers.append(os.path.relpath(path, ROOT))
    return callers


def test_host_only_ufunc_at_is_called_through_the_backend():
    """``np.add.at`` and friends have no array-protocol dispatch: only ember/_backend.py calls
    them (as ``add_at`` / ``ufunc_at``), so another array library has one place to fill."""
    assert _callers_outside_the_backend(r"\.at\(") == []


def test_no_single_letter_module_aliases():
    """``from ember.ops import reduction as R`` hides where a name lives; ``F`` for
    ``nn.functional`` is the one alias torch code uses everywhere."""
    import ast

    aliases = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "ember")):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    aliases += ["%s: %s" % (os.path.relpath(path, ROOT), a.name)
                                for a in node.names
                                if a.asname and len(a.asname) == 1 and a.asname != "F"]
    assert aliases == []


# NumPy's array-creation functions ignore their inputs' array type; op code creates arrays through
# ``ember._backend.array_module(inputs)`` instead (``array_module(a).zeros(...)``), so that with
# another array library a new array is of its inputs' kind. The np.* creations left are counted
# per file below, and the count may only go down. They are host-side by design (the creation
# functions make arrays on the default device; Python scalars and index objects the user passed;
# ONNX constants; registry samples; the SciPy kernels of _special_math; NumPy's random generator),
# or made from sizes alone with no input array at hand (padding and LSTM gate index vectors,
# average-pool divisors, interpolation matrices and grids, the causal mask).
_CREATION = (r"\bnp\.(zeros|empty|ones|full|arange|array|asarray|eye|identity|linspace|tri|"
             r"indices|ascontiguousarray|frombuffer|fromiter)\(")
_CREATION_LEFT = {
    "ops/_special_math.py": 13, "ops/_util.py": 2, "ops/arithmetic.py": 2, "ops/creation.py": 22,
    "ops/cumulative.py": 1, "ops/indexing.py": 5, "ops/linalg.py": 1, "ops/manipulation.py": 1,
    "ops/scatter_gather.py": 3, "ops/statistics.py": 1,
    "ops/linalg_decompositions.py": 3, "ops/linalg_lu.py": 3,
    "ops/nn/attention.py": 5,
    "ops/nn/loss.py": 1, "ops/nn/loss_ctc.py": 1, "ops/nn/loss_margin.py": 1,
    "ops/nn/normalization.py": 2, "ops/nn/padding.py": 4, "ops/nn/pooling.py": 2,
    "ops/nn/rnn.py": 1, "ops/nn/upsampling.py": 10,
}


def test_op_code_creates_arrays_through_the_inputs_array_module():
    import re

    grown = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "ember", "ops")):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, os.path.join(ROOT, "ember")).replace(os.sep, "/")
                with open(path, encoding="utf-8") as f:
                    n = len(re.findall(_CREATION, f.read()))
                if n > _CREATION_LEFT.get(rel, 0):
                    grown.append("ember/%s: %d np.* array creations (allowed %d): use "
                                 "array_module(inputs)" % (rel, n, _CREATION_LEFT.get(rel, 0)))
    assert grown == []


def test_stride_tricks_go_through_the_backend():
    """``as_strided`` is host-only (no protocol dispatch): only ember/_backend.py calls it."""
    assert _callers_outside_the_backend("stride_tricks") == []
