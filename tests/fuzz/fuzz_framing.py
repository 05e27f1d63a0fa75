"""Length-prefixed framing (recv_msg): arbitrary bytes, as a peer might send
them, written into one end of a socketpair and read back frame by frame with
recv_msg on the other, on both backends: the same frames and the same error.
recv_msg comes with the fast paths; without it the harness skips."""

from __future__ import annotations

import socket as std_socket
import warnings

from fuzz_common import BACKENDS, Reader, Skip, outcome, same


def available() -> bool:
    return all(hasattr(api.socket, "recv_msg") for _, api in BACKENDS)


def read_frames(api, stream: bytes, max_size, eof: bool):
    a, b = api.socketpair()
    with a, b:
        b.settimeout(5)  # a frame cut short by EOF must fail, never wait
        a.sendall(stream)
        if eof:
            a.shutdown(std_socket.SHUT_WR)
        else:
            b.settimeout(0.0)
        frames = []
        for _ in range(64):
            got = outcome(b.recv_msg, max_size) if max_size is not None else outcome(b.recv_msg)
            frames.append(got)
            if got[0] != "ok":
                break
        return frames


def check(data: bytes) -> None:
    if not available():
        raise Skip("recv_msg is not in this pysock (it comes with the fast paths, csrc/loops.c)")
    r = Reader(data)
    max_size = r.pick([None, 0, 1, 4, 16, 255, 65536, -1, r.number(), "8"])
    eof = bool(r.uint() % 4)
    stream = r.take(len(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [(name, read_frames(api, stream, max_size, eof)) for name, api in BACKENDS]
    same(f"recv_msg({max_size!r}) over {stream!r}, eof={eof}", results)
