"""The catalogue: the lab program pairs and the behaviour scenarios, as data.

``python -m pysock demo`` runs the PROGRAMS; ``python -m pysock compare``
runs the SCENARIOS (each behaviour is a scenario module with a C twin, see
pysock.labs.scenarios) and the program pairs; tests walk both lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from pysock.labs import scenarios as _scenarios


@dataclass(frozen=True)
class Program:
    """A lab program pair and the conversation a demo runs.

    `server` and `client` name the program files without extension
    (``welcome_server`` -> welcome_server.c / welcome_server.py); `clients`
    is one argument list per client run, in order.  `address` says how the
    two find each other: "port" (the server gets --port 0 and prints the port
    the kernel chose), "path" (both get --path in a fresh temp dir), "fixed"
    (the seed's own `fixed_port`: no arguments, and the runner waits until
    something listens there), or None (no server).
    """

    name: str
    title: str
    teaches: str
    client: str
    clients: Tuple[Tuple[str, ...], ...] = ((),)
    server: Optional[str] = None
    server_args: Tuple[str, ...] = ()
    address: Optional[str] = "port"
    concurrent: bool = False     # server lines may come in any order
    languages: Tuple[str, ...] = ("c", "python")
    stops_itself: bool = True    # False: the server serves forever (SIGTERM ends it)
    default: bool = False        # in the default `compare` run
    directory: str = ""          # "" or "seeds": where the files are
    fixed_port: Optional[int] = None  # address "fixed": the seed's own port

    def file(self, role: str, language: str) -> str:
        base = self.server if role == "server" else self.client
        assert base is not None
        suffix = {"c": "", "python": ".py", "posix": "_posix.py"}[language]
        return f"{self.directory + '/' if self.directory else ''}{base}{suffix}"


def _echo(name: str, title: str, teaches: str, server: str, *extra: str) -> Program:
    return Program(name, title, teaches, client="echo_client", server=server,
                   server_args=("--count", "2") + extra,
                   clients=(("Hello, echo!", "TCP has no message boundaries"), ("bye",)),
                   concurrent=server != "echo_iterative")


PROGRAMS: List[Program] = [
    Program("welcome", "seed 000: the welcome server and client",
            "The first socket program: socket, bind, listen, accept on one side, "
            "connect on the other, a greeting each way.",
            client="welcome_client", server="welcome_server", server_args=("--count", "1"),
            default=True),
    Program("hello", "seed 004: hello server and client, blocking read",
            "SO_REUSEADDR and SO_REUSEPORT as two setsockopt() calls, a blocking read().",
            client="hello_client", server="hello_server",
            languages=("c", "python", "posix"), default=True),
    Program("hello-nonblocking", "seed 004: hello server with an O_NONBLOCK read",
            "A non-blocking read before the client has sent: EAGAIN "
            "(BlockingIOError), then poll() until the data is there.",
            client="hello_client", server="hello_server",
            server_args=("--mode", "nonblocking"), clients=(("--delay", "200"),),
            languages=("c", "python", "posix"), default=True),
    _echo("echo-iterative", "TCP echo server, one client at a time",
          "The iterative server: the second client waits in the backlog.", "echo_iterative"),
    _echo("echo-forked", "TCP echo server, a process per client",
          "fork() per client, children reaped from SIGCHLD: no zombies.", "echo_forked"),
    _echo("echo-threaded", "TCP echo server, a thread per client",
          "A thread per client, each with its own descriptor: no shared-variable race.",
          "echo_threaded"),
    _echo("echo-poll", "TCP echo server, one thread, poll()",
          "One thread serves every client, waiting with poll().", "echo_select"),
    _echo("echo-select", "TCP echo server, one thread, select()",
          "The same with select(), and its FD_SETSIZE limit.", "echo_select",
          "--mode", "select"),
    Program("udp-echo", "UDP echo server and client",
            "Datagrams: no connection, recvfrom() says who sent, sendto() answers.",
            client="udp_echo_client", server="udp_echo_server", server_args=("--count", "2"),
            clients=(("one datagram", "another"),)),
    Program("unix-stream", "UNIX-domain stream echo",
            "A file-system path as the address; the server removes it on exit.",
            client="unix_stream_client", server="unix_stream_server",
            server_args=("--count", "1"), clients=(("Hello over a UNIX socket!",),),
            address="path"),
    Program("unix-dgram", "UNIX-domain datagram echo",
            "Datagram clients bind a path of their own so the server can answer.",
            client="unix_dgram_client", server="unix_dgram_server",
            server_args=("--count", "2"), clients=(("one", "two"),), address="path"),
    Program("byteorder", "byte order and address conversion",
            "htons/htonl, inet_pton/ntop/aton/addr, and inet_addr's ambiguity.",
            client="byteorder", address=None),
    Program("command", "the safe command server",
            "A remote-command server that runs a fixed list of read-only commands, "
            "never a shell; the client uses shutdown(SHUT_WR).",
            client="command_client", server="command_server", server_args=("--count", "2"),
            clients=(("uname",), ("rm -rf /",))),
    Program("seed-welcome", "seed 000's own code, unchanged, on pysock",
            "The seed's server.py and client.py with `import pysock as socket`: "
            "existing socket code runs as it is (port 1234, fixed by the seed).",
            client="welcome_client", server="welcome_server", address="fixed",
            languages=("python",), stops_itself=False, directory="seeds", fixed_port=1234),
    Program("seed-hello", "seed 004 ported to Python, unchanged, on pysock",
            "The seed's C programs ported call for call to the socket API, run with "
            "`import pysock as socket` (port 12345, fixed by the seed).",
            client="hello_client", server="hello_server", address="fixed",
            languages=("python",), directory="seeds", fixed_port=12345),
]

# The behaviour scenarios, in the order a lab meets them (module names in
# pysock.labs.scenarios, with "-" for "_").
BEHAVIOURS: List[str] = [
    "recv-eof", "boundaries", "partial-write", "udp-truncate", "eaddrinuse", "reuseport",
    "listen-no-bind", "connrefused", "udp-connrefused", "close-shutdown", "sigpipe",
    "nonblocking", "backlog", "msg-peek", "msg-oob", "byte-order", "unix-path",
    "fork-reap", "eintr",
]


@dataclass(frozen=True)
class Scenario:
    """An entry of compare's catalogue: a behaviour, or a program pair."""

    name: str
    title: str
    teaches: str
    program: Optional[Program] = None
    why: Dict[str, str] = field(default_factory=dict)

    @property
    def default(self) -> bool:
        return self.program is None or self.program.default


def scenarios() -> List[Scenario]:
    """Every scenario compare knows: the program pairs with C and Python
    twins, then the behaviours."""
    found = [Scenario(p.name, p.title, p.teaches, program=p)
             for p in PROGRAMS if "c" in p.languages]
    for name in BEHAVIOURS:
        module = _scenarios.load(name)
        found.append(Scenario(name, module.TITLE, " ".join(module.TEACHES.split()),
                              why=dict(module.WHY)))
    return found


def program(name: str) -> Program:
    for candidate in PROGRAMS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
