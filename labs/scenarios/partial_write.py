"""partial-write: send() may write less than asked; sendall is a loop."""

import threading

from pysock.labs.scenarios.scenario import tcp_pair

TITLE = "partial writes: send returns a count, sendall loops"
TEACHES = """send() copies what fits in the socket's send buffer and returns
that count, which can be less than asked: on a non-blocking socket (or one
with a timeout) as soon as the buffer is full, on a blocking one when a
signal interrupts it.  The rest is the caller's job: loop until everything is
out.  Python's sendall() is that loop; `python -m pysock trace partial-write`
shows it as send() calls with poll() between them."""
WHY = {
    "sendall 1 MiB (with a timeout) while the peer reads":
        "C has no sendall: the C twin loops over send() and poll() itself and counts the calls",
}

BIG = 1 << 20


def drain(sock):
    """The peer: reads until EOF, so the sender can go on."""
    while sock.recv(65536):
        pass


def run(socket, step):
    client, server = tcp_pair(socket)
    with client, server:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        client.setblocking(False)
        big = bytes(BIG)
        first = 0
        with step("send 1 MiB on a non-blocking socket") as s:
            first = client.send(big)
            if 0 < first < BIG:
                s.returned(first, key="= partial", shown=f"{first} (of {BIG})", moved=first)
            else:
                s.sent(first)
        with step("keep sending: the buffers fill, then EAGAIN") as s:
            while client.send(big) > 0:
                pass

        client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        client.settimeout(5.0)
        reader = threading.Thread(target=drain, args=(server,))
        reader.start()
        with step("sendall 1 MiB (with a timeout) while the peer reads") as s:
            s.returned(client.sendall(big), key="= all sent",
                       shown="None: sendall looped until all was sent", moved=BIG)
        client.shutdown(socket.SHUT_WR)
        reader.join()
