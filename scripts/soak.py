#!/usr/bin/env python3
"""Load and soak run of pysock over loopback, bounded in time and count.

Three phases, each selectable (--phases), each reporting connections, bytes,
errors, descriptors and RSS at its start and end:

churn  N TCP connections opened, one small exchange each, closed, one after
       the other as fast as the process can go.  The client closes with
       SO_LINGER {on, 0} (a reset): no side keeps TIME_WAIT, so 100,000
       connections from one source address never run out of ephemeral ports
       (EADDRNOTAVAIL would be counted as an error, not retried).
echo   C concurrent TCP connections, for T seconds, each sending framed
       messages (sequence number, length, CRC-32, payload) to an echo server
       and checking every echoed byte: corruption, reordering or loss is an
       error.  Non-blocking sockets under `selectors`; the server runs in a
       thread of this process with its own selector.
udp    A thread sends datagrams (sequence number, CRC-32, payload) as fast as
       it can for T seconds while the main thread receives: loss is allowed
       and reported; corruption, duplication and damaged sizes are errors.

The backend is --backend or PYSOCK_BACKEND (default: whatever `import pysock`
chose).  The run exits non-zero on any corruption, unexpected error,
descriptor growth, or RSS growth beyond --max-rss-growth-mib in a phase.
Everything stays on 127.0.0.1.  Linux: descriptors and RSS come from /proc/self.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import random
import resource
import selectors
import struct
import sys
import threading
import time
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional

LOOPBACK = "127.0.0.1"
BLOCK = random.Random(7).randbytes(1 << 17)   # payload source, fixed seed
MAX_PAYLOAD = 4096
UDP_MAX_PAYLOAD = 1400
ECHO_WINDOW = 32 * 1024      # bytes a client may have sent and not had back
DRAIN_SECONDS = 30.0         # how long the echo phase waits for the last bytes
FD_MARGIN = 64               # descriptors beyond the sockets a phase holds


# ---------------------------------------------------------------- measuring

def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@dataclass
class PhaseReport:
    """What one phase did; `errors` counts unexpected failures by kind."""
    phase: str
    backend: str
    seconds: float = 0.0
    connections: int = 0
    messages_sent: int = 0
    messages_received: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    lost: int = 0                  # UDP only: allowed, reported
    corrupted: int = 0
    duplicated: int = 0
    errors: Dict[str, int] = field(default_factory=dict)
    fds_start: int = 0
    fds_peak: int = 0              # echo only: with every connection open
    fds_end: int = 0
    rss_start_kib: int = 0
    rss_end_kib: int = 0
    failures: List[str] = field(default_factory=list)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def error_from(self, exc: BaseException) -> None:
        code = getattr(exc, "errno", None)
        name = errno.errorcode.get(code, "") if code else ""
        self.error(f"{type(exc).__name__}{'(' + name + ')' if name else ''}")

    def judge(self, max_rss_growth_kib: int) -> None:
        """Fill `failures` with every reason this phase fails the run."""
        if self.errors:
            self.failures.append(f"unexpected errors {self.errors}")
        if self.corrupted:
            self.failures.append(f"{self.corrupted} corrupted")
        if self.duplicated:
            self.failures.append(f"{self.duplicated} duplicated")
        if self.fds_end > self.fds_start:
            self.failures.append(f"descriptors grew {self.fds_start} -> {self.fds_end}")
        if self.rss_end_kib - self.rss_start_kib > max_rss_growth_kib:
            self.failures.append(f"RSS grew {self.rss_start_kib} -> {self.rss_end_kib} KiB"
                                 f" (bound {max_rss_growth_kib} KiB)")


def measured(phase: Callable[..., None]) -> Callable[..., PhaseReport]:
    """Run a phase between two descriptor and RSS readings."""
    def run(api: Any, backend: str, *args: Any) -> PhaseReport:
        report = PhaseReport(phase.__name__.replace("_phase", ""), backend)
        report.fds_start, report.rss_start_kib = open_fds(), rss_kib()
        started = time.monotonic()
        try:
            phase(api, report, *args)
        except Exception as exc:  # noqa: BLE001 - a soak reports, never dies
            report.error_from(exc)
        report.seconds = round(time.monotonic() - started, 3)
        report.fds_end, report.rss_end_kib = open_fds(), rss_kib()
        return report
    run.__name__ = phase.__name__
    return run


def payload(stream: int, seq: int, limit: int) -> bytes:
    """The payload of message `seq` of `stream`: a slice of BLOCK whose place
    and length both depend on (stream, seq), so a misplaced byte shows."""
    size = 1 + (seq * 7919 + stream * 31) % limit
    start = (seq * 104729 + stream * 1299709) % (len(BLOCK) - limit)
    return BLOCK[start:start + size]


def ensure_fd_limit(needed: int) -> int:
    """Raise the soft RLIMIT_NOFILE to the hard one if `needed` descriptors
    would not fit; SystemExit with the numbers if even the hard one is short."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if needed <= soft:
        return soft
    if hard != resource.RLIM_INFINITY and needed > hard:
        raise SystemExit(f"soak: needs {needed} descriptors, RLIMIT_NOFILE hard limit is "
                         f"{hard}: lower --echo-connections or raise the limit (ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# ------------------------------------------------------------------- churn

ABORTIVE_CLOSE = struct.pack("ii", 1, 0)   # SO_LINGER on, 0 s: close sends RST


@measured
def churn_phase(api: Any, report: PhaseReport, count: int) -> None:
    with api.socket(api.AF_INET, api.SOCK_STREAM) as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen(128)
        address = listener.getsockname()
        for number in range(count):
            try:
                churn_once(api, listener, address, number, report)
            except OSError as exc:
                report.error_from(exc)


def churn_once(api: Any, listener: Any, address: Any, number: int,
               report: PhaseReport) -> None:
    request = struct.pack("!Q", number) + payload(number, 0, 48)
    with api.socket(api.AF_INET, api.SOCK_STREAM) as client:
        client.settimeout(10.0)
        client.connect(address)
        server, _ = listener.accept()
        with server:
            server.settimeout(10.0)
            client.sendall(request)
            server.sendall(receive_exactly(server, len(request)))
            answer = receive_exactly(client, len(request))
            client.setsockopt(api.SOL_SOCKET, api.SO_LINGER, ABORTIVE_CLOSE)
    report.connections += 1
    report.messages_sent += 1
    report.bytes_sent += len(request)
    report.bytes_received += len(answer)
    if answer == request:
        report.messages_received += 1
    else:
        report.corrupted += 1


def receive_exactly(sock: Any, size: int) -> bytes:
    got = b""
    while len(got) < size:
        chunk = sock.recv(size - len(got))
        if not chunk:
            raise ConnectionError(f"EOF after {len(got)} of {size} bytes")
        got += chunk
    return got


# -------------------------------------------------------------------- echo

HEADER = struct.Struct("!QII")   # sequence number, payload length, CRC-32


def frame(stream: int, seq: int) -> bytes:
    body = payload(stream, seq, MAX_PAYLOAD)
    return HEADER.pack(seq, len(body), zlib.crc32(body)) + body


class EchoChecker:
    """The client end of one echo stream: what to send next, and the check
    of every echoed frame against the one sent under that sequence number."""

    def __init__(self, stream: int, report: PhaseReport) -> None:
        self.stream, self.report = stream, report
        self.next_send = self.next_receive = 0
        self.outgoing = bytearray()
        self.incoming = bytearray()
        self.in_flight = 0   # bytes sent and not yet echoed

    def fill(self) -> None:
        """Queue frames up to the window."""
        while self.in_flight + len(self.outgoing) < ECHO_WINDOW:
            self.outgoing += frame(self.stream, self.next_send)
            self.next_send += 1

    def sent(self, count: int) -> None:
        del self.outgoing[:count]
        self.in_flight += count
        self.report.bytes_sent += count

    def received(self, data: bytes) -> None:
        self.in_flight -= len(data)
        self.report.bytes_received += len(data)
        self.incoming += data
        while len(self.incoming) >= HEADER.size:
            seq, size, crc = HEADER.unpack_from(self.incoming)
            if size > MAX_PAYLOAD:       # a damaged header: nothing after it can be trusted
                self.report.corrupted += 1
                raise ConnectionError(f"stream {self.stream}: damaged header {seq, size, crc}")
            if len(self.incoming) < HEADER.size + size:
                return
            got = bytes(self.incoming[:HEADER.size + size])
            del self.incoming[:HEADER.size + size]
            self.check(seq, got)

    def check(self, seq: int, got: bytes) -> None:
        expected = frame(self.stream, self.next_receive)
        if seq != self.next_receive:
            self.report.error("reordered or lost frame")
        elif got != expected or zlib.crc32(got[HEADER.size:]) != HEADER.unpack_from(got)[2]:
            self.report.corrupted += 1
        self.report.messages_received += 1
        self.next_receive = seq + 1

    def idle(self) -> bool:
        return not self.outgoing and self.in_flight == 0


class EchoServer(threading.Thread):
    """Echoes every connection of `listener` until told to stop and all its
    connections have closed."""

    def __init__(self, api: Any, listener: Any, report: PhaseReport) -> None:
        super().__init__(name="soak echo server", daemon=True)
        self.api, self.listener, self.report = api, listener, report
        self.stopping = threading.Event()
        self.pending: Dict[Any, bytearray] = {}
        self.exceptions: List[BaseException] = []

    def run(self) -> None:
        try:
            self.serve()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            self.exceptions.append(exc)
        finally:
            for conn in list(self.pending):
                conn.close()

    def serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            self.listener.setblocking(False)
            selector.register(self.listener, selectors.EVENT_READ)
            while not (self.stopping.is_set() and not self.pending):
                for key, events in selector.select(timeout=0.2):
                    if key.fileobj is self.listener:
                        self.accept(selector)
                    elif events & selectors.EVENT_READ:
                        self.echo(selector, key.fileobj)
                    else:
                        self.flush(selector, key.fileobj)

    def accept(self, selector: Any) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return
            conn.setblocking(False)
            self.pending[conn] = bytearray()
            selector.register(conn, selectors.EVENT_READ)

    def echo(self, selector: Any, conn: Any) -> None:
        try:
            data = conn.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError as exc:
            self.drop(selector, conn, exc)
            return
        if not data:
            self.drop(selector, conn, None)
            return
        self.pending[conn] += data
        self.flush(selector, conn)

    def flush(self, selector: Any, conn: Any) -> None:
        out = self.pending[conn]
        try:
            del out[:conn.send(out)]
        except BlockingIOError:
            pass
        except OSError as exc:
            self.drop(selector, conn, exc)
            return
        # Stop reading while the peer is not taking its echo: back-pressure.
        selector.modify(conn, selectors.EVENT_WRITE if out else selectors.EVENT_READ)

    def drop(self, selector: Any, conn: Any, exc: Optional[BaseException]) -> None:
        """Close a connection the client ended; a failure counts as an error
        unless the phase is over (the client may then close with data in flight)."""
        if exc is not None and not self.stopping.is_set():
            self.report.error_from(exc)
        selector.unregister(conn)
        del self.pending[conn]
        conn.close()


@measured
def echo_phase(api: Any, report: PhaseReport, connections: int, seconds: float) -> None:
    ensure_fd_limit(open_fds() + 2 * connections + FD_MARGIN)
    listener = api.socket(api.AF_INET, api.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(connections)
    server = EchoServer(api, listener, report)
    server.start()
    clients: Dict[Any, EchoChecker] = {}
    try:
        for number in range(connections):
            sock = api.socket(api.AF_INET, api.SOCK_STREAM)
            clients[sock] = EchoChecker(number, report)
            sock.settimeout(10.0)
            sock.connect(listener.getsockname())
            sock.setblocking(False)
            report.connections += 1
        drive_echo_clients(clients, report, seconds)
        report.fds_peak = open_fds()   # every connection echoed: both ends open
    finally:
        for sock in clients:
            sock.close()
        server.stopping.set()
        server.join(timeout=DRAIN_SECONDS)
        if server.is_alive():
            report.error("echo server did not stop")
        for exc in server.exceptions:
            report.error_from(exc)
        listener.close()
    report.messages_sent = sum(checker.next_send for checker in clients.values())


def drive_echo_clients(clients: Dict[Any, EchoChecker], report: PhaseReport,
                       seconds: float) -> None:
    """Send and check until `seconds` pass, then until every byte came back
    (or DRAIN_SECONDS more pass: what is still out then is lost)."""
    sending_until = time.monotonic() + seconds
    draining_until = sending_until + DRAIN_SECONDS
    masks: Dict[Any, int] = {}
    with selectors.DefaultSelector() as selector:
        for sock in clients:
            masks[sock] = selectors.EVENT_READ | selectors.EVENT_WRITE
            selector.register(sock, masks[sock])
        live = set(clients)
        while live:
            now = time.monotonic()
            sending = now < sending_until
            if not sending and now > draining_until:
                break
            for key, events in selector.select(timeout=0.5):
                sock, checker = key.fileobj, clients[key.fileobj]
                try:
                    if events & selectors.EVENT_READ:
                        data = sock.recv(1 << 16)
                        if not data:
                            raise ConnectionError("server closed the connection")
                        checker.received(data)
                    if sending:
                        checker.fill()
                    if checker.outgoing:
                        checker.sent(sock.send(checker.outgoing))
                except BlockingIOError:
                    pass
                except OSError as exc:
                    report.error_from(exc)
                    selector.unregister(sock)
                    live.discard(sock)
                    continue
                if not sending and checker.idle():
                    selector.unregister(sock)
                    live.discard(sock)
                    continue
                want = selectors.EVENT_READ | (selectors.EVENT_WRITE if checker.outgoing
                                               or (sending and checker.in_flight < ECHO_WINDOW)
                                               else 0)
                if want != masks[sock]:
                    masks[sock] = want
                    selector.modify(sock, want)
    unechoed = sum(checker.in_flight + len(checker.outgoing) for checker in clients.values())
    if unechoed:
        report.error(f"{unechoed} bytes never echoed")


# --------------------------------------------------------------------- udp

DATAGRAM = struct.Struct("!QI")   # sequence number, CRC-32 of the payload
DUPLICATE_WINDOW = 1 << 16        # sequence numbers a duplicate is looked for in


def datagram(seq: int) -> bytes:
    body = payload(0, seq, UDP_MAX_PAYLOAD)
    return DATAGRAM.pack(seq, zlib.crc32(body)) + body


class UdpChecker:
    """Receiver-side accounting: which sequence numbers came, within a
    window behind the highest one seen (older arrivals are counted as late,
    since they can no longer be told from duplicates)."""

    def __init__(self, report: PhaseReport) -> None:
        self.report = report
        self.next_expected = 0
        self.missing: set = set()    # gaps below next_expected, within the window
        self.late = 0

    def received(self, data: bytes) -> None:
        self.report.bytes_received += len(data)
        if len(data) < DATAGRAM.size:
            self.report.corrupted += 1
            return
        seq, crc = DATAGRAM.unpack_from(data)
        body = data[DATAGRAM.size:]
        if zlib.crc32(body) != crc or data != datagram(seq):
            self.report.corrupted += 1
            return
        self.report.messages_received += 1
        if seq >= self.next_expected:
            self.missing.update(range(self.next_expected, seq))
            self.next_expected = seq + 1
            if len(self.missing) > DUPLICATE_WINDOW:
                horizon = self.next_expected - DUPLICATE_WINDOW
                self.missing = {gap for gap in self.missing if gap >= horizon}
        elif seq in self.missing:
            self.missing.discard(seq)
        elif seq >= self.next_expected - DUPLICATE_WINDOW:
            self.report.duplicated += 1
        else:
            self.late += 1
            self.report.error("arrived beyond the duplicate window")


@measured
def udp_phase(api: Any, report: PhaseReport, seconds: float) -> None:
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as receiver, \
            api.socket(api.AF_INET, api.SOCK_DGRAM) as sender:
        receiver.bind((LOOPBACK, 0))
        receiver.settimeout(1.0)
        sender.connect(receiver.getsockname())
        checker = UdpChecker(report)
        done = threading.Event()
        failures: List[BaseException] = []

        def send_all() -> None:
            try:
                deadline = time.monotonic() + seconds
                seq = 0
                while time.monotonic() < deadline:
                    sent = sender.send(datagram(seq))
                    report.bytes_sent += sent
                    seq += 1
                report.messages_sent = seq
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                failures.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=send_all, name="soak udp sender", daemon=True)
        thread.start()
        while True:
            try:
                checker.received(receiver.recv(1 << 16))
            except api.timeout:
                if done.is_set():
                    break
        thread.join()
        for exc in failures:
            report.error_from(exc)
        report.connections = 1
        report.lost = report.messages_sent - report.messages_received + report.duplicated


# ------------------------------------------------------------------ driving

@dataclass
class Config:
    phases: List[str]
    churn_connections: int = 10_000
    echo_connections: int = 1_000
    echo_seconds: float = 60.0
    udp_seconds: float = 60.0
    max_rss_growth_mib: float = 64.0


SHORT = dict(churn_connections=2_000, echo_connections=200, echo_seconds=10.0,
             udp_seconds=10.0)
PHASES = ("churn", "echo", "udp")


def run_soak(api: Any, backend: str, config: Config) -> List[PhaseReport]:
    """Every phase of `config` on the socket module `api`, judged."""
    reports = []
    for phase in config.phases:
        if phase == "churn":
            report = churn_phase(api, backend, config.churn_connections)
        elif phase == "echo":
            report = echo_phase(api, backend, config.echo_connections, config.echo_seconds)
        elif phase == "udp":
            report = udp_phase(api, backend, config.udp_seconds)
        else:
            raise ValueError(f"no phase {phase!r}; phases are {', '.join(PHASES)}")
        report.judge(int(config.max_rss_growth_mib * 1024))
        reports.append(report)
    return reports


def table(reports: List[PhaseReport]) -> str:
    columns = ("phase", "backend", "seconds", "conns", "msgs sent", "msgs recv", "MB sent",
               "MB recv", "lost", "corrupt", "dup", "errors", "fds", "RSS MiB", "verdict")
    rows = [columns]
    for r in reports:
        rows.append((r.phase, r.backend, f"{r.seconds:.1f}", str(r.connections),
                     str(r.messages_sent), str(r.messages_received),
                     f"{r.bytes_sent / 1e6:.1f}", f"{r.bytes_received / 1e6:.1f}",
                     str(r.lost), str(r.corrupted), str(r.duplicated),
                     str(sum(r.errors.values())),
                     "->".join(str(n) for n in (r.fds_start, r.fds_peak, r.fds_end) if n),
                     f"{r.rss_start_kib / 1024:.0f}->{r.rss_end_kib / 1024:.0f}",
                     "ok" if not r.failures else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in rows]
    for r in reports:
        lines.extend(f"{r.phase}: {failure}" for failure in r.failures)
    return "\n".join(lines)


def load_backend(name: Optional[str]) -> Any:
    """(socket module, backend name): --backend, else PYSOCK_BACKEND, else auto."""
    import pysock
    from pysock import backends
    if name:
        return backends.load(name), name
    return backends.load(pysock.backend), pysock.backend


def parse_arguments(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("cffi", "stdlib"),
                        help="default: PYSOCK_BACKEND, else what `import pysock` chose")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help="comma-separated, from: %(default)s")
    parser.add_argument("--short", action="store_true",
                        help="the CI variant: 2,000 churn, 200 echo connections for 10 s, "
                             "UDP 10 s (other options still override)")
    parser.add_argument("--churn-connections", type=int)
    parser.add_argument("--echo-connections", type=int)
    parser.add_argument("--echo-seconds", type=float)
    parser.add_argument("--udp-seconds", type=float)
    parser.add_argument("--max-rss-growth-mib", type=float,
                        help=f"RSS growth a phase may show (default {Config.max_rss_growth_mib})")
    parser.add_argument("--json", metavar="PATH", help="write the reports here as JSON")
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> Config:
    config = Config(phases=[p.strip() for p in args.phases.split(",") if p.strip()])
    if args.short:
        for name, value in SHORT.items():
            setattr(config, name, value)
    for name in ("churn_connections", "echo_connections", "echo_seconds", "udp_seconds",
                 "max_rss_growth_mib"):
        if getattr(args, name) is not None:
            setattr(config, name, getattr(args, name))
    unknown = set(config.phases) - set(PHASES)
    if unknown:
        raise SystemExit(f"soak: no phase {', '.join(sorted(unknown))}; "
                         f"phases are {', '.join(PHASES)}")
    return config


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_arguments(argv)
    config = config_from(args)
    api, backend = load_backend(args.backend)
    reports = run_soak(api, backend, config)
    print(table(reports))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"config": asdict(config), "python": sys.version.split()[0],
                       "cpus": os.cpu_count(), "phases": [asdict(r) for r in reports]},
                      out, indent=2)
    return 1 if any(r.failures for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
