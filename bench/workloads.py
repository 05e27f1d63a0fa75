"""The Python side of every workload, written once against a socket module.

    python bench/workloads.py MODULE WORKLOAD ARGS...

MODULE is ``socket`` (the standard library) or ``pysock`` (whichever backend
PYSOCK_BACKEND selects).  Each workload does exactly what its twin in bench/c/
does and prints one JSON line, ``{"row": {"ops": N, "seconds": S}, ...}``; a
row whose pysock API is missing prints ``{"row": {"missing": "API missing"}}``.

Where pysock has a fast path (recv_exactly, send_msg/recv_msg, try_recv,
sendmmsg/recvmmsg_into), the stdlib variant runs what a Python programmer
writes with the standard library instead (``stdlib_*`` below), so a row
compares the two ways of doing the same work.  Every timed loop is preceded by
a tenth of its length untimed, so PyPy's JIT has compiled it.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import selectors
import struct
import subprocess
import sys
import time

now = time.perf_counter
HEADER = struct.Struct(">I")
MISSING = {"missing": "API missing"}


def row(ops: float, seconds: float) -> dict:
    return {"ops": ops, "seconds": seconds}


def warm(count: int) -> int:
    return count // 10 + 1


# --- the standard library's way of doing what pysock has a fast path for ---

def stdlib_recv_exactly(sock, n: int) -> bytes:
    data = sock.recv(n)
    if len(data) == n:
        return data
    parts, got = [data], len(data)
    while got < n:
        chunk = sock.recv(n - got)
        if not chunk:
            raise EOFError(f"{got} of {n} bytes")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def stdlib_send_msg(sock, data: bytes) -> None:
    sock.sendall(HEADER.pack(len(data)) + data)


def stdlib_recv_msg(sock) -> bytes:
    (size,) = HEADER.unpack(stdlib_recv_exactly(sock, 4))
    return stdlib_recv_exactly(sock, size)


class Workloads:
    """The workloads on one socket module; ``fast`` says whether to call
    pysock's fast-path API (pysock) or the stdlib equivalent (socket)."""

    def __init__(self, sk) -> None:
        self.sk = sk
        self.fast = sk.__name__ != "socket"

    def has(self, obj, *names: str) -> bool:
        return all(hasattr(obj, name) for name in names)

    # -- helpers --

    def tcp_listener(self, backlog: int = 1):
        sk = self.sk
        lsock = sk.socket(sk.AF_INET, sk.SOCK_STREAM)
        lsock.setsockopt(sk.SOL_SOCKET, sk.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(backlog)
        return lsock

    def tcp_pair(self, nodelay: bool):
        sk = self.sk
        with self.tcp_listener() as lsock:
            a = sk.socket(sk.AF_INET, sk.SOCK_STREAM)
            a.connect(lsock.getsockname())
            b, _ = lsock.accept()
        if nodelay:
            for s in (a, b):
                s.setsockopt(sk.IPPROTO_TCP, sk.TCP_NODELAY, 1)
        return a, b

    @staticmethod
    def in_child(body) -> int:
        """Runs body() in a forked child that exits with its status."""
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                body()
                code = 0
            finally:
                os._exit(code)
        return pid

    @staticmethod
    def reap(pid: int) -> None:
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"child failed: status {status}")

    @staticmethod
    def driver_result(proc: subprocess.Popen) -> dict:
        out, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"driver failed: {proc.returncode}")
        return json.loads(out)

    # -- workloads --

    def pingpong(self, rounds: int) -> dict:
        sk = self.sk
        a, b = sk.socketpair(sk.AF_UNIX, sk.SOCK_STREAM)
        unix_s = self._pingpong(a, b, rounds)
        a, b = self.tcp_pair(nodelay=True)
        tcp_s = self._pingpong(a, b, rounds)
        return {"pingpong_unix": row(rounds, unix_s), "pingpong_tcp": row(rounds, tcp_s)}

    def _pingpong(self, mine, theirs, rounds: int) -> float:
        def echo() -> None:
            mine.close()
            send, recv = theirs.send, theirs.recv
            while True:
                data = recv(1)
                if not data:
                    return
                send(data)

        pid = self.in_child(echo)
        theirs.close()
        send, recv = mine.send, mine.recv
        byte = b"x"
        for _ in range(warm(rounds)):
            send(byte)
            recv(1)
        t0 = now()
        for _ in range(rounds):
            send(byte)
            recv(1)
        t1 = now()
        mine.close()
        self.reap(pid)
        return t1 - t0

    def stream(self, total: int, chunk: int) -> dict:
        a, b = self.tcp_pair(nodelay=False)
        data = bytes(chunk)

        def send() -> None:
            b.close()
            a.recv(1)
            sendall = a.sendall
            for _ in range(total // chunk):
                sendall(data)
            a.close()

        pid = self.in_child(send)
        a.close()
        buf = bytearray(chunk)
        recv_into = b.recv_into
        got = 0
        t0 = now()
        b.sendall(b"g")
        while True:
            n = recv_into(buf)
            if not n:
                break
            got += n
        t1 = now()
        b.close()
        self.reap(pid)
        if got != total:
            raise RuntimeError(f"stream: {got} of {total} bytes")
        return {"stream_tcp": row(total, t1 - t0)}

    def udp(self, count: int, batch: int) -> dict:
        sk = self.sk
        tx = sk.socket(sk.AF_INET, sk.SOCK_DGRAM)
        rx = sk.socket(sk.AF_INET, sk.SOCK_DGRAM)
        tx.bind(("127.0.0.1", 0))
        rx.bind(("127.0.0.1", 0))
        to = rx.getsockname()
        msg = bytes(64)
        rounds = count // batch
        sendto, recvfrom = tx.sendto, rx.recvfrom

        def percall(n: int) -> None:
            for _ in range(n):
                for _ in range(batch):
                    sendto(msg, to)
                for _ in range(batch):
                    recvfrom(2048)

        percall(warm(rounds))
        t0 = now()
        percall(rounds)
        result = {"udp_percall": row(rounds * batch, now() - t0)}

        if not self.fast:
            # The standard library has no sendmmsg/recvmmsg: its batch is the
            # same loop.
            bufs = [bytearray(2048) for _ in range(batch)]
            recv_into = rx.recvfrom_into

            def batched(n: int) -> None:
                for _ in range(n):
                    for _ in range(batch):
                        sendto(msg, to)
                    for buf in bufs:
                        recv_into(buf)
        elif self.has(tx, "sendmmsg", "recvmmsg_into"):
            bufs = [bytearray(2048) for _ in range(batch)]
            msgs = [msg] * batch
            sendmmsg, recvmmsg_into = tx.sendmmsg, rx.recvmmsg_into

            def batched(n: int) -> None:
                for _ in range(n):
                    if sendmmsg(msgs, to) != batch:
                        raise RuntimeError("sendmmsg: short batch")
                    got = len(recvmmsg_into(bufs))
                    while got < batch:
                        got += len(recvmmsg_into(bufs[got:]))
        else:
            batched = None
        if batched is None:
            result["udp_batched"] = MISSING
        else:
            batched(warm(rounds))
            t0 = now()
            batched(rounds)
            result["udp_batched"] = row(rounds * batch, now() - t0)
        tx.close()
        rx.close()
        return result

    def echo(self, conns: int, rounds: int, msgsize: int, driver: str) -> dict:
        """A selectors echo server, driven by the C load generator."""
        sk = self.sk
        lsock = self.tcp_listener(128)
        proc = subprocess.Popen([driver, "loadgen", str(lsock.getsockname()[1]),
                                 str(conns), str(rounds), str(msgsize)],
                                stdout=subprocess.PIPE)
        sel = selectors.DefaultSelector()
        sel.register(lsock, selectors.EVENT_READ)
        closed = 0
        while closed < conns:
            for key, _ in sel.select():
                sock = key.fileobj
                if sock is lsock:
                    conn, _ = lsock.accept()
                    conn.setblocking(False)
                    conn.setsockopt(sk.IPPROTO_TCP, sk.TCP_NODELAY, 1)
                    sel.register(conn, selectors.EVENT_READ)
                    continue
                data = sock.recv(4096)
                if data:
                    sock.sendall(data)
                else:
                    sel.unregister(sock)
                    sock.close()
                    closed += 1
        sel.close()
        lsock.close()
        return self.driver_result(proc)

    def calls(self, n: int) -> dict:
        sk = self.sk
        result = {}

        def timed(name: str, body, count: int = n) -> None:
            body(warm(count))
            t0 = now()
            body(count)
            result[name] = row(count, now() - t0)

        def htons(k: int) -> None:
            f = sk.htons
            for _ in range(k):
                f(4660)

        def inet_pton(k: int) -> None:
            f, family = sk.inet_pton, sk.AF_INET
            for _ in range(k):
                f(family, "192.0.2.33")

        packed = sk.inet_pton(sk.AF_INET, "192.0.2.33")

        def inet_ntop(k: int) -> None:
            f, family = sk.inet_ntop, sk.AF_INET
            for _ in range(k):
                f(family, packed)

        def socket_close(k: int) -> None:
            make, family, kind = sk.socket, sk.AF_INET, sk.SOCK_STREAM
            for _ in range(k):
                make(family, kind).close()

        a, b = sk.socketpair(sk.AF_UNIX, sk.SOCK_STREAM)
        a.setblocking(False)

        def getsockopt(k: int) -> None:
            f, level, opt = a.getsockopt, sk.SOL_SOCKET, sk.SO_RCVBUF
            for _ in range(k):
                f(level, opt)

        def recv_raise(k: int) -> None:
            recv = a.recv
            for _ in range(k):
                try:
                    recv(64)
                except BlockingIOError:
                    pass

        def try_recv(k: int) -> None:
            f = a.try_recv
            for _ in range(k):
                if f(64) is not None:
                    raise RuntimeError("try_recv: data on an empty socket")

        timed("htons", htons)
        timed("inet_pton", inet_pton)
        timed("inet_ntop", inet_ntop)
        timed("socket_close", socket_close, n // 10 + 1)
        timed("getsockopt", getsockopt)
        timed("recv_empty_raise", recv_raise)
        if not self.fast:
            timed("recv_empty_noraise", recv_raise)     # the stdlib has no other way
        elif self.has(a, "try_recv"):
            timed("recv_empty_noraise", try_recv)
        else:
            result["recv_empty_noraise"] = MISSING
        a.close()
        b.close()
        return result

    def accept(self, count: int, driver: str) -> dict:
        lsock = self.tcp_listener(128)
        proc = subprocess.Popen([driver, "connector", str(lsock.getsockname()[1]), str(count)],
                                stdout=subprocess.PIPE)
        accept = lsock.accept
        for _ in range(count + warm(count)):
            accept()[0].close()
        lsock.close()
        return self.driver_result(proc)

    def sendfile(self, path: str, driver: str) -> dict:
        lsock = self.tcp_listener()
        proc = subprocess.Popen([driver, "sink", str(lsock.getsockname()[1])])
        conn, _ = lsock.accept()
        lsock.close()
        with open(path, "rb") as f:
            t0 = now()
            sent = conn.sendfile(f)
            conn.shutdown(self.sk.SHUT_WR)
            if conn.recv(1) != b"k":
                raise RuntimeError("sendfile: no acknowledgement")
            t1 = now()
        conn.close()
        if proc.wait(timeout=600) != 0:
            raise RuntimeError("sendfile: sink failed")
        return {"sendfile": row(sent, t1 - t0)}

    def loops(self, total_1k: int, total_64k: int, driver: str) -> dict:
        result = {}
        for size, name, total in ((1024, "1k", total_1k), (65536, "64k", total_64k)):
            result[f"sendall_{name}"] = self._sending(total, size, driver, framed=False)
            result[f"recv_exactly_{name}"] = self._receiving(total, size, driver, framed=False)
            result[f"send_msg_{name}"] = self._sending(total, size, driver, framed=True)
            result[f"recv_msg_{name}"] = self._receiving(total, size, driver, framed=True)
        return result

    def _peer(self, driver: str, *args):
        """A socketpair whose far end the C driver holds, and the driver."""
        sk = self.sk
        mine, theirs = sk.socketpair(sk.AF_UNIX, sk.SOCK_STREAM)
        fd = theirs.fileno()
        proc = subprocess.Popen([driver, args[0], str(fd), *map(str, args[1:])], pass_fds=[fd])
        theirs.close()
        return mine, proc

    def _finish(self, mine, proc) -> None:
        mine.close()
        if proc.wait(timeout=600) != 0:
            raise RuntimeError("driver failed")

    def _sending(self, total: int, size: int, driver: str, framed: bool) -> dict:
        if framed and self.fast and not self.has(self.sk.socket, "send_msg"):
            return MISSING
        mine, proc = self._peer(driver, "sink_fd")
        data, count = bytes(size), total // size
        if not framed:
            send = mine.sendall
        elif not self.fast:
            def send(payload, sock=mine):
                stdlib_send_msg(sock, payload)
        else:
            send = mine.send_msg
        t0 = now()
        for _ in range(count):
            send(data)
        mine.shutdown(self.sk.SHUT_WR)
        if mine.recv(1) != b"k":
            raise RuntimeError("sink: no acknowledgement")
        t1 = now()
        self._finish(mine, proc)
        return row(total, t1 - t0)

    def _receiving(self, total: int, size: int, driver: str, framed: bool) -> dict:
        api = "recv_msg" if framed else "recv_exactly"
        if self.fast and not self.has(self.sk.socket, api):
            return MISSING
        mine, proc = self._peer(driver, "source_fd", total, size, int(framed))
        count = total // size
        if not self.fast:
            if framed:
                def receive(sock=mine):
                    return stdlib_recv_msg(sock)
            else:
                def receive(sock=mine, size=size):
                    return stdlib_recv_exactly(sock, size)
        elif framed:
            receive = mine.recv_msg
        else:
            def receive(f=mine.recv_exactly, size=size):
                return f(size)
        t0 = now()
        mine.sendall(b"g")
        for _ in range(count):
            if len(receive()) != size:
                raise RuntimeError("short message")
        t1 = now()
        self._finish(mine, proc)
        return row(total, t1 - t0)

    def proxy(self, total: int, driver: str) -> dict:
        """Forwards `total` bytes from the C source to the C sink: pysock with
        splice through a pipe, the stdlib with the usual recv_into + sendall
        copy loop (os.splice exists since 3.10, but that is os, not socket)."""
        if self.fast and not hasattr(self.sk, "splice"):
            return {"splice_proxy": MISSING}
        src, source = self._peer(driver, "source_fd", total, 65536, 0)
        dst, sink = self._peer(driver, "sink_fd")
        moved = 0
        t0 = now()
        src.sendall(b"g")
        if self.fast:
            splice, pipe_r, pipe_w = self.sk.splice, *os.pipe()
            while True:
                n = splice(src, pipe_w, 65536)
                if not n:
                    break
                moved += n
                while n:
                    n -= splice(pipe_r, dst, n)
            os.close(pipe_r)
            os.close(pipe_w)
        else:
            buf = bytearray(65536)
            view, recv_into, sendall = memoryview(buf), src.recv_into, dst.sendall
            while True:
                n = recv_into(buf)
                if not n:
                    break
                moved += n
                sendall(view[:n])
        dst.shutdown(self.sk.SHUT_WR)
        if dst.recv(1) != b"k":
            raise RuntimeError("sink: no acknowledgement")
        t1 = now()
        self._finish(src, source)
        self._finish(dst, sink)
        return {"splice_proxy": row(moved, t1 - t0)}

    def memory(self, calls: int) -> dict:
        sk = self.sk
        a, b = sk.socketpair(sk.AF_UNIX, sk.SOCK_STREAM)
        send, recv, msg = a.send, b.recv, bytes(64)
        for _ in range(10000):      # caches, free lists, JIT: before the first reading
            send(msg)
            recv(64)
        start = rss_kib()
        for _ in range(calls // 2):
            send(msg)
            recv(64)
        end = rss_kib()
        a.close()
        b.close()
        return {"rss_start": row(start, 0), "rss_end": row(end, 0)}

    def mmap(self, count: int) -> dict:
        sk = self.sk
        a, b = sk.socketpair(sk.AF_UNIX, sk.SOCK_STREAM)
        msg = bytes(64)
        for _ in range(count):
            a.send(msg)
            if len(b.recv(1 << 20)) != 64:
                raise RuntimeError("recv: short read")
        a.close()
        b.close()
        return {"recv_1mib": row(count, 0)}


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        resident = int(f.read().split()[1])
    return resident * os.sysconf("SC_PAGESIZE") // 1024


def main(argv: "list[str]") -> int:
    module, name, *args = argv
    if module not in ("socket", "pysock"):
        raise SystemExit(f"unknown module {module!r}")
    workloads = Workloads(importlib.import_module(module))
    params = [int(a) if a.lstrip("-").isdigit() else a for a in args]
    result = getattr(workloads, name)(*params)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(errno.EPIPE)
