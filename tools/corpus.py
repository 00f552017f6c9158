"""Run public PyTorch programs on ember and on torch; count the torch names they use.

Not part of CI (it needs the repositories' snapshots and minutes of CPU). The repositories are
read from git snapshots (``$EMBER_CORPUS_MIRROR``, default ``/work/.mirror/<owner>+<name>/repo``,
as the session's ``fetch`` tool leaves them); nothing of theirs is copied into ember: each script
is written to a temporary folder, run there, and deleted.

    python tools/corpus.py names            # which torch names the corpus uses, which ember lacks
    python tools/corpus.py run [-k PATTERN] [--timeout S]   # tried / run / match table

``run`` executes every script of ``SCRIPTS`` twice in a fresh interpreter, with the same
arguments, in an empty folder, without network: once with the installed torch and once with
``python -m ember run``. A stub ``matplotlib`` (every call does nothing) is
put on the path of both, so plotting tutorials run headless. A script *runs* on a library when
it exits with status 0 within the timeout; it *matches* when ember's output equals torch's with
every number masked (same lines, same words: the programs draw random initial weights, and
ember's generator is not torch's, so the numbers themselves differ; whitespace is ignored, since
a number of another width moves the padding). Scripts that torch itself
cannot run here (they download data, need torchvision or a GPU) are reported but not counted.
"""
import argparse
import ast
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMBER = [ROOT]  # the checkout whose ember runs the programs (--ember)
MIRROR = os.environ.get("EMBER_CORPUS_MIRROR", "/work/.mirror")

REPOSITORIES = ["pytorch/examples", "yunjey/pytorch-tutorial", "MorvanZhou/PyTorch-Tutorial",
                "jcjohnson/pytorch-examples", "karpathy/makemore", "karpathy/minGPT"]

_WIKITEXT = "word_language_model/data/wikitext-2/"
# a few hundred lines per split: the model and its loops are what is tried, not the corpus
# (the snapshot lacks train.txt, over the fetch size limit: valid.txt stands in for it)
_WIKITEXT_FILES = [(_WIKITEXT + source, "data/" + split, lines) for source, split, lines in (
    ("valid.txt", "train.txt", 600), ("test.txt", "valid.txt", 120),
    ("test.txt", "test.txt", 120))]
_MINGPT = [("mingpt/" + f, "mingpt/" + f, None)
           for f in ("__init__.py", "bpe.py", "model.py", "trainer.py", "utils.py")]

# (repository, script, arguments, extra files the script reads from its folder[, scripts run
# before it in the same folder, with the same library]); an extra file is a path (copied
# beside the script) or (path, destination, first N lines or None)
SCRIPTS = [
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/201_torch_numpy.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/202_variable.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/203_activation.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/301_regression.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/302_classification.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/303_build_nn_quickly.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/304_save_reload.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/305_batch_train.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/306_optimizer.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/401_CNN.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/403_RNN_regressor.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/406_GAN.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/501_why_torch_dynamic_graph.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/502_GPU.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/503_dropout.py", [], []),
    ("MorvanZhou/PyTorch-Tutorial", "tutorial-contents/504_batch_normalization.py", [], []),
    ("yunjey/pytorch-tutorial", "tutorials/01-basics/linear_regression/main.py", [], []),
    ("yunjey/pytorch-tutorial", "tutorials/01-basics/pytorch_basics/main.py", [], []),
    ("yunjey/pytorch-tutorial", "tutorials/01-basics/feedforward_neural_network/main.py", [], []),
    ("pytorch/examples", "regression/main.py", [], []),
    ("pytorch/examples", "mnist/main.py", ["--epochs", "1", "--dry-run"], []),
    ("pytorch/examples", "mnist_rnn/main.py", ["--epochs", "1", "--dry-run"], []),
    ("pytorch/examples", "vae/main.py", ["--epochs", "1"], []),
    ("pytorch/examples", "word_language_model/main.py",
     ["--data", "data", "--epochs", "1", "--emsize", "32", "--nhid", "32", "--bptt", "20",
      "--log-interval", "10"], ["word_language_model/data.py", "word_language_model/model.py"]
     + _WIKITEXT_FILES),
    ("pytorch/examples", "word_language_model/main.py",
     ["--data", "data", "--epochs", "1", "--model", "Transformer", "--emsize", "32", "--nhid",
      "32", "--bptt", "20", "--lr", "5", "--log-interval", "10"],
     ["word_language_model/data.py", "word_language_model/model.py"] + _WIKITEXT_FILES),
    ("pytorch/examples", "word_language_model/main.py",
     ["--data", "data", "--epochs", "1", "--model", "GRU", "--emsize", "32", "--nhid", "32",
      "--nlayers", "1", "--tied", "--use-optimizer", "--lr", "0.01", "--log-interval", "10"],
     ["word_language_model/data.py", "word_language_model/model.py"] + _WIKITEXT_FILES),
    ("pytorch/examples", "time_sequence_prediction/train.py", ["--steps", "2"], [],
     ["time_sequence_prediction/generate_sine_wave.py"]),
    ("jcjohnson/pytorch-examples", "tensor/two_layer_net_tensor.py", [], []),
    ("jcjohnson/pytorch-examples", "autograd/two_layer_net_autograd.py", [], []),
    ("jcjohnson/pytorch-examples", "autograd/two_layer_net_custom_function.py", [], []),
    ("jcjohnson/pytorch-examples", "nn/two_layer_net_nn.py", [], []),
    ("jcjohnson/pytorch-examples", "nn/two_layer_net_optim.py", [], []),
    ("jcjohnson/pytorch-examples", "nn/two_layer_net_module.py", [], []),
    ("jcjohnson/pytorch-examples", "nn/dynamic_net.py", [], []),
    ("karpathy/makemore", "makemore.py",
     ["-i", "names.txt", "-o", "out", "--max-steps", "30", "--n-layer", "2", "--n-embd", "32",
      "--batch-size", "8", "--num-workers", "0"], [("names.txt", "names.txt", 2000)]),
    ("karpathy/makemore", "makemore.py",
     ["-i", "names.txt", "-o", "out", "--max-steps", "30", "--type", "bigram",
      "--batch-size", "8", "--num-workers", "0"], [("names.txt", "names.txt", 2000)]),
    ("karpathy/makemore", "makemore.py",
     ["-i", "names.txt", "-o", "out", "--max-steps", "30", "--type", "rnn", "--n-embd", "16",
      "--n-embd2", "16", "--batch-size", "8", "--num-workers", "0"],
     [("names.txt", "names.txt", 2000)]),
    ("karpathy/minGPT", "projects/adder/adder.py",
     ["--trainer.max_iters=30", "--trainer.num_workers=0", "--trainer.batch_size=16",
      "--model.model_type=gpt-nano"], _MINGPT),
    ("karpathy/minGPT", "projects/chargpt/chargpt.py",
     ["--trainer.max_iters=30", "--trainer.num_workers=0", "--trainer.batch_size=8",
      "--model.model_type=gpt-nano", "--data.block_size=32"],
     _MINGPT + [("README.md", "input.txt", None)]),
]

_STUB_MATPLOTLIB = '''
class _Anything:
    def __getattr__(self, name):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __iter__(self):
        return iter((_Anything(), _Anything()))


def __getattr__(name):
    return _Anything()
'''


def _git_dir(repo):
    return os.path.join(MIRROR, repo.replace("/", "+"), "repo")


def _show(repo, path):
    return subprocess.run(["git", "--git-dir", _git_dir(repo), "show", "HEAD:" + path],
                          capture_output=True, check=True).stdout


def _python_files(repo):
    out = subprocess.run(["git", "--git-dir", _git_dir(repo), "ls-tree", "-r", "--name-only",
                          "HEAD"], capture_output=True, text=True, check=True).stdout
    return [p for p in out.split() if p.endswith(".py")]


# --- names ----------------------------------------------------------------------------------

def torch_names_used(source):
    """The dotted torch names a program uses (``torch.nn.Linear``), import aliases resolved."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                root = a.name.split(".")[0]
                if root in ("torch", "torchvision"):
                    # ``import torch.nn as nn`` binds nn; ``import torch.nn`` binds torch
                    aliases[a.asname or root] = a.name if a.asname else root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] in ("torch", "torchvision"):
            for a in node.names:
                aliases[a.asname or a.name] = node.module + "." + a.name
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            parts = []
            inner = node
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in aliases:
                used.append(".".join([aliases[inner.id]] + parts[::-1]))
    used.extend(aliases.values())
    return used


def _provided(name):
    """Whether ember provides the torch name, resolved as ``ember run`` resolves it."""
    import importlib

    root, _, rest = name.partition(".")
    module_name = {"torch": "ember", "torchvision": "ember.vision"}[root]
    obj = importlib.import_module(module_name)
    for part in rest.split(".") if rest else []:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(obj.__name__ + "." + part)
            except (ImportError, AttributeError):
                return False
    return True


def names_report(top=40):
    counts = collections.Counter()
    files = 0
    for repo in REPOSITORIES:
        for path in _python_files(repo):
            names = set(torch_names_used(_show(repo, path).decode("utf-8", "replace")))
            files += 1
            counts.update(names)
    lacking = [(n, c) for n, c in counts.most_common() if not _provided(n)]
    print("%d files of %s use %d distinct torch names; ember lacks %d of them (%d uses)"
          % (files, ", ".join(REPOSITORIES), len(counts), len(lacking),
             sum(c for _, c in lacking)))
    print("\nmost used names ember lacks (files using each):")
    for name, count in lacking[:top]:
        print("  %4d  %s" % (count, name))


# --- runs -----------------------------------------------------------------------------------

def _run(command, folder, timeout):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(folder, "_stubs"),
                                                      EMBER[0]]),
               MPLBACKEND="Agg", OMP_NUM_THREADS="1", no_proxy="*", http_proxy="http://0.0.0.0:9",
               https_proxy="http://0.0.0.0:9")
    try:
        out = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["exit %d" % out.returncode])[-1]
        return last[:160], out.stdout
    return "ok", out.stdout


def _skeleton(text):
    text = re.sub(r"0x[0-9a-f]+", "ADDR", text)
    text = re.sub(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", "N", text)
    # numbers of other widths shift the padding around them (columns, NumPy's "[ 6.  8.]"):
    # whitespace is not compared
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]


def _write_extra(repo, folder, extra):
    source, dest, lines = (extra, os.path.basename(extra), None) if isinstance(extra, str) \
        else extra
    data = _show(repo, source)
    if lines is not None:
        data = b"".join(data.splitlines(keepends=True)[:lines])
    target = os.path.join(folder, dest)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(data)


def _run_in_fresh_folder(repo, path, args, extra, before, command, timeout):
    """Run ``command + [script, *args]`` (after the ``before`` scripts) in a new folder holding
    the script, its extra files and the stub matplotlib."""
    with tempfile.TemporaryDirectory() as folder:
        stubs = os.path.join(folder, "_stubs", "matplotlib")
        os.makedirs(stubs)
        for name in ("__init__.py", "pyplot.py"):
            with open(os.path.join(stubs, name), "w") as f:
                f.write(_STUB_MATPLOTLIB)
        for other in extra:
            _write_extra(repo, folder, other)
        for script_path in before + [path]:
            _write_extra(repo, folder, script_path)
        for script_path in before:
            status, _ = _run(command + [os.path.basename(script_path)], folder, timeout)
            if status != "ok":
                return "before: " + status, ""
        return _run(command + [os.path.join(folder, os.path.basename(path)), *args], folder,
                    timeout)


def run_corpus(pattern=None, timeout=300):
    rows = []
    for repo, path, args, extra, *before in SCRIPTS:
        before = before[0] if before else []
        if pattern and pattern not in path:
            continue
        torch_status, torch_out = _run_in_fresh_folder(repo, path, args, extra, before,
                                                        [sys.executable], timeout)
        ember_status, ember_out = _run_in_fresh_folder(repo, path, args, extra, before,
                                                        [sys.executable, "-m", "ember", "run"],
                                                        timeout)
        match = torch_status == ember_status == "ok" and _skeleton(torch_out) == _skeleton(
            ember_out)
        rows.append((repo + ":" + path + (" " + " ".join(args) if args else ""), torch_status,
                     ember_status, match))
        print("%-70s torch: %-8s ember: %-8s %s" % (
            rows[-1][0][-70:], torch_status[:8], ember_status[:8], "match" if match else ""),
            flush=True)
        if ember_status != "ok":
            print("    ember: " + ember_status)
        if torch_status != "ok":
            print("    torch: " + torch_status)
    runnable = [r for r in rows if r[1] == "ok"]
    print("\ntried %d programs; torch runs %d of them here (offline, no torchvision, no GPU); "
          "of those ember runs %d and matches torch's output %d"
          % (len(rows), len(runnable), sum(r[2] == "ok" for r in runnable),
             sum(r[3] for r in runnable)))
    ember_only = [r for r in rows if r[1] != "ok" and r[2] == "ok"]
    if ember_only:
        print("ember also runs %d that torch cannot run here: %s"
              % (len(ember_only), ", ".join(r[0].rsplit(":", 1)[1] for r in ember_only)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["names", "run"])
    parser.add_argument("-k", dest="pattern", help="only scripts whose path contains this")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per run")
    parser.add_argument("--ember", default=ROOT, help="checkout of ember to run (default: this)")
    args = parser.parse_args(argv)
    EMBER[0] = os.path.abspath(args.ember)
    sys.path.insert(0, EMBER[0])
    if args.command == "names":
        names_report()
    else:
        run_corpus(args.pattern, args.timeout)


if __name__ == "__main__":
    main()
