"""msg-oob: one urgent byte, announced by SIGURG to the socket's owner."""

import fcntl
import os
import signal

from pysock.labs.scenarios.scenario import POLLPRI, tcp_pair, wait_for

TITLE = "MSG_OOB and SIGURG"
TEACHES = """TCP's "out-of-band" data is a single urgent byte: send(MSG_OOB) marks
it, the receiving process (the socket's owner, set with fcntl F_SETOWN) gets
SIGURG, and recv(MSG_OOB) fetches that byte ahead of the rest, which a normal
recv() then reads without it.  Only the last urgent byte is kept; asking when
there is none is EINVAL.  Python: the same flags, and signal.signal(SIGURG)."""
WHY = {}


def run(socket, step):
    urgent = []
    previous = signal.signal(signal.SIGURG, lambda signum, frame: urgent.append(signum))
    client, server = tcp_pair(socket)
    try:
        with client, server:
            fcntl.fcntl(server.fileno(), fcntl.F_SETOWN, os.getpid())  # SIGURG goes to the owner
            client.sendall(b"hello")
            with step("send one byte with MSG_OOB") as s:
                s.sent(client.send(b"!", socket.MSG_OOB))
            wait_for(server, POLLPRI, 1000)
            with step("SIGURG reached the socket's owner") as s:
                s.value("yes" if urgent else "no")
            with step("recv(MSG_OOB): the urgent byte") as s:
                s.returned(server.recv(16, socket.MSG_OOB))
            with step("recv: the normal data, without it") as s:
                s.returned(server.recv(16))
            with step("recv(MSG_OOB) again: nothing urgent") as s:
                s.returned(server.recv(16, socket.MSG_OOB))
    finally:
        signal.signal(signal.SIGURG, previous)
