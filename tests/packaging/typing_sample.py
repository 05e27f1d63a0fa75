"""A small program written against pysock, for mypy --strict (and to run).

tests/packaging/test_typing.py type-checks it against the installed pysock's
stub and runs it: loopback TCP and UDP only.
"""

from __future__ import annotations

import threading
from typing import List, Optional

import pysock as socket


def echo_once(listener: socket.socket) -> None:
    conn, _address = listener.accept()
    with conn:
        conn.settimeout(5.0)
        data = conn.recv(1024)
        conn.sendall(data.upper())


def tcp_round_trip(message: bytes) -> bytes:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port: int = listener.getsockname()[1]
        server = threading.Thread(target=echo_once, args=(listener,))
        server.start()
        with socket.create_connection(("127.0.0.1", port), timeout=5.0) as client:
            client.sendall(message)
            client.shutdown(socket.SHUT_WR)
            reader = client.makefile("rb")
            reply = reader.read()
            reader.close()
        server.join()
    return reply


def udp_disconnect() -> Optional[float]:
    a, b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with a, b:
        b.bind(("127.0.0.1", 0))
        a.connect(b.getsockname())
        a.disconnect()  # pysock's extra: dissolve the UDP association
        return a.gettimeout()


def pair_round_trip() -> int:
    left, right = socket.socketpair()
    with left, right:
        sent = left.send(b"ping")
        buffer = bytearray(8)
        received = right.recv_into(buffer)
        assert buffer[:received] == b"ping"
        return sent


def resolve() -> List[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(
        "127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM)})


def main() -> int:
    where: str = socket.backend if socket.backend_error is None else f"{socket.backend} ({socket.backend_error})"
    assert tcp_round_trip(b"hello") == b"HELLO"
    assert udp_disconnect() is None
    assert pair_round_trip() == 4
    assert resolve() == ["127.0.0.1"]
    assert socket.htons(1) in (1, 256)
    packed: bytes = socket.inet_pton(socket.AF_INET6, "::1")
    assert socket.inet_ntop(socket.AF_INET6, packed) == "::1"
    print(f"pysock {socket.__version__} on {where}: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
