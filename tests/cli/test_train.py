"""``ember train`` end to end on a tiny generated MNIST: outputs, reproducibility, exact resume,
Ctrl-C, the sample fallback and bad input."""
import csv
import gzip
import hashlib
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.cli import evaluate
from ember.cli import train as train_cli
from tests.cli._helpers import (TEST, TRAIN, assert_one_line_error, cli, draw_digits,
                                idx_header, write_idx, write_mnist)
from tests._blocked_imports import PRELUDE
from tests.vision._idx import LoopbackServer

FAST = ("--model", "mlp", "--batch-size", "32", "--no-progress")


def read_metrics(out):
    with open(os.path.join(out, "metrics.csv"), newline="") as f:
        return list(csv.DictReader(f))


def weights(path):
    checkpoint = ember.load(path)
    return {k: v.numpy() for k, v in checkpoint["model"].items()}


def same_metrics(a, b):
    """Rows equal in everything but wall time."""
    strip = lambda rows: [{k: v for k, v in r.items() if k != "time_s"} for r in rows]  # noqa
    return strip(a) == strip(b)


# --- a full run --------------------------------------------------------------------------------

def test_run_writes_every_output(trained_run):
    from PIL import Image

    out, stdout = trained_run
    assert sorted(f for f in os.listdir(out) if not f.startswith(".")) == [
        "checkpoint.pt", "curves.png", "metrics.csv", "model.safetensors", "predictions.png"]
    for name in ("curves.png", "predictions.png"):
        with Image.open(os.path.join(out, name)) as image:
            assert image.format == "PNG"
            image.load()
            assert image.width > 300 and image.height > 150
            assert len(image.getcolors(1 << 16) or range(2)) > 2  # not a blank canvas


def test_run_prints_header_and_one_summary_per_epoch(trained_run):
    _, stdout = trained_run
    lines = stdout.splitlines()
    assert lines[0].startswith("training net (804,554 parameters) on MNIST in ")
    assert "%d train / %d test digits" % (TRAIN, TEST) in lines[0]
    assert "SGD lr 0.05 momentum 0.9, batch 20, 2 epochs, seed 0" in lines[0]
    summaries = [line for line in lines if line.startswith("epoch ")]
    assert [s.split()[1] for s in summaries] == ["1/2", "2/2"]
    for s in summaries:
        for field in ("train loss", "train acc", "test loss", "test acc", " lr "):
            assert field in s
    assert "lr 0.05 " in summaries[0] and "lr 0.025 " in summaries[1]  # cosine over 2 epochs
    assert lines[-1].startswith("done: test accuracy")


def test_metrics_csv_has_one_row_per_epoch_and_the_model_learns(trained_run):
    out, stdout = trained_run
    rows = read_metrics(out)
    assert list(rows[0]) == ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr",
                             "time_s"]
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert float(rows[1]["train_loss"]) < float(rows[0]["train_loss"])
    assert float(rows[1]["test_acc"]) >= 0.3  # chance is 0.1
    assert "test acc %6.2f%%" % (100 * float(rows[1]["test_acc"])) in stdout


def test_checkpoint_holds_model_optimizer_epoch_and_rng(trained_run):
    out, _ = trained_run
    checkpoint = ember.load(os.path.join(out, "checkpoint.pt"))  # weights_only: plain data
    assert checkpoint["epoch"] == 2 and checkpoint["partial"]["batch"] == 0
    assert checkpoint["config"]["model"] == "net" and checkpoint["config"]["lr"] == 0.05
    assert set(checkpoint["model"]) == {"conv.conv1.weight", "conv.conv1.bias",
                                        "dense.dense1.weight", "dense.dense1.bias",
                                        "dense.dense2.weight", "dense.dense2.bias"}
    assert len(checkpoint["optimizer"]["state"]) == 6  # a momentum buffer per parameter
    assert checkpoint["scheduler"]["T_max"] == 2 and checkpoint["scheduler"]["last_epoch"] == 2
    assert checkpoint["rng_state"].dtype == ember.uint8
    assert [row["epoch"] for row in checkpoint["history"]] == [1, 2]


def test_model_safetensors_loads_and_equals_the_final_weights(trained_run):
    from safetensors.numpy import load_file

    out, _ = trained_run
    tensors = load_file(os.path.join(out, "model.safetensors"))
    final = weights(os.path.join(out, "checkpoint.pt"))
    assert set(tensors) == set(final)
    for key in final:
        np.testing.assert_array_equal(tensors[key], final[key])


def test_checkpoint_loads_in_torch(trained_run):
    import torch

    out, _ = trained_run
    checkpoint = torch.load(os.path.join(out, "checkpoint.pt"), weights_only=True)
    assert checkpoint["model"]["dense.dense2.weight"].shape == (10, 128)


# --- reproducibility and resuming --------------------------------------------------------------

def test_same_seed_gives_identical_metrics_and_weights(mnist_root, tmp_path, capsys):
    runs = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        status, _, _ = cli(capsys, "train", "--data", mnist_root, "--out", tmp_path / name,
                           "--epochs", 1, "--seed", seed, *FAST)
        assert status == 0
        runs.append((read_metrics(tmp_path / name), weights(tmp_path / name / "checkpoint.pt")))
    (metrics_a, weights_a), (metrics_b, weights_b), (metrics_c, weights_c) = runs
    assert same_metrics(metrics_a, metrics_b)
    assert all(np.array_equal(weights_a[k], weights_b[k]) for k in weights_a)
    assert not np.array_equal(weights_a["dense.dense1.weight"], weights_c["dense.dense1.weight"])


def test_worker_processes_give_the_same_run(mnist_root, tmp_path, capsys):
    for name, workers in (("main", 0), ("workers", 2)):
        status, _, err = cli(capsys, "train", "--data", mnist_root, "--out", tmp_path / name,
                             "--epochs", 1, "--workers", workers, *FAST)
        assert status == 0, err
    a, b = weights(tmp_path / "main" / "checkpoint.pt"), weights(tmp_path / "workers" /
                                                                   "checkpoint.pt")
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("options", [("--scheduler", "none"),
                                     ("--optimizer", "adam", "--scheduler", "step")],
                         ids=["sgd-momentum", "adam-steplr"])
def test_resume_continues_to_exactly_the_uninterrupted_result(mnist_root, tmp_path, capsys,
                                                              options):
    straight, split = tmp_path / "straight", tmp_path / "split"
    common = ("--data", mnist_root, *FAST, *options)
    assert cli(capsys, "train", "--out", straight, "--epochs", 2, *common)[0] == 0
    assert cli(capsys, "train", "--out", split, "--epochs", 1, *common)[0] == 0
    status, stdout, _ = cli(capsys, "train", "--out", split, "--epochs", 2, "--resume",
                            *common)
    assert status == 0
    assert stdout.splitlines()[0].startswith("resuming mlp")
    assert "continuing after epoch 1 from %s" % (split / "checkpoint.pt") in stdout
    a, b = weights(straight / "checkpoint.pt"), weights(split / "checkpoint.pt")
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert same_metrics(read_metrics(straight), read_metrics(split))
    assert len(read_metrics(split)) == 2
    sa, sb = (ember.load(p / "checkpoint.pt")["optimizer"]["state"] for p in (straight, split))
    for i in sa:
        for key, value in sa[i].items():
            assert np.array_equal(np.asarray(value), np.asarray(sb[i][key])), key


@pytest.mark.parametrize("where", ["training", "testing"])
def test_ctrl_c_saves_a_checkpoint_and_resume_matches(mnist_root, tmp_path, capsys, monkeypatch,
                                                      recwarn, where):
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    common = ("--data", mnist_root, "--epochs", 2, *FAST)
    assert cli(capsys, "train", "--out", straight, *common)[0] == 0

    if where == "training":  # second epoch (7 batches of 32 per epoch), third batch
        real, calls, target = ember.optim.SGD.step, [], (ember.optim.SGD, "step")
        interrupt_on, epoch, batch = 10, 2, 3
    else:  # while testing after the first epoch, before the schedule's first step
        real, calls, target = evaluate.evaluate_model, [], (evaluate, "evaluate_model")
        interrupt_on, epoch, batch = 1, 1, 7

    def interrupting(*args, **kwargs):
        calls.append(1)
        if len(calls) == interrupt_on:
            signal.raise_signal(signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(*target, interrupting)
    status, stdout, err = cli(capsys, "train", "--out", stopped, *common)
    assert status == 130
    assert ("interrupted %s: checkpoint saved to %s; continue with `ember train --out %s "
            "--resume --data %s`" % ("in epoch %d (%d of 7 batches done)" % (epoch, batch),
                                     stopped / "checkpoint.pt", stopped, mnist_root)) in stdout
    assert "Traceback" not in err
    checkpoint = ember.load(stopped / "checkpoint.pt")
    assert checkpoint["epoch"] == epoch - 1 and checkpoint["partial"]["batch"] == batch
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.setattr(*target, real)

    recwarn.clear()
    status, stdout, _ = cli(capsys, "train", "--out", stopped, "--resume", *common)
    assert status == 0
    assert "continuing in epoch %d after batch %d" % (epoch, batch) in stdout
    assert [str(w.message) for w in recwarn] == []
    a, b = weights(straight / "checkpoint.pt"), weights(stopped / "checkpoint.pt")
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert same_metrics(read_metrics(straight), read_metrics(stopped))


def test_keyboard_interrupt_outside_the_batch_loop_exits_cleanly(mnist_root, tmp_path, capsys,
                                                                monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("ember.cli.evaluate.evaluate_model", interrupt)
    status, stdout, err = cli(capsys, "train", "--data", mnist_root, "--out", tmp_path,
                              "--epochs", 1, *FAST)
    assert status == 130 and "Traceback" not in err
    assert stdout.splitlines()[-1] == "interrupted before the first checkpoint was saved"


def test_ctrl_c_while_loading_data_exits_cleanly(tmp_path, capsys, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_cli, "open_mnist", interrupt)
    status, _, err = cli(capsys, "train", "--out", tmp_path, *FAST)
    assert status == 130 and err == "ember train: interrupted\n"


# --- data sources ------------------------------------------------------------------------------

_MAIN_JOB = PRELUDE + """
from ember.cli import main
out = sys.argv[2]
status = main(["train", "--sample", "--epochs", "1", "--model", "mlp", "--no-progress",
               "--out", out]) or main(["eval", out + "/checkpoint.pt"])
assert not {"torch", "scipy", "matplotlib"} & set(sys.modules), sorted(sys.modules)
sys.exit(status)
"""


def test_the_main_job_needs_nothing_beyond_the_train_extra(tmp_path):
    # `pip install -e '.[train]' && ember train`: NumPy, Pillow, tqdm, safetensors and nothing
    # else (the subprocess cannot import anything more, whatever this machine has).
    out = subprocess.run([sys.executable, "-c", _MAIN_JOB, "PIL,tqdm,safetensors",
                          str(tmp_path / "run")], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "on the sample's MNIST test set: accuracy" in out.stdout
    assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint.pt", "curves.png", "metrics.csv",
                                                    "model.safetensors", "predictions.png"]


def test_missing_mnist_falls_back_to_the_shipped_sample_and_says_so(tmp_path):
    said = []
    train_set, test_set, source = train_cli.open_mnist(str(tmp_path), download=False,
                                                       announce=said.append)
    assert source == "sample" and (len(train_set), len(test_set)) == (4000, 1000)
    assert said == ["full MNIST not found in %s (download disabled); training on the "
                    "5,000-digit sample shipped with ember" % tmp_path]
    image, label = train_set[0]
    assert image.shape == (1, 28, 28) and isinstance(label, int)
    assert image.min().item() >= -1 and image.max().item() <= 1  # Normalize([0.5], [0.5])


def test_failed_download_is_reported_in_the_fallback_line(tmp_path, monkeypatch):
    from ember.vision.datasets import mnist

    def offline(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz; tried:\n"
                           "  https://example.invalid/x: <urlopen error offline>\n(are you...)")

    monkeypatch.setattr(mnist, "download_url", offline)
    said = []
    train_cli.open_mnist(str(tmp_path), download=True, announce=said.append)
    assert len(said) == 1
    assert said[0].startswith("full MNIST not found in %s (and download failed: " % tmp_path)
    assert "<urlopen error offline>" in said[0]
    assert said[0].endswith("); training on the 5,000-digit sample shipped with ember")


@pytest.fixture
def failing_mirror(monkeypatch):
    """MNIST's downloads go to a loopback server that has only the train images (a real,
    checksummed file): the other three files fail with 404, so every download fails part-way."""
    from ember.vision.datasets import MNIST

    images, _ = draw_digits(10, 0)
    body = gzip.compress(idx_header(images) + images.tobytes(), mtime=0)
    server = LoopbackServer({"train-images-idx3-ubyte.gz": body})
    resources = [(name, hashlib.md5(body).hexdigest() if name.startswith("train-images") else md5)
                 for name, md5 in MNIST.resources]
    monkeypatch.setattr(MNIST, "mirrors", [server.url])
    monkeypatch.setattr(MNIST, "resources", resources)
    yield server
    server.close()


def test_failed_download_removes_only_the_folders_it_created(tmp_path, capsys, failing_mirror):
    data = tmp_path / "new" / "data"
    status, stdout, err = cli(capsys, "train", "--data", data, "--out", tmp_path / "out",
                              "--epochs", 1, *FAST)
    assert status == 0, err
    assert "(and download failed: " in stdout and "404" in stdout
    assert failing_mirror.hits[0] == "/train-images-idx3-ubyte.gz"  # fetched, then removed
    assert not (tmp_path / "new").exists()
    assert sorted(os.listdir(tmp_path)) == ["out"]


@pytest.mark.parametrize("had", ["data", "data/MNIST", "data/MNIST/raw"])
def test_failed_download_keeps_the_users_folders_and_files(tmp_path, failing_mirror, had):
    data = tmp_path / "data"
    os.makedirs(tmp_path / had)
    (tmp_path / had / "notes.txt").write_text("mine")
    said = []
    train_cli.open_mnist(str(data), download=True, announce=said.append)
    assert "(and download failed: " in said[0]
    kept = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")}
    expected = {"data", "data/MNIST", "data/MNIST/raw"}
    expected = {p for p in expected if had.startswith(p)} | {had + "/notes.txt"}
    if had == "data/MNIST/raw":  # the user's folder: what was fetched into it stays
        expected.add("data/MNIST/raw/train-images-idx3-ubyte.gz")
        expected.add("data/MNIST/raw/train-images-idx3-ubyte")
    assert kept == expected


def test_full_mnist_in_data_is_used(mnist_root):
    said = []
    train_set, test_set, source = train_cli.open_mnist(mnist_root, announce=said.append)
    assert source == "full" and said == [] and (len(train_set), len(test_set)) == (TRAIN, TEST)


def test_resume_with_a_different_setting_is_refused(mnist_root, tmp_path, capsys):
    assert cli(capsys, "train", "--data", mnist_root, "--out", tmp_path, "--epochs", 1,
               *FAST)[0] == 0
    status, _, err = cli(capsys, "train", "--data", mnist_root, "--out", tmp_path, "--epochs", 2,
                         "--resume", "--lr", "0.5", *FAST)
    assert_one_line_error(status, err, "--lr 0.5 differs from the checkpoint's 0.05")
    status, _, err = cli(capsys, "train", "--data", mnist_root, "--out", tmp_path, "--epochs", 1,
                         "--resume", *FAST)
    assert_one_line_error(status, err, "already holds 1 epochs")


def test_a_cosine_schedule_cannot_be_lengthened(mnist_root, tmp_path, capsys):
    assert cli(capsys, "train", "--data", mnist_root, "--out", tmp_path, "--epochs", 1,
               *FAST)[0] == 0
    status, _, err = cli(capsys, "train", "--data", mnist_root, "--out", tmp_path, "--epochs", 2,
                         "--resume", *FAST)
    assert_one_line_error(status, err, "cosine schedule")


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("option, value, message", [
    ("--lr", "-0.1", "invalid learning rate: -0.1"),
    ("--lr", "abc", "invalid learning rate: 'abc'"),
    ("--epochs", "0", "invalid epoch count: 0"),
    ("--batch-size", "-4", "invalid batch size: -4"),
    ("--momentum", "-1", "invalid momentum: -1"),
    ("--model", "resnet", "invalid choice: 'resnet'"),
])
def test_bad_options_give_one_line_errors(tmp_path, capsys, option, value, message):
    status, _, err = cli(capsys, "train", "--out", tmp_path, option, value)
    assert_one_line_error(status, err, "ember train: error:", message)
    assert not os.listdir(tmp_path)


def test_resume_without_a_checkpoint_is_an_error(tmp_path, capsys):
    status, _, err = cli(capsys, "train", "--out", tmp_path, "--resume")
    assert_one_line_error(status, err, "no such checkpoint: %s" % (tmp_path / "checkpoint.pt"))


def test_resume_from_a_foreign_file_is_an_error(tmp_path, capsys):
    ember.save({"weights": ember.zeros(3)}, tmp_path / "other.pt")
    status, _, err = cli(capsys, "train", "--out", tmp_path, "--resume", tmp_path / "other.pt")
    assert_one_line_error(status, err, "is not a checkpoint written by ember train")


def test_incomplete_mnist_is_an_error(tmp_path, capsys, monkeypatch):
    from ember.vision.datasets import mnist

    root = write_mnist(tmp_path, train=20, test=10)
    os.remove(os.path.join(root, "MNIST", "raw", "t10k-labels-idx1-ubyte"))
    status, _, err = cli(capsys, "train", "--data", root, "--out", tmp_path / "out",
                         "--no-download", *FAST)
    assert_one_line_error(status, err, "incomplete MNIST in", "missing t10k-labels-idx1-ubyte")
    assert "download" not in err

    fetched = []

    def offline(url, *args, **kwargs):
        fetched.append(os.path.basename(url))
        raise RuntimeError("Error downloading x; tried:\n  %s: <urlopen error offline>" % url)

    monkeypatch.setattr(mnist, "download_url", offline)
    status, _, err = cli(capsys, "train", "--data", root, "--out", tmp_path / "out", *FAST)
    assert_one_line_error(status, err, "missing t10k-labels-idx1-ubyte (and download failed: ",
                          "<urlopen error offline>")
    assert len(fetched) == 1  # one attempt, reported; the files present are left alone
    assert sorted(os.listdir(os.path.join(root, "MNIST", "raw"))) == [
        "t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte"]


@pytest.mark.parametrize("damage", ["truncated-gzip", "bad-magic", "short-labels"])
def test_corrupt_mnist_is_an_error(tmp_path, capsys, damage):
    root = write_mnist(tmp_path, train=20, test=10)
    raw = os.path.join(root, "MNIST", "raw")
    if damage == "truncated-gzip":
        path = os.path.join(raw, "train-images-idx3-ubyte.gz")
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:len(data) // 2])
    elif damage == "bad-magic":
        with gzip.open(os.path.join(raw, "t10k-images-idx3-ubyte.gz"), "wb") as f:
            f.write(b"\x12\x34\x08\x03" + bytes(100))
    else:
        with open(os.path.join(raw, "train-labels-idx1-ubyte"), "wb") as f:
            f.write(b"\x00\x00\x08")
    status, _, err = cli(capsys, "train", "--data", root, "--out", tmp_path / "out", *FAST)
    assert_one_line_error(status, err, "corrupt MNIST data in")


def _damage_labels(raw, damage):
    """Spoil the test split's labels (10 digits) in one of the ways a bad IDX file can be."""
    path = os.path.join(raw, "t10k-labels-idx1-ubyte")
    if damage == "label-outside-0-9":
        write_idx(path, np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 12], np.uint8))
        return "t10k-labels-idx1-ubyte holds label 12 at index 9 (1 of 10 labels outside 0..9)"
    if damage == "fewer-labels":
        write_idx(path, np.arange(8, dtype=np.uint8))
        return "the test split has 10 images but 8 labels"
    if damage == "more-labels":
        write_idx(path, np.arange(12, dtype=np.uint8) % 10)
        return "the test split has 10 images but 12 labels"
    with open(path, "rb") as f:  # truncated: the header promises 10 labels, 6 remain
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:-4])
    return "truncated: its header promises 10 values (shape (10,)), it holds 6"


DAMAGED_LABELS = ["label-outside-0-9", "fewer-labels", "more-labels", "truncated-labels"]


@pytest.mark.parametrize("damage", DAMAGED_LABELS)
def test_bad_labels_are_a_one_line_error_in_train(tmp_path, capsys, damage):
    root = write_mnist(tmp_path, train=20, test=10)
    message = _damage_labels(os.path.join(root, "MNIST", "raw"), damage)
    status, _, err = cli(capsys, "train", "--data", root, "--out", tmp_path / "out", *FAST)
    assert_one_line_error(status, err, "corrupt MNIST data in", message)
    assert not os.path.exists(tmp_path / "out" / "checkpoint.pt")


@pytest.mark.parametrize("damage", DAMAGED_LABELS)
def test_bad_labels_are_a_one_line_error_in_eval(trained_run, tmp_path, capsys, damage):
    root = write_mnist(tmp_path, train=20, test=10)
    message = _damage_labels(os.path.join(root, "MNIST", "raw"), damage)
    checkpoint = os.path.join(trained_run[0], "checkpoint.pt")
    status, _, err = cli(capsys, "eval", checkpoint, "--data", root)
    assert_one_line_error(status, err, "corrupt MNIST data in", message)


def test_unwritable_output_folder_is_an_error(mnist_root, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    status, _, err = cli(capsys, "train", "--data", mnist_root, "--out", blocker / "run", *FAST)
    assert_one_line_error(status, err, "cannot create output folder")


# --- progress bar ------------------------------------------------------------------------------

@pytest.mark.parametrize("tty, flag, shown", [(True, (), True), (True, ("--no-progress",), False),
                                              (False, (), False)])
def test_progress_bar_only_on_a_terminal(mnist_root, tmp_path, capsys, monkeypatch, tty, flag,
                                         shown):
    import tqdm  # noqa: F401  (the [test] extra declares it: never skipped)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    status, stdout, err = cli(capsys, "train", "--data", mnist_root, "--out", tmp_path,
                              "--epochs", 1, "--model", "mlp", *flag)
    assert status == 0
    assert ("epoch 1/1:" in err and "img/s" in err) is shown, err
    assert "img/s" not in stdout
