"""A prelude for ``python -c`` that makes every package but the standard library, NumPy, ember
and the names in ``sys.argv[1]`` (comma-separated) impossible to import: the subprocess sees a
machine where only those are installed, whatever this one has."""

PRELUDE = """
import importlib.abc, sys

ALLOWED = (set(sys.stdlib_module_names) | {"numpy", "ember"} | set(sys.argv[1].split(","))
           | {m.split(".")[0] for m in sys.modules})  # what the interpreter loaded at start-up

class _BlockOthers(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in ALLOWED:
            raise ModuleNotFoundError("No module named %r (blocked)" % name, name=name)
        return None

if sys.argv[1] != "*":
    sys.meta_path.insert(0, _BlockOthers())
"""
