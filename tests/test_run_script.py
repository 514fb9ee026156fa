"""``make run``'s script (bin/run) stops cleanly: Ctrl-C or SIGTERM ends server and consumer, status 0 (issue 17).

The real server and consumer are replaced by stubs in a fake BIN (the shared virtualenv is not
touched); the stubs record that they started and how they ended.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bin" / "run"

STUB = """#!/usr/bin/env python3
import signal, sys, time
name = {name!r}
log = {log!r}
def bye(sig, frame):
    open(log, "a").write(name + " got " + signal.Signals(sig).name + "\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
if name == "huey":
    signal.signal(signal.SIGINT, bye)  # the consumer handles INT itself (graceful stop)
open(log, "a").write(name + " started\\n")
while True:
    time.sleep(0.1)
"""


@pytest.fixture
def fake_bin(tmp_path):
    log = tmp_path / "log.txt"
    for file, name in (("huey_consumer", "huey"), ("flask", "flask")):
        path = tmp_path / file
        path.write_text(STUB.format(name=name, log=str(log)))
        path.chmod(0o755)
    return tmp_path, log


def _start(fake):
    directory, log = fake
    proc = subprocess.Popen(["sh", str(SCRIPT)], env=os.environ | {"BIN": str(directory), "PORT": "5999"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count("started") == 2:
            return proc
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the stubs did not start")


@pytest.mark.parametrize("how", ["ctrl-c", "term"])
def test_run_stops_both_and_exits_zero(fake_bin, how):
    proc = _start(fake_bin)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: INT to the whole group
    else:
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    log = fake_bin[1].read_text()
    assert "flask got SIGTERM" in log and "huey got SIGINT" in log
    assert "Stopped the server and the task consumer." in out.decode()
