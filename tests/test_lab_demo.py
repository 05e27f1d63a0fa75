"""python -m pysock demo: runs a pair and prints the conversation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pysock.labs import catalogue
from lab_support import require_language


def demo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pysock", "demo", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def test_list_shows_every_pair():
    done = demo("--list")
    assert done.returncode == 0
    for program in catalogue.PROGRAMS:
        assert program.name in done.stdout


@pytest.mark.parametrize("backend", ["cffi", "stdlib"])
def test_python_pair(backend):
    done = demo("welcome", "--backend", backend)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"server: pysock-{backend}, client: pysock-{backend}" in done.stdout
    assert "server │ Received from client: Hello, Server! This is the client." in done.stdout
    assert "client │ Received from server: Message received!" in done.stdout
    assert "$ python labs/welcome_server.py --port 0 --count 1" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("all exited with 0")


def test_c_server_python_posix_client(c_build):  # noqa: F811
    require_language("posix")
    done = demo("hello-nonblocking", "--lang", "c", "--client-lang", "posix")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "$ bin/hello_server --port 0 --mode nonblocking" in done.stdout
    assert "server │ recv: Resource temporarily unavailable" in done.stdout
    assert "client │ Hello from server" in done.stdout


def test_bad_requests():
    assert demo("no-such-pair").returncode == 2
    wrong = demo("seed-welcome", "--lang", "c")
    assert wrong.returncode == 2 and "has no c server" in wrong.stderr
