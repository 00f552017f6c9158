"""Start worker scripts under mpiexec with a hard time limit and no survivors."""
import os
import signal
import subprocess
import sys
from pathlib import Path

from ember.distributed.run import mpiexec_path

WORKERS = Path(__file__).parent / "workers"
ROOT = Path(__file__).resolve().parents[2]


def environment(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(extra)
    return env


def run(command, timeout, env=None, cwd=None):
    """Run ``command`` in its own session; on timeout kill the whole session (mpiexec and every
    rank) and fail. Returns the CompletedProcess."""
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env or environment(), cwd=cwd, start_new_session=True)
    try:
        out, err = job.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(job.pid, signal.SIGKILL)
        out, err = job.communicate()
        raise AssertionError("%s did not finish in %d s\nstdout:\n%s\nstderr:\n%s"
                             % (command, timeout, out, err)) from None
    finally:
        try:  # anything left in the session (a rank mpiexec lost) goes too
            os.killpg(job.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(command, job.returncode, out, err)


def mpirun(nproc, worker, out, *args, timeout=300):
    """Run ``workers/<worker>.py`` on ``nproc`` ranks; each rank reports into the folder ``out``
    (see workers/_report.py)."""
    command = [mpiexec_path(), "-n", str(nproc), sys.executable, str(WORKERS / (worker + ".py"))]
    return run(command + [str(a) for a in args], timeout, environment(EMBER_TEST_OUT=str(out)))


def reports(out, nproc):
    """What each rank reported: ``{rank: [line, ...]}`` (an empty list for a silent rank)."""
    found = {}
    for r in range(nproc):
        path = Path(out) / ("rank%d" % r)
        found[r] = path.read_text().splitlines() if path.exists() else []
    return found


def check_ok(result, out, nproc):
    """The job succeeded and every rank reported ``OK`` at the end of its checks."""
    assert result.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (
        result.returncode, result.stdout, result.stderr)
    assert reports(out, nproc) == {r: ["OK"] for r in range(nproc)}, result.stdout + result.stderr


def assert_gone(pids):
    """None of the processes ``pids`` is alive (a zombie awaiting its parent counts as gone)."""
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        with open("/proc/%d/stat" % pid) as f:
            assert f.read().split()[2] == "Z", "rank process %d outlived the job" % pid
