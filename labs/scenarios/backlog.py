"""backlog: what happens to connections the server does not accept()."""

import errno

from pysock.labs.scenarios.scenario import LOOPBACK, POLLOUT, wait_for

TITLE = "a full listen backlog"
TEACHES = """The kernel completes connections before the server calls accept()
and queues them: listen()'s backlog bounds that queue (Linux keeps backlog + 1).
When it is full, new connection attempts are not refused: their SYNs are
dropped, and the clients retry, waiting (connect() blocks, or stays in
progress).  The seed's "the client may receive ECONNREFUSED" does not happen
on Linux.  A backlog above the system's limit (net.core.somaxconn) is quietly
reduced, not an error."""
WHY = {}

CLIENTS = 4


def run(socket, step):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((LOOPBACK, 0))
        with step("listen(fd, 1)") as s:
            s.returned(listener.listen(1))
        clients = []
        try:
            for _ in range(CLIENTS):
                client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                clients.append(client)
                client.setblocking(False)
                code = client.connect_ex(listener.getsockname())
                if code not in (0, errno.EINPROGRESS):
                    raise OSError(code, "connect")
            with step("4 clients connect, nobody calls accept()") as s:
                established = waiting = refused = 0
                for client in clients:
                    if wait_for(client, POLLOUT, 100) == 0:
                        waiting += 1  # the SYN was dropped: the kernel will retry it
                        continue
                    err = client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    established += err == 0
                    refused += err == errno.ECONNREFUSED
                s.value(f"{established} established, {waiting} waiting, {refused} refused")
        finally:
            for client in clients:
                client.close()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        with step("listen(fd, 100000): too big is no error") as s:
            s.returned(other.listen(100000))
