"""eaddrinuse: a port in use, in TIME_WAIT, and what SO_REUSEADDR allows."""

from pysock.labs.scenarios.scenario import LOOPBACK, tcp_bound

TITLE = "EADDRINUSE, TIME_WAIT and SO_REUSEADDR"
TEACHES = """A restarted server often fails with EADDRINUSE (OSError errno 98 on
Linux) although nothing listens any more: the side that closed a connection
first keeps it in TIME_WAIT for a minute, and bind() refuses the port while
any connection uses it.  SO_REUSEADDR, set before bind() by the old server
and the new one (connections inherit it from the listener), allows the bind
despite TIME_WAIT; it never lets a socket bind a port another one listens on
(several listeners on one port: SO_REUSEPORT, the reuseport scenario)."""
WHY = {}


def fresh_bind(socket, port, reuse):
    """bind() alone, the socket closed again."""
    tcp_bound(socket, port, socket.SO_REUSEADDR if reuse else None).close()


def run(socket, step):
    # The server sets SO_REUSEADDR, as servers do: its connections inherit it,
    # and a TIME_WAIT connection only lets a new socket bind if both have it.
    listener = tcp_bound(socket, 0, socket.SO_REUSEADDR, backlog=1)
    port = listener.getsockname()[1]
    client = socket.create_connection((LOOPBACK, port))
    server, _ = listener.accept()
    with step("bind the port while the server listens") as s:
        s.returned(fresh_bind(socket, port, False))
    with step("the same with SO_REUSEADDR") as s:
        s.returned(fresh_bind(socket, port, True))

    # The server closes first (active close), so its end of the connection
    # stays in TIME_WAIT for 60 s; then the listener goes too.
    server.close()
    assert client.recv(16) == b""
    client.close()
    listener.close()
    with step("bind again, server gone, a connection in TIME_WAIT") as s:
        s.returned(fresh_bind(socket, port, False))
    with step("bind again with SO_REUSEADDR") as s:
        s.returned(fresh_bind(socket, port, True))
