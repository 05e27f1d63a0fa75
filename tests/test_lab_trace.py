"""python -m pysock trace: the system calls behind each step and call."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from pysock.cli import _strace

needs_strace = pytest.mark.skipif(shutil.which("strace") is None,
                                  reason="strace is not installed")


def trace(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pysock", "trace", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=300, env=env)


def section(output: str, title: str) -> list:
    """The lines of one backend's (or C's) section of trace's output."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"── {title}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("── ")),
               len(lines))
    return lines[start + 1:end]


def after(lines: list, marker: str, count: int) -> list:
    at = next(i for i, line in enumerate(lines) if marker in line)
    return [line.strip() for line in lines[at + 1:at + 1 + count]]


@needs_strace
def test_sendall_is_a_loop_of_send_calls_with_poll():
    done = trace("partial-write", "--lang", "python")
    assert done.returncode == 0, done.stderr
    for backend in ("pysock-cffi", "pysock-stdlib"):
        lines = section(done.stdout, backend)
        calls = after(lines, ".sendall(", 11)
        sends = [line for line in calls if line.startswith("sendto(")]
        assert len(sends) >= 2, calls  # a loop: the 1 MiB does not fit in one send
        polls = [line for line in calls if line.startswith("poll(")]
        if backend == "pysock-stdlib":
            assert polls, calls  # CPython polls before each send in timeout mode
        elif any("EAGAIN" in line for line in calls[:-1]):
            assert polls, calls  # pysock-cffi tries first and polls only on EAGAIN


@needs_strace
def test_scenario_steps_of_the_c_twin(c_build):  # noqa: F811
    done = trace("sigpipe", "--lang", "c")
    assert done.returncode == 0, done.stderr
    lines = section(done.stdout, "C")
    first = after(lines, "first send after the peer closed", 1)[0]
    assert first.startswith("sendto(") and first.endswith("= 5")
    assert any("SIGPIPE" in line for line in lines)


@needs_strace
def test_script_calls_per_backend(tmp_path):
    """settimeout() then recv() with data waiting: the stdlib backend polls
    first, pysock-cffi tries the call first (README: backend differences)."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import pysock as socket
        a, b = socket.socketpair()
        a.sendall(b"ping")
        b.settimeout(2.0)
        print(b.recv(10))
        a.close()
        b.close()
    """))
    done = trace("--", "python", str(script))
    assert done.returncode == 0, done.stderr
    cffi = section(done.stdout, "pysock-cffi")
    stdlib = section(done.stdout, "pysock-stdlib")
    assert after(cffi, ".settimeout(2.0)", 1)[0].startswith("ioctl(")
    assert after(cffi, ".recv(10)", 1)[0].startswith("recvfrom(")
    assert [line.split("(")[0] for line in after(stdlib, ".recv(10)", 2)] == ["poll", "recvfrom"]
    assert "b'ping'" not in done.stdout.splitlines(), "the program's own output is not mixed in"


def test_without_strace_it_says_so(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # nothing on PATH, so no strace
    done = trace("partial-write", env=env)
    assert done.returncode == 3
    assert "strace is not installed" in done.stderr and done.stdout == ""


def test_parse_groups_and_filters():
    log = textwrap.dedent('''\
        100 read(3, "import stuff", 12) = 12
        100 write(-1, "pysock-step: recv at EOF", 24) = -1 EBADF (Bad file descriptor)
        100 write(-1, "pysock-call: sock5.recv(16)", 27) = -1 EBADF (Bad file descriptor)
        100 recvfrom(5,  <unfinished ...>
        101 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 7
        101 write(7, "from a thread", 13) = 13
        100 <... recvfrom resumed>"", 16, 0, NULL, NULL) = 0
        100 write(1, "{json}", 6) = 6
        100 write(-1, "pysock-end", 10) = -1 EBADF (Bad file descriptor)
        100 write(-1, "pysock-end", 10) = -1 EBADF (Bad file descriptor)
        100 close(7) = 0
        ''')
    groups = _strace.parse(log, steps_only=True)
    assert [g.label for g in groups] == ["recv at EOF"]
    step = groups[0]
    assert step.syscalls == ["socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 7",
                             'write(7, "from a thread", 13) = 13']
    assert [c.label for c in step.calls] == ["sock5.recv(16)"]
    assert step.calls[0].syscalls == ['recvfrom(5, "", 16, 0, NULL, NULL) = 0']
