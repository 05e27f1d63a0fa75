"""sigpipe: writing to a connection the peer has closed."""

import signal

from pysock.labs.scenarios.scenario import tcp_pair, wait_for

TITLE = "SIGPIPE vs BrokenPipeError"
TEACHES = """The first send() after the peer closed usually succeeds: the data
leaves, and the peer's kernel answers with a reset.  The next one fails with
EPIPE, and the kernel also sends the process SIGPIPE, whose default action
kills it: a C server dies, without a message, when a client goes away.  C
programs ignore SIGPIPE or pass MSG_NOSIGNAL; Python ignores SIGPIPE at
start-up, so it raises BrokenPipeError instead."""
WHY = {
    "second send, SIGPIPE as the runtime left it":
        "C's default action for SIGPIPE kills the process; Python ignores SIGPIPE "
        "from start-up, so the call fails with EPIPE: BrokenPipeError",
}


def run(socket, step):
    client, server = tcp_pair(socket)
    server.close()
    with client:
        with step("first send after the peer closed") as s:
            s.sent(client.send(b"hello"))
        wait_for(client, 0, 1000)  # the peer's kernel answers with a reset
        with step("second send, SIGPIPE as the runtime left it") as s:
            s.sent(client.send(b"hello"))
        previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        try:
            with step("send with SIGPIPE ignored") as s:
                s.sent(client.send(b"hello"))
        finally:
            signal.signal(signal.SIGPIPE, previous)
        with step("send with MSG_NOSIGNAL") as s:
            s.sent(client.send(b"hello", socket.MSG_NOSIGNAL))
