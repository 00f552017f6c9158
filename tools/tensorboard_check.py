"""End-to-end check of ember's event files with the real TensorBoard: write a log directory with
``ember.utils.tensorboard.SummaryWriter``, serve it with the ``tensorboard`` server on loopback,
ask its HTTP API for the runs, tags and values, and load the dashboard in headless Chromium.

    PYTHONPATH=. python tools/tensorboard_check.py [--keep DIR] [--chromium PATH]

Needs the tensorboard package (``ember[tensorboard]``) and Chromium (Debian: ``apt-get install
chromium``); without Chromium the page check is skipped and said so. Prints one line per check
and exits 1 if any fails. Not a test: it starts a server and a browser (a few seconds to a
minute), so CI runs the EventAccumulator tests instead.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import ember
from ember.utils.tensorboard import SummaryWriter

LOSSES = [1.0, 0.5, 0.25, 0.125]


def write_logs(log_dir):
    with SummaryWriter(os.path.join(log_dir, "ember_run")) as w:
        for step, loss in enumerate(LOSSES):
            w.add_scalar("loss/train", loss, step)
            w.add_scalar("accuracy/test", 1 - loss / 2, step)
        w.add_histogram("weights", ember.randn(500), 0)
        w.add_image("digit", ember.rand(1, 28, 28), 0)
        w.add_text("note", "written by **ember**", 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            return get(url)
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("TensorBoard did not answer at %s within %d s" % (url, seconds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="write the logs to DIR and keep them")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which(
        "chromium-browser"), help="the Chromium binary (default: found on PATH)")
    args = parser.parse_args()
    log_dir = args.keep or tempfile.mkdtemp(prefix="ember-tb-")
    began = time.time()
    write_logs(log_dir)
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    server = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", log_dir,
                               "--host", "127.0.0.1", "--port", str(port), "--reload_interval",
                               "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []

    def check(name, ok, detail=""):
        print("%-44s %s %s" % (name, "ok  " if ok else "FAIL", detail))
        if not ok:
            failures.append(name)

    try:
        wait_for(base + "/data/runs")
        tags = {}
        for _ in range(40):  # the server loads event files in the background
            tags = json.loads(get(base + "/data/plugin/scalars/tags"))
            if "loss/train" in tags.get("ember_run", {}):
                break
            time.sleep(0.5)
        check("scalars plugin lists ember's run and tags",
              {"loss/train", "accuracy/test"} <= set(tags.get("ember_run", {})), str(tags)[:80])
        values = json.loads(get(base + "/data/plugin/scalars/scalars?run=ember_run&tag=loss/train"))
        check("scalar values and steps read back",
              [(s, round(v, 6)) for _, s, v in values] == list(enumerate(LOSSES)), str(values)[:80])
        plugins = json.loads(get(base + "/data/plugins_listing"))
        active = sorted(k for k, v in plugins.items() if v.get("enabled"))
        check("histograms, images and text plugins active",
              {"histograms", "images", "text", "scalars"} <= set(active), ", ".join(active))
        if not args.chromium:
            print("%-44s skip (no chromium on PATH)" % "dashboard page in headless Chromium")
        else:
            with tempfile.TemporaryDirectory() as profile:
                dom = subprocess.run(
                    [args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                     "--user-data-dir=" + profile, "--virtual-time-budget=15000", "--dump-dom",
                     base + "/#timeseries"], capture_output=True, text=True, timeout=120).stdout
            check("dashboard page renders in headless Chromium",
                  "<tb-webapp" in dom and "ember_run" in dom,
                  "%d bytes of DOM%s" % (len(dom), ", run name shown" if "ember_run" in dom
                                         else ""))
    finally:
        server.terminate()
        server.wait(10)
        if not args.keep:
            shutil.rmtree(log_dir, ignore_errors=True)
    print("%d check(s) failed" % len(failures) if failures else "all checks passed",
          "in %.1f s" % (time.time() - began))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
