"""Runs the twins: a program pair as two processes talking over loopback, a
scenario as its C executable or through the Python scenario runner.  One
mechanism, parametrised by the implementation (Impl): C, Python on pysock's
cffi backend, Python on its stdlib backend, or a pysock.posix translation.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from pysock.labs import LABS_DIR
from pysock.labs.build import Build
from pysock.labs.catalogue import Program

READY = re.compile(r"listening on (?:port (\d+)|(\S+?))\.\.\.$")
TIMEOUT = 20.0


@dataclass(frozen=True)
class Impl:
    """One column: a language, and for Python the pysock backend."""

    language: str                 # "c", "python" or "posix"
    backend: Optional[str] = None  # "cffi" or "stdlib" for Python

    @property
    def label(self) -> str:
        if self.language == "c":
            return "C"
        if self.language == "posix":
            return "pysock.posix"
        return f"pysock-{self.backend}"

    def env(self, markers: bool = False) -> Dict[str, str]:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if self.backend:
            env["PYSOCK_BACKEND"] = self.backend
        if markers:
            env["PYSOCK_LAB_MARKERS"] = "1"
        return env


C = Impl("c")
CFFI = Impl("python", "cffi")
STDLIB = Impl("python", "stdlib")
POSIX = Impl("posix", "cffi")
COLUMNS = (C, CFFI, STDLIB)


def program_argv(program: Program, role: str, impl: Impl, build: Optional[Build]) -> List[str]:
    """The command line that runs one side of a program pair."""
    if impl.language == "c":
        if build is None or not build.ok:
            raise RuntimeError("the C programs are not built")
        return [str(build.program(program.file(role, "c")))]
    return [sys.executable, str(LABS_DIR / program.file(role, impl.language))]


# ---- program pairs -------------------------------------------------------------------

@dataclass
class Conversation:
    """What a program pair printed, and how it ended."""

    server: List[str] = field(default_factory=list)
    clients: List[List[str]] = field(default_factory=list)
    status: Dict[str, Optional[int]] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)
    timeline: List[Tuple[float, str, str]] = field(default_factory=list)
    commands: List[List[str]] = field(default_factory=list)
    seconds: float = 0.0
    port: Optional[int] = None
    directory: Optional[str] = None

    def normalize(self, line: str) -> str:
        """The line without what changes from run to run: ports, temp paths, pids."""
        line = re.sub(r"\('127\.0\.0\.1', \d+\)", "('127.0.0.1', PORT)", line)
        if self.port:
            line = re.sub(rf"\b{self.port}\b", "PORT", line)
        if self.directory:
            line = line.replace(self.directory, "DIR")
        return re.sub(r"client-\d+\.sock", "client-PID.sock", line)


def _pump(stream: Any, lines: "queue.Queue[Any]", who: str = "",
          timeline: Optional[List[Tuple[float, str, str]]] = None) -> None:
    """Lines from a pipe into a queue (None at EOF), each also noted with its
    arrival time in `timeline`, so a demo can show who said what when."""
    for line in stream:
        line = line.rstrip("\n")
        if timeline is not None:
            timeline.append((time.monotonic(), who, line))
        lines.put(line)
    lines.put(None)


def _lines(lines: "queue.Queue[Optional[str]]", timeout: float) -> Iterator[str]:
    """A pumped stream's lines until EOF or, at the latest, the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            return
        if line is None:
            return
        yield line


def _drain(lines: "queue.Queue[Optional[str]]", into: List[str], timeout: float) -> None:
    into.extend(_lines(lines, timeout))


def converse(program: Program, server_impl: Impl, client_impl: Impl,
             build: Optional[Build] = None, timeout: float = TIMEOUT) -> Conversation:
    """Run the pair: the server, then each client in turn, then wait for the
    server to finish (or end it with SIGTERM, for a server that never does)."""
    conv = Conversation()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pysock-lab-", dir="/tmp") as directory:
        conv.directory = directory
        server_addr: List[str] = []
        client_addr: List[str] = []
        if program.address == "path":
            server_addr = client_addr = ["--path", os.path.join(directory, "lab.sock")]
        elif program.address == "fixed":
            conv.port = program.fixed_port
        elif program.address == "port":
            server_addr = ["--port", "0"]
        server = None
        out: "queue.Queue[Optional[str]]" = queue.Queue()
        err: "queue.Queue[Optional[str]]" = queue.Queue()
        try:
            if program.server:
                argv = (program_argv(program, "server", server_impl, build) + server_addr
                        + list(program.server_args))
                conv.commands.append(argv)
                server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True, env=server_impl.env(),
                                          stdin=subprocess.DEVNULL)
                _start_pumps(server, "server", out, err, conv)
                ready = (_wait_listening(program.fixed_port, server, timeout)
                         if program.address == "fixed" else _wait_ready(out, conv, timeout))
                if not ready:
                    conv.errors.append("the server did not start listening")
                    return conv
                if program.address == "port":
                    client_addr = ["--port", str(conv.port)]
            for args in program.clients:
                argv = (program_argv(program, "client", client_impl, build) + client_addr
                        + list(args))
                conv.commands.append(argv)
                conv.clients.append(_run_client(argv, client_impl, conv, timeout))
        except subprocess.TimeoutExpired:
            conv.errors.append(f"a client ran longer than {timeout:.0f} s")
        finally:
            if server is not None:
                _finish_server(server, program, out, err, conv, timeout)
            conv.seconds = time.monotonic() - start
    return conv


def _start_pumps(process: "subprocess.Popen[str]", who: str, out: "queue.Queue[Any]",
                 err: "queue.Queue[Any]", conv: Conversation) -> List[threading.Thread]:
    threads = [threading.Thread(target=_pump, args=(process.stdout, out, who, conv.timeline),
                                daemon=True),
               threading.Thread(target=_pump, args=(process.stderr, err, who + " (stderr)",
                                                    conv.timeline), daemon=True)]
    for thread in threads:
        thread.start()
    return threads


def _run_client(argv: List[str], impl: Impl, conv: Conversation, timeout: float) -> List[str]:
    """One client run, its lines timed as they come; raises TimeoutExpired."""
    out: "queue.Queue[Any]" = queue.Queue()
    err: "queue.Queue[Any]" = queue.Queue()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=impl.env(), stdin=subprocess.DEVNULL)
    threads = _start_pumps(process, "client", out, err, conv)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    finally:
        for thread in threads:
            thread.join()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    lines: List[str] = []
    errors: List[str] = []
    _drain(out, lines, 0.1)
    _drain(err, errors, 0.1)
    conv.errors += [f"client: {line}" for line in errors]
    conv.status[f"client {len(conv.clients) + 1}"] = process.returncode
    return lines


def _listening(port: int) -> bool:
    """Whether a TCP socket listens on `port` (Linux: /proc/net/tcp, tcp6)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def _wait_listening(port: Optional[int], server: "subprocess.Popen[str]",
                    timeout: float) -> bool:
    """For a program that prints nothing when it is ready (the seed 004 port):
    wait until its fixed port is listening, or it has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        if port is None or not os.path.exists("/proc/net/tcp"):
            time.sleep(0.5)  # no way to look: give it a moment
            return True
        if _listening(port):
            return True
        time.sleep(0.01)
    return False


def _wait_ready(out: "queue.Queue[Optional[str]]", conv: Conversation, timeout: float) -> bool:
    """Reads the server's lines until it says where it listens."""
    for line in _lines(out, timeout):
        conv.server.append(line)
        found = READY.search(line)
        if found:
            conv.port = int(found.group(1)) if found.group(1) else None
            return True
    return False


def _finish_server(server: "subprocess.Popen[str]", program: Program, out: Any, err: Any,
                   conv: Conversation, timeout: float) -> None:
    if not program.stops_itself or conv.errors:
        server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        conv.errors.append(f"the server ran longer than {timeout:.0f} s: killed")
    _drain(out, conv.server, timeout)
    stderr: List[str] = []
    _drain(err, stderr, timeout)
    conv.errors += [f"server: {line}" for line in stderr]
    for stream in (server.stdout, server.stderr):
        if stream is not None:
            stream.close()
    conv.status = {"server": server.returncode, **conv.status}


def conversation_steps(program: Program, conv: Conversation) -> List[Dict[str, Any]]:
    """A conversation as compare's steps: each line printed, then the exit
    statuses (timed: the whole conversation)."""
    server = [conv.normalize(line) for line in conv.server]
    if program.concurrent:
        server = server[:1] + sorted(server[1:])  # the listening line stays first
    steps = [_line_step(f"server {i}", line) for i, line in enumerate(server, 1)]
    client = [conv.normalize(line) for lines in conv.clients for line in lines]
    steps += [_line_step(f"client {i}", line) for i, line in enumerate(client, 1)]
    statuses, _ = exit_summary(program, conv)
    steps.append({"step": "exit status", "key": f"= {statuses}", "shown": statuses,
                  "errno": None, "moved": None, "ns": int(conv.seconds * 1e9)})
    return steps


def exit_summary(program: Program, conv: Conversation) -> Tuple[str, bool]:
    """How the processes ended, in words, and whether that is how they
    should: all with 0, except a server that serves forever, which the
    runner ends with SIGTERM."""
    expected = {who: (-15 if who == "server" and not program.stops_itself else 0)
                for who in conv.status}
    ok = conv.status == expected and not any(
        "did not" in error or "longer than" in error for error in conv.errors)
    if ok:
        return ("all exited with 0" if program.stops_itself or not program.server
                else "clients exited with 0; the server (it serves forever) ended by SIGTERM"), True
    return ", ".join(f"{who}: {_status(code)}" for who, code in conv.status.items()), False


def _line_step(label: str, line: str) -> Dict[str, Any]:
    return {"step": label, "key": f"= {line}", "shown": line, "errno": None,
            "moved": None, "ns": None}


def _status(code: Optional[int]) -> str:
    if code is None:
        return "still running"
    return str(code) if code >= 0 else f"killed by signal {-code}"


# ---- behaviour scenarios -------------------------------------------------------------------

Outcome = Tuple[str, List[Dict[str, Any]], Optional[str]]  # (name, steps, error)


def _parse(line: str) -> Optional[Dict[str, Any]]:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def run_c_scenario(name: str, build: Build, markers: bool = False,
                   timeout: float = TIMEOUT) -> Outcome:
    """The C twin of a scenario: its steps, or why there are none."""
    try:
        done = subprocess.run([str(build.scenario(name))], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=timeout,
                              env=C.env(markers), stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return name, [], f"ran longer than {timeout:.0f} s"
    steps = [r for r in map(_parse, done.stdout.splitlines()) if r and "step" in r]
    error = None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        error = f"failed: {last}"
    return name, steps, error


def run_python_scenarios(names: List[str], impl: Impl, markers: bool = False,
                         timeout: float = TIMEOUT * 3,
                         started: Optional[Callable[[str], None]] = None) -> Iterator[Outcome]:
    """The Python twins of `names`, run in one process on impl's backend;
    yields each scenario's steps as soon as the next one starts."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pysock.labs.scenarios", "--backend", str(impl.backend)]
        + names, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=impl.env(markers), stdin=subprocess.DEVNULL)
    lines: "queue.Queue[Optional[str]]" = queue.Queue()
    errors: "queue.Queue[Optional[str]]" = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    threading.Thread(target=_pump, args=(process.stderr, errors), daemon=True).start()
    collected: Dict[str, List[Dict[str, Any]]] = {name: [] for name in names}
    failures: Dict[str, str] = {}
    deadline = time.monotonic() + timeout
    current = 0
    if started and names:
        started(names[0])
    try:
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                process.kill()
                failures[names[min(current, len(names) - 1)]] = \
                    f"ran longer than {timeout:.0f} s"
                break
            if line is None:
                break
            record = _parse(line)
            if not record or record.get("scenario") not in collected:
                continue
            name = record["scenario"]
            while names[current] != name:  # earlier scenarios are complete
                yield names[current], collected[names[current]], failures.get(names[current])
                current += 1
                if started:
                    started(names[current])
            if "fatal" in record:
                failures[name] = str(record["fatal"])
            else:
                collected[name].append(record)
    finally:
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    if process.returncode and not failures:
        stderr: List[str] = []
        _drain(errors, stderr, 1.0)
        failures[names[min(current, len(names) - 1)]] = \
            (stderr or [f"exit status {process.returncode}"])[-1]
    for name in names[current:]:
        yield name, collected[name], failures.get(name)
