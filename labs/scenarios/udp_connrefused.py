"""udp-connrefused: an ICMP "port unreachable" reaches only connected UDP
sockets, as ECONNREFUSED on a later call."""

from pysock.labs.scenarios.scenario import LOOPBACK, POLLIN, closed_port, udp_socket, wait_for

TITLE = "ECONNREFUSED on connected UDP, and UDP disconnect"
TEACHES = """A datagram to a port nobody listens on is answered with an ICMP
"port unreachable".  An unconnected UDP socket never hears of it.  A connected
one does, on its next call: recv() (or send()) fails with ECONNREFUSED, in
Python ConnectionRefusedError, although nothing ever connected.  connect() on
UDP only records the peer; connecting to AF_UNSPEC dissolves that, which the
socket module cannot do: pysock's socket.disconnect() does it."""
WHY = {
    "dissolve the association: connect(AF_UNSPEC)":
        "the socket module has no way to connect to AF_UNSPEC; "
        "pysock adds disconnect() on both backends",
}


def run(socket, step):
    port = closed_port(socket, socket.SOCK_DGRAM)
    to = (LOOPBACK, port)
    with udp_socket(socket) as loose:
        loose.setblocking(False)
        with step("sendto a closed port (unconnected socket)") as s:
            s.sent(loose.sendto(b"hello", to))
        wait_for(loose, POLLIN, 100)  # an error would show as POLLERR by now
        with step("recv: no error reaches an unconnected socket") as s:
            s.returned(loose.recv(16))

    with udp_socket(socket) as sock:
        with step("connect the UDP socket to the closed port") as s:
            s.returned(sock.connect(to))
        with step("send: accepted, the datagram goes out") as s:
            s.sent(sock.send(b"hello"))
        wait_for(sock, POLLIN, 1000)  # the ICMP error arrives as POLLERR
        with step("recv: the ICMP error, as ECONNREFUSED") as s:
            s.returned(sock.recv(16))
        with step("dissolve the association: connect(AF_UNSPEC)") as s:
            s.returned(sock.disconnect())
        with step("send without an address now") as s:
            s.sent(sock.send(b"hello"))
