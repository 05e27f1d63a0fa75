"""close-shutdown: shutdown() acts on the connection, close() on a descriptor."""

from pysock.labs.scenarios.scenario import POLLIN, tcp_pair, wait_for

TITLE = "close vs shutdown"
TEACHES = """shutdown(SHUT_WR) sends FIN: the peer reads EOF, and this side can
still receive (a client announces "that was my whole request" and reads the
answer; see command_client).  Sending after it fails with EPIPE.  close()
releases one descriptor: while another descriptor of the same socket is open
(dup(), or a fork()ed child), the connection stays up and the peer sees
nothing; shutdown() acts on the connection itself, whatever the descriptors.
A closed descriptor is gone: using it is EBADF."""
WHY = {}


def run(socket, step):
    client, server = tcp_pair(socket)
    with client, server:
        with step("shutdown(SHUT_WR)") as s:
            s.returned(client.shutdown(socket.SHUT_WR))
        with step("the peer reads EOF") as s:
            s.returned(server.recv(16))
        server.sendall(b"reply")
        with step("this side still receives the reply") as s:
            s.returned(client.recv(16))
        with step("send after SHUT_WR") as s:
            s.sent(client.send(b"more"))

    client, server = tcp_pair(socket)
    with server:
        server.setblocking(False)
        copy = client.dup()
        with step("close one of two descriptors of a socket") as s:
            s.returned(client.close())
        with step("the peer sees no EOF: the socket is still open") as s:
            s.returned(server.recv(16))
        with step("shutdown(SHUT_RDWR) through the other descriptor") as s:
            s.returned(copy.shutdown(socket.SHUT_RDWR))
        wait_for(server, POLLIN, 1000)
        with step("the peer reads EOF at once") as s:
            s.returned(server.recv(16))
        copy.close()
        with step("recv on a closed descriptor") as s:
            s.returned(copy.recv(16))
