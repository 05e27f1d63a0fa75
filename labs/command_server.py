"""command_server: the lecture's remote-command server, made safe.  A client
sends one line naming a command; the server runs it with its output going
straight into the connection, then closes.

    python command_server.py [--host 127.0.0.1] [--port 5023] [--count N]

Safe as the C twin is (command_server.c): loopback by default; only the
read-only commands below, each with a fixed argument list (the client chooses
a name, never a command line); never a shell (subprocess without shell=True);
one request line of at most 64 bytes; a command is killed after 5 seconds.
"""

import subprocess
import sys

import pysock as socket
from pysock.labs import lab

COMMANDS = {
    "date": ["date"],
    "hostname": ["hostname"],
    "ls": ["ls", "-1", "/"],
    "uname": ["uname", "-sr"],
    "uptime": ["uptime"],
    "whoami": ["id", "-un"],
}
MAX_REQUEST = 64


def read_request(client: object) -> "str | None":
    """One request line, or None if it is longer than MAX_REQUEST bytes."""
    line = b""
    while len(line) < MAX_REQUEST:
        byte = client.recv(1)  # byte by byte: stop at the newline
        if not byte or byte == b"\n":
            break
        line += byte
    if len(line) == MAX_REQUEST:
        return None
    return line.rstrip(b"\r").decode("utf-8", "replace")


def answer(client: object, peer: object) -> None:
    line = read_request(client)
    if line is None:
        print(f"{peer} sent a request longer than {MAX_REQUEST} bytes: refused")
        client.sendall(b"request too long\n")
    elif line not in COMMANDS:
        print(f"{peer} asked for '{line}': not allowed")
        client.sendall(f"unknown command; allowed: {' '.join(COMMANDS)}\n".encode())
    else:
        print(f"{peer} asked for '{line}': running it")
        try:
            subprocess.run(COMMANDS[line], stdin=subprocess.DEVNULL,
                           stdout=client.fileno(), stderr=client.fileno(),
                           timeout=5, check=False)
        except OSError:  # e.g. the program is not installed
            client.sendall(f"the server could not run '{line}'\n".encode())
        except subprocess.TimeoutExpired:
            print(f"'{line}' ran for more than 5 s: killed", file=sys.stderr)


def finish(client: object) -> None:
    """End a connection without losing the answer: close() with unread input
    (the rest of a request that was too long) makes the kernel send RST, and
    the client may then get ECONNRESET instead of what we sent.  So: FIN
    first, then read and drop what is left (for one second at most)."""
    try:
        client.shutdown(socket.SHUT_WR)
        client.settimeout(1.0)
        total = 0
        while total < 65536:
            data = client.recv(4096)
            if not data:
                break
            total += len(data)
    except OSError:
        pass


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=5023, count=0)
    lab.on_stop()
    with lab.tcp_listen(opts.host, opts.port, 5) as server:
        clients = lab.Clients(server, opts.count)
        try:
            for client, peer in clients:
                with client:
                    answer(client, peer)
                    finish(client)
        finally:
            print(f"Served {clients.served} clients.")

if __name__ == "__main__":
    lab.start()
    lab.main(serve)
