"""udp-truncate: a datagram larger than the buffer is cut, the rest lost."""

from pysock.labs.scenarios.scenario import udp_socket

TITLE = "UDP: a datagram larger than the buffer is truncated"
TEACHES = """Each recv() on a datagram socket takes one whole datagram.  If the
buffer is smaller, the datagram is cut and the rest is discarded, silently:
recvfrom() just returns fewer bytes.  MSG_TRUNC makes recv() return the real
size, and recvmsg() reports MSG_TRUNC in its flags.  A zero-length datagram is
a real datagram: recvfrom() returns 0 bytes and the sender's address (on a
stream socket, 0 means EOF)."""
WHY = {}


def run(socket, step):
    a, b = udp_socket(socket), udp_socket(socket)
    with a, b:
        to = b.getsockname()
        b.setblocking(False)
        big = b"x" * 100
        with step("send a 100-byte datagram") as s:
            s.sent(a.sendto(big, to))
        with step("recvfrom into a 10-byte buffer") as s:
            s.returned(b.recvfrom(10))
        with step("recv again: the other 90 bytes are gone") as s:
            s.returned(b.recv(10))

        a.sendto(big, to)
        with step("recv(MSG_TRUNC): the real size") as s:
            # recv_into, not recv: recv(10, MSG_TRUNC) would return a
            # 100-byte bytes object of which only 10 bytes were received.
            s.returned(b.recv_into(bytearray(10), 10, socket.MSG_TRUNC))

        a.sendto(big, to)
        with step("recvmsg: MSG_TRUNC in msg_flags") as s:
            data, _, flags, _ = b.recvmsg(10)
            truncated = "set" if flags & socket.MSG_TRUNC else "clear"
            s.value(f"{len(data)} bytes, MSG_TRUNC {truncated}")

        with step("send a zero-length datagram") as s:
            s.sent(a.sendto(b"", to))
        with step("recvfrom: 0 bytes, and a sender") as s:
            data, sender = b.recvfrom(10)
            port = "the sender's port" if sender[1] == a.getsockname()[1] else "another port"
            s.value(f"{len(data)} bytes, from {port}")
