"""nonblocking: O_NONBLOCK, and a timeout the Python way (settimeout)."""

import fcntl
import os

from pysock.labs.scenarios.scenario import tcp_pair

TITLE = "O_NONBLOCK vs timeouts"
TEACHES = """On a non-blocking socket (fcntl O_NONBLOCK in C, setblocking(False)
in Python) a recv() with nothing to read fails at once with EAGAIN, in Python
BlockingIOError.  Timeouts differ: C sets SO_RCVTIMEO, and the blocking recv()
fails with EAGAIN when it expires; Python's settimeout() makes the descriptor
non-blocking and waits with poll(), raising TimeoutError ("timed out") when
it expires (`python -m pysock trace nonblocking` shows the poll()).
MSG_DONTWAIT makes one call non-blocking on a blocking socket."""
WHY = {
    "recv with a 50 ms timeout":
        "C's timeout is SO_RCVTIMEO: recv fails with EAGAIN; Python's settimeout() "
        "polls and raises TimeoutError",
    "is O_NONBLOCK set during the timeout?":
        "settimeout() makes the descriptor O_NONBLOCK and waits in poll(); "
        "SO_RCVTIMEO leaves it blocking",
}


def run(socket, step):
    client, server = tcp_pair(socket)
    with client, server:
        client.setblocking(False)
        with step("recv on an empty O_NONBLOCK socket") as s:
            s.returned(client.recv(16))

        client.settimeout(0.05)
        with step("recv with a 50 ms timeout") as s:
            s.returned(client.recv(16))
        with step("is O_NONBLOCK set during the timeout?") as s:
            flags = fcntl.fcntl(client.fileno(), fcntl.F_GETFL)
            s.value("yes" if flags & os.O_NONBLOCK else "no")

        client.settimeout(None)
        with step("recv(MSG_DONTWAIT) on a blocking socket") as s:
            s.returned(client.recv(16, socket.MSG_DONTWAIT))
