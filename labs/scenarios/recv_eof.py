"""recv-eof: recv() returns 0 once the peer has closed and the data is read."""

from pysock.labs.scenarios.scenario import tcp_pair

TITLE = "recv returns 0 (b'') at EOF"
TEACHES = """When the peer closes, the data it sent still arrives first; then
recv() returns 0 in C and b'' in Python, every time it is called.  That is the
only way a reader learns the connection is over: loops must stop on it."""
WHY = {}


def run(socket, step):
    client, server = tcp_pair(socket)
    with server:
        with step("send 5 bytes") as s:
            s.sent(client.send(b"hello"))
        with step("close the sending side") as s:
            s.returned(client.close())
        with step("recv: the data comes first") as s:
            s.returned(server.recv(1024))
        with step("recv at EOF") as s:
            s.returned(server.recv(1024))
        with step("recv at EOF again: EOF stays") as s:
            s.returned(server.recv(1024))
