"""boundaries: TCP is a byte stream; send() calls do not make messages."""

from pysock.labs.scenarios.scenario import tcp_pair

TITLE = "TCP has no message boundaries"
TEACHES = """Two send() calls can arrive in one recv(), and one send() can take
several recv() calls to read.  A protocol over TCP must frame its messages
itself (a length prefix, a delimiter such as a newline), and a reader loops
until it has a whole message."""
WHY = {}


def run(socket, step):
    client, server = tcp_pair(socket)
    with client, server:
        with step('send "hello"') as s:
            s.sent(client.send(b"hello"))
        with step('send "world"') as s:
            s.sent(client.send(b"world"))
        with step("recv(1024): both sends in one recv") as s:
            s.returned(server.recv(1024))
        with step('send "abcdefgh" once') as s:
            s.sent(client.send(b"abcdefgh"))
        with step("recv(4): one send, read in pieces") as s:
            s.returned(server.recv(4))
        with step("recv(4): the rest") as s:
            s.returned(server.recv(4))
