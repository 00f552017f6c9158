"""The launchers: ``python -m ember.distributed.run`` (torchrun's flags and variables),
``ember run --nproc`` and ``ember train --nproc`` end to end."""
import os
import signal
import subprocess
import sys
import time

import numpy as np

import ember
from tests.cli._helpers import write_mnist
from tests.distributed._launch import WORKERS, assert_gone, environment, reports, run

SCRIPT = str(WORKERS / "env_script.py")
# Hard limits that only a hung job meets: starting ranks that import ember is slow on a loaded
# machine, and a limit that is merely tight fails a correct launcher.
LIMIT = 300


def test_ember_run_nproc_sets_torchrun_variables_and_resolves_torch(tmp_path):
    result = run([sys.executable, "-m", "ember", "run", "--nproc", "3", SCRIPT, "a", "b"], LIMIT,
                 environment(EMBER_TEST_OUT=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert reports(tmp_path, 3) == {
        rank: ["RANK %d/3 LOCAL_RANK %d MASTER 127.0.0.1:29500 SUM 6 ARGS ['a', 'b'] torch=ember"
               % (rank, rank)] for rank in range(3)}, result.stdout + result.stderr


def test_launcher_flags_and_exit_status(tmp_path):
    command = [sys.executable, "-m", "ember.distributed.run", "--nproc_per_node=2",
               "--master-addr", "10.0.0.1", "--master_port", "1234", "--compat", SCRIPT, "fail"]
    result = run(command, LIMIT, environment(EMBER_TEST_OUT=str(tmp_path)))
    assert result.returncode == 7, result.stdout + result.stderr
    assert reports(tmp_path, 2)[1] == [
        "RANK 1/2 LOCAL_RANK 1 MASTER 10.0.0.1:1234 SUM 3 ARGS ['fail'] torch=ember"]
    assert "the job failed (exit status 7)" in result.stderr
    result = run([sys.executable, "-m", "ember.distributed.run", "--nnodes", "2", SCRIPT], LIMIT)
    assert result.returncode == 2 and "--hostfile" in result.stderr


def test_ctrl_c_stops_every_rank(tmp_path):
    # a terminal's Ctrl-C: SIGINT to the launcher's whole process group
    command = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2",
               str(WORKERS / "sleeper.py")]
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=environment(EMBER_TEST_OUT=str(tmp_path)), start_new_session=True)
    try:
        deadline = time.monotonic() + LIMIT
        while not all(reports(tmp_path, 2).values()):
            assert job.poll() is None and time.monotonic() < deadline, job.communicate()
            time.sleep(0.1)
        pids = [int(lines[0].split()[1]) for lines in reports(tmp_path, 2).values()]
        os.killpg(job.pid, signal.SIGINT)
        out, err = job.communicate(timeout=LIMIT)
    finally:
        try:
            os.killpg(job.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert job.returncode == 130, out + err
    assert all(len(lines) == 1 for lines in reports(tmp_path, 2).values())  # none slept on
    assert_gone(pids)


def test_train_nproc_2_matches_one_process_on_the_global_batch(tmp_path):
    data = write_mnist(tmp_path / "data", train=64, test=20)
    common = ["--data", data, "--epochs", "1", "--model", "mlp", "--no-progress",
              "--scheduler", "none", "--optimizer", "sgd"]
    two = run([sys.executable, "-m", "ember", "train", "--nproc", "2", "--batch-size", "8",
               "--out", str(tmp_path / "two")] + common, LIMIT, cwd=str(tmp_path))
    assert two.returncode == 0, two.stdout + two.stderr
    assert two.stdout.count("done: test accuracy") == 1, two.stdout  # rank 0 reports
    files = sorted(os.listdir(tmp_path / "two"))
    assert files == ["checkpoint.pt", "curves.png", "metrics.csv", "model.safetensors",
                     "predictions.png"], files
    one = run([sys.executable, "-m", "ember", "train", "--batch-size", "16",
               "--out", str(tmp_path / "one")] + common, LIMIT, cwd=str(tmp_path))
    assert one.returncode == 0, one.stdout + one.stderr
    a = ember.load(str(tmp_path / "two" / "checkpoint.pt"))
    b = ember.load(str(tmp_path / "one" / "checkpoint.pt"))
    assert a["config"]["nproc"] == 2 and list(a["model"]) == list(b["model"])
    for key in a["model"]:
        np.testing.assert_allclose(a["model"][key].numpy(), b["model"][key].numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=key)
    np.testing.assert_allclose(a["history"][0]["train_loss"], b["history"][0]["train_loss"],
                               rtol=1e-5)
    again = run([sys.executable, "-m", "ember", "train", "--nproc", "3", "--resume",
                 "--out", str(tmp_path / "two"), "--epochs", "2"] + common[:2], LIMIT,
                cwd=str(tmp_path))
    assert again.returncode == 1 and "--nproc 3 differs from the checkpoint's 2" in again.stderr
    # --resume (the checkpoint knows its --nproc) trains on as one process resumed likewise
    for name in ("two", "one"):
        resumed = run([sys.executable, "-m", "ember", "train", "--resume", "--out",
                       str(tmp_path / name), "--epochs", "2"] + common[:2], LIMIT,
                      cwd=str(tmp_path))
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    a = ember.load(str(tmp_path / "two" / "checkpoint.pt"))
    b = ember.load(str(tmp_path / "one" / "checkpoint.pt"))
    assert a["epoch"] == b["epoch"] == 2 and a["config"]["nproc"] == 2
    for key in a["model"]:
        np.testing.assert_allclose(a["model"][key].numpy(), b["model"][key].numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=key)
