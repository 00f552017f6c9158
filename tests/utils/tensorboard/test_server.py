"""The real TensorBoard server reads ember's event files: ``tools/tensorboard_check.py`` serves a
log directory on loopback, checks the scalars plugin's HTTP API lists ember's run, tags and
values, and (where Chromium is installed) loads the dashboard in headless Chromium."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def test_tensorboard_serves_embers_logs():
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "tensorboard_check.py")],
                         capture_output=True, text=True, timeout=240, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "scalars plugin lists ember's run and tags" in out.stdout
    assert "all checks passed" in out.stdout
