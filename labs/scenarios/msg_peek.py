"""msg-peek: MSG_PEEK reads data without taking it off the queue."""

from pysock.labs.scenarios.scenario import POLLIN, tcp_pair, wait_for

TITLE = "MSG_PEEK"
TEACHES = """recv(MSG_PEEK) copies what is queued without consuming it: the next
recv() returns the same bytes.  Servers use it to look at a request's first
bytes (a protocol's magic number) before deciding who reads it."""
WHY = {}


def run(socket, step):
    client, server = tcp_pair(socket)
    with client, server:
        client.sendall(b"hello")
        server.setblocking(False)
        wait_for(server, POLLIN, 1000)
        with step("recv(MSG_PEEK)") as s:
            s.returned(server.recv(16, socket.MSG_PEEK))
        with step("recv: the same bytes, still queued") as s:
            s.returned(server.recv(16))
        with step("recv once more: nothing left") as s:
            s.returned(server.recv(16))
