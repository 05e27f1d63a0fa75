"""The lab programs: each Python twin against its C twin in both directions
(C server and Python client, and back), on both backends, plus what each
program is there to show.  Servers get --port 0 (or a temp path): never the
seeds' fixed ports."""

from __future__ import annotations

import os
import re
import signal
import socket as std_socket
import subprocess
import time
from itertools import product
from typing import Any, Dict, List

import pytest

from lab_support import backend_of, command, require_language
from pysock.labs import catalogue, runner

PAIRS = [p for p in catalogue.PROGRAMS if "c" in p.languages]
_reference: Dict[str, List[Dict[str, Any]]] = {}


def impl(language: str, backend: str) -> runner.Impl:
    return runner.C if language == "c" else runner.Impl(language, backend)


def transcript(program, server, client, build) -> List[Dict[str, Any]]:
    conv = runner.converse(program, server, client, build, timeout=15)
    assert not [e for e in conv.errors if "listening" in e or "longer than" in e], conv.errors
    steps = runner.conversation_steps(program, conv)
    assert steps[-1]["key"] == "= all exited with 0", (steps[-1], conv.errors)
    return [(s["step"], s["key"]) for s in steps]


def reference(program, build) -> List[Dict[str, Any]]:
    """The C server talking to the C client: what every pairing must print."""
    if program.name not in _reference:
        _reference[program.name] = transcript(program, runner.C, runner.C, build)
    return _reference[program.name]


CASES = [(p, s, c) for p in PAIRS for s, c in product(p.languages, repeat=2)
         if (s, c) != ("c", "c")]


@pytest.mark.parametrize("program,server,client", CASES,
                         ids=[f"{p.name}-{s}-server-{c}-client" for p, s, c in CASES])
def test_twins_talk_to_each_other(program, server, client, api, c_build):  # noqa: F811
    require_language(server, client)
    backend = backend_of(api)
    got = transcript(program, impl(server, backend), impl(client, backend), c_build)
    assert got == reference(program, c_build)


def lines(program_name: str, build) -> List[str]:
    return [key[2:] for _, key in reference(catalogue.program(program_name), build)]


def test_welcome_says_what_the_seed_says(c_build):  # noqa: F811
    said = lines("welcome", c_build)
    assert "Received from client: Hello, Server! This is the client." in said
    assert "Received from server: Welcome to the server!" in said
    assert "Received from server: Message received!" in said


def test_hello_nonblocking_read_sees_eagain_first(c_build):  # noqa: F811
    said = lines("hello-nonblocking", c_build)
    assert said[1] == "recv: Resource temporarily unavailable (no data yet; waiting with poll)"
    assert "Hello from client" in said and "Hello from server" in said


def test_command_server_runs_only_its_whitelist(c_build):  # noqa: F811
    said = lines("command", c_build)
    expected = subprocess.run(["uname", "-sr"], stdout=subprocess.PIPE, text=True,
                              check=True).stdout.strip()
    assert expected in said
    assert "unknown command; allowed: date hostname ls uname uptime whoami" in said
    assert any("asked for 'rm -rf /': not allowed" in line for line in said)


# ---- running one program by hand ------------------------------------------------------

class Server:
    """A lab server started directly, for the tests that poke at it."""

    def __init__(self, name: str, language: str, build, backend: str, *args: str) -> None:
        argv, env = command(name, language, build, backend)
        self.process = subprocess.Popen(argv + list(args), stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env)
        # Up to the line saying where it listens (a line before it may say
        # it removed a stale socket file).
        self.said = []
        while not self.said or "listening on" not in self.said[-1]:
            line = self.process.stdout.readline()
            if not line:
                break
            self.said.append(line.strip())
        found = re.search(r"port (\d+)", self.said[-1] if self.said else "")
        self.port = int(found.group(1)) if found else None

    def stop(self, sig: int = signal.SIGTERM, wait: float = 0.0) -> "tuple[int, str, str]":
        """Let it finish for `wait` seconds (a server with --count ends by
        itself), then send `sig`."""
        try:
            self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass
        if self.process.poll() is None:
            self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=10)
        return self.process.returncode, out, err


LANGS = pytest.mark.parametrize("language", ["c", "python"])


@LANGS
def test_servers_stop_cleanly_on_sigterm(language, api, c_build):  # noqa: F811
    for name in ("welcome_server", "echo_iterative", "echo_forked", "echo_threaded",
                 "echo_select", "udp_echo_server", "command_server"):
        server = Server(name, language, c_build, backend_of(api), "--port", "0")
        assert server.port, server.said
        status, _, err = server.stop()
        assert status == 0, (name, err)


@pytest.mark.parametrize("name,concurrent", [
    ("echo_iterative", False), ("echo_forked", True), ("echo_threaded", True),
    ("echo_select", True)])
@LANGS
def test_second_client_served_while_first_is_connected(name, concurrent, language, api,
                                                       c_build):  # noqa: F811
    server = Server(name, language, c_build, backend_of(api), "--port", "0", "--count", "2")
    try:
        first = std_socket.create_connection(("127.0.0.1", server.port), timeout=5)
        second = std_socket.create_connection(("127.0.0.1", server.port), timeout=5)
        with first, second:
            first.sendall(b"one")
            assert first.recv(3) == b"one"
            second.sendall(b"two")
            second.settimeout(0.3)
            if concurrent:
                assert second.recv(3) == b"two"
            else:  # iterative: the second waits until the first leaves
                with pytest.raises(std_socket.timeout):
                    second.recv(3)
                first.close()
                second.settimeout(5)
                assert second.recv(3) == b"two"
    finally:
        status, out, _ = server.stop(wait=5)
    assert status == 0
    assert out.strip().endswith("Served 2 clients.")


@LANGS
def test_forked_server_leaves_no_zombies(language, api, c_build):  # noqa: F811
    server = Server("echo_forked", language, c_build, backend_of(api), "--port", "0")
    try:
        for _ in range(3):
            with std_socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
                s.sendall(b"x")
                assert s.recv(1) == b"x"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and zombies_of(server.process.pid):
            time.sleep(0.02)
        assert zombies_of(server.process.pid) == 0
    finally:
        server.stop()


def zombies_of(pid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        count += fields[0] == "Z" and int(fields[1]) == pid
    return count


@LANGS
def test_unix_server_removes_a_stale_file_and_its_own(language, api, c_build,  # noqa: F811
                                                      tmp_sock_dir):
    path = os.path.join(tmp_sock_dir, "lab.sock")
    with std_socket.socket(std_socket.AF_UNIX) as stale:  # a crashed server's file
        stale.bind(path)
    server = Server("unix_stream_server", language, c_build, backend_of(api), "--path", path)
    try:
        assert server.said == [f"Removing the stale socket file {path}",
                               f"Server is listening on {path}..."]
        with std_socket.socket(std_socket.AF_UNIX) as client:
            client.connect(path)
            client.sendall(b"hi")
            assert client.recv(2) == b"hi"
        rival = Server("unix_stream_server", language, c_build, backend_of(api), "--path", path)
        status, _, err = rival.stop()
        assert status == 1 and "another server is using this path" in err
        assert os.path.exists(path), "a live server's file must never be removed"
    finally:
        status, _, _ = server.stop()
    assert status == 0
    assert not os.path.exists(path), "the server removes its socket file on exit"


@LANGS
def test_unix_dgram_pair_cleans_up(language, api, c_build, tmp_sock_dir):  # noqa: F811
    path = os.path.join(tmp_sock_dir, "lab.sock")
    server = Server("unix_dgram_server", language, c_build, backend_of(api), "--path", path,
                    "--count", "1")
    argv, env = command("unix_dgram_client", language, c_build, backend_of(api))
    done = subprocess.run(argv + ["--path", path, "ping"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=10)
    assert (done.returncode, done.stdout) == (0, "Echo from server: ping\n"), done.stderr
    status, _, _ = server.stop(wait=5)
    assert status == 0
    assert os.listdir(tmp_sock_dir) == [], "server and client remove their socket files"


@pytest.mark.parametrize("args", [[], ["12345", "0xffffffff", "127.1", "::ffff:1.2.3.4", "x"]])
def test_byteorder_twins_print_the_same(args, api, c_build):  # noqa: F811
    outputs = []
    for language in ("c", "python"):
        argv, env = command("byteorder", language, c_build, backend_of(api))
        outputs.append(subprocess.run(argv + args, stdout=subprocess.PIPE, text=True, env=env,
                                      check=True, timeout=10).stdout)
    assert outputs[0] == outputs[1]
    if not args:
        assert 'inet_addr("255.255.255.255") = 0xffffffff = INADDR_NONE' in outputs[0]
        assert 'inet_aton("127.1") = 7f000001' in outputs[0]


@pytest.mark.parametrize("request_line,answer", [
    (b"date; id\n", b"unknown command; allowed"),
    (b"$(id)\n", b"unknown command; allowed"),
    (b"x" * 80 + b"\n", b"request too long"),
])
@LANGS
def test_command_server_refuses(request_line, answer, language, api, c_build):  # noqa: F811
    server = Server("command_server", language, c_build, backend_of(api), "--port", "0",
                    "--count", "1")
    try:
        with std_socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(request_line)
            s.shutdown(std_socket.SHUT_WR)
            reply = b""
            while True:
                data = s.recv(4096)
                if not data:
                    break
                reply += data
    finally:
        status, _, _ = server.stop(wait=5)
    assert reply.startswith(answer)
    assert status == 0


@pytest.mark.parametrize("language", ["c", "python", "posix"])
def test_client_errors_exit_1(language, api, c_build):  # noqa: F811
    argv, env = command("hello_client", language, c_build, backend_of(api))
    bad = subprocess.run(argv + ["--host", "not-an-address"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, timeout=10)
    assert bad.returncode == 1
    assert "Invalid address/ Address not supported: not-an-address" in bad.stderr
    with std_socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = subprocess.run(argv + ["--port", str(port)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, timeout=10)
    assert refused.returncode == 1
    assert "Connection refused" in refused.stderr
