"""reuseport: SO_REUSEPORT lets several sockets listen on one port."""

from pysock.labs.scenarios.scenario import LOOPBACK, tcp_bound

TITLE = "SO_REUSEPORT: several listeners share a port"
TEACHES = """With SO_REUSEPORT set on each of them (before bind), several sockets,
in one process or several, can listen on the same address and port, and the
kernel spreads incoming connections over them (by a hash of the addresses).
A socket without the option still gets EADDRINUSE.  The seed 004 server sets
it; note that SO_REUSEADDR | SO_REUSEPORT in one setsockopt() call is not
two options but one number (SO_REUSEPORT alone on Linux)."""
WHY = {}


def accept_all(sock):
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def run(socket, step):
    listeners = []
    try:
        with step("listen on a port with SO_REUSEPORT") as s:
            listeners.append(tcp_bound(socket, 0, socket.SO_REUSEPORT, 32))
        port = listeners[0].getsockname()[1]
        with step("a second socket on the same port, SO_REUSEPORT") as s:
            listeners.append(tcp_bound(socket, port, socket.SO_REUSEPORT, 32))
        with step("a third without SO_REUSEPORT") as s:
            listeners.append(tcp_bound(socket, port, None, 32))

        clients = [socket.create_connection((LOOPBACK, port)) for _ in range(20)]
        for sock in listeners:
            sock.setblocking(False)
        with step("20 connections: the kernel spreads them") as s:
            got = [accept_all(sock) for sock in listeners]
            spread = got[0] > 0 and got[1] > 0 and sum(got) == 20
            s.returned(None, key="= both listeners got some" if spread else "= not spread",
                       shown=" + ".join(map(str, got)))
        for client in clients:
            client.close()
    finally:
        for sock in listeners:
            sock.close()
