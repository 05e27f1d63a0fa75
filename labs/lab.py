"""What the Python lab programs share: the twin of lab.h.

    start()        line-buffered stdout (Python already ignores SIGPIPE: a
                   write to a closed peer raises BrokenPipeError)
    options()      --host --port --path --count --mode --delay, positional
    main()         runs a program; an OSError ends it with exit status 1
    perror()       what C's perror() prints, for an error the program survives
    tcp_listen()   socket, SO_REUSEADDR, bind, listen; prints the port
    tcp_connect()  socket, connect
    Clients        a server's accept loop, until --count clients
    on_stop()      SIGTERM ends a server the way Ctrl-C does
    echo()         send back whatever arrives until the peer closes
    serve_echo()   a TCP echo server's part for one client, with its messages
    echo_request() send a message, read the echo back (however many recv()
                   calls it takes), print it
    unix_bind()    bind a UNIX socket to a path, removing a stale file

The programs import ``pysock as socket``: the backend is the one
PYSOCK_BACKEND selects (cffi or stdlib).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from typing import Any, Callable, Optional

import pysock as socket

OPTIONS = {
    "host": ("-H", dict(metavar="HOST", help="address to bind to or connect to")),
    "port": ("-p", dict(type=int, metavar="PORT", help="TCP/UDP port (0: the kernel chooses)")),
    "path": ("-P", dict(metavar="PATH", help="UNIX-domain socket path")),
    "count": ("-n", dict(type=int, metavar="N", help="clients or datagrams to serve (0: forever)")),
    "mode": ("-m", dict(metavar="MODE", help="program-specific mode")),
    "delay": ("-d", dict(type=int, metavar="MS", help="milliseconds to wait before sending")),
}


def start() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]


def options(description: str, args: Optional[str] = None, choices: Any = None,
            **defaults: Any) -> argparse.Namespace:
    """Parse the options named in `defaults` (each with its default value);
    `args` names the positional arguments (any number of them)."""
    parser = argparse.ArgumentParser(description=description)
    for name, default in defaults.items():
        flag, spec = OPTIONS[name]
        extra = {"choices": choices} if name == "mode" and choices else {}
        parser.add_argument(flag, f"--{name}", default=default, **spec, **extra)
    if args:
        parser.add_argument("args", nargs="*", metavar=args)
    parsed = parser.parse_args()
    for name in ("port",):
        value = getattr(parsed, name, None)
        if value is not None and not 0 <= value <= 65535:
            parser.error("--port must be a number from 0 to 65535")
    return parsed


def main(program: Callable[[], Any]) -> None:
    """Run `program`; a socket error ends it as perror() + exit(1) would."""
    try:
        program()
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        name = errno.errorcode.get(exc.errno or 0, "")
        print(f"error: {exc.strerror or exc}" + (f" ({name})" if name else ""),
              file=sys.stderr)
        sys.exit(1)


def perror(what: str, exc: OSError) -> None:
    """What C's perror(what) prints for this error, on stderr."""
    print(f"{what}: {exc.strerror or exc}", file=sys.stderr)


def on_stop() -> None:
    """SIGTERM interrupts a blocked call and ends the program, like Ctrl-C."""
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)


def listening(where: Any) -> None:
    print(f"Server is listening on {'port ' + str(where) if isinstance(where, int) else where}...")


def tcp_listen(host: str, port: int, backlog: int = 5) -> Any:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Restart at once, even with connections in TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    listening(sock.getsockname()[1])
    return sock


class Clients:
    """A server's accept loop: ``for client, peer in Clients(server, count)``
    yields each accepted connection until `count` were served (0: forever);
    ``served`` counts them.  SIGINT/SIGTERM end it with KeyboardInterrupt."""

    def __init__(self, server: Any, count: int) -> None:
        self.server = server
        self.count = count
        self.served = 0

    def __iter__(self) -> Any:
        while self.count == 0 or self.served < self.count:
            connection = self.server.accept()
            self.served += 1
            yield connection


def tcp_connect(host: str, port: int) -> Any:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.connect((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def echo(conn: Any) -> None:
    """The echo service: send back every byte until recv() returns b''."""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        conn.sendall(data)


def serve_echo(client: Any, peer: Any) -> None:
    """What each TCP echo server does for one client, whichever process or
    thread runs it."""
    print(f"Connection from {peer} has been established.")
    try:
        echo(client)
    except OSError as exc:  # this client's trouble: the server goes on
        perror("echo", exc)
    print(f"Connection from {peer} closed.")


def echo_request(sock: Any, message: str) -> None:
    """The echo client's part: TCP has no message boundaries, so it reads
    until as many bytes came back as it sent, whatever the number of recv()s."""
    data = message.encode()
    sock.sendall(data)
    reply = b""
    while len(reply) < len(data):
        chunk = sock.recv(len(data) - len(reply))
        if not chunk:
            sys.exit(f"the server closed the connection after {len(reply)} of "
                     f"{len(data)} bytes")
        reply += chunk
    print(f"Echo from server: {reply.decode()}")


def sleep_ms(ms: int) -> None:
    if ms:
        import time
        time.sleep(ms / 1000)


def unix_bind(sock: Any, path: str) -> None:
    """bind() to a path.  A socket file outlives its server: on EADDRINUSE,
    try to connect; ConnectionRefusedError means nobody is behind the file,
    so it is stale and can go.  A live server's file is never removed."""
    try:
        sock.bind(path)
        return
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
    with socket.socket(socket.AF_UNIX, sock.type) as probe:
        try:
            probe.connect(path)
        except ConnectionRefusedError:
            pass
        else:
            raise SystemExit(f"{path}: another server is using this path")
    print(f"Removing the stale socket file {path}")
    os.unlink(path)
    sock.bind(path)


def remove_path(path: str) -> None:
    """Unlink a UNIX socket path if it is there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
