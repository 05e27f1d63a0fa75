"""connrefused: connecting to a port nobody listens on."""

from pysock.labs.scenarios.scenario import LOOPBACK, closed_port

TITLE = "ECONNREFUSED on TCP"
TEACHES = """connect() to a port nobody listens on fails at once: the peer's
kernel answers the SYN with a reset.  C sees -1 and errno ECONNREFUSED;
Python raises ConnectionRefusedError (an OSError with that errno).  On Linux
the failed socket can try connect() again (other systems want a new socket)."""
WHY = {}


def run(socket, step):
    port = closed_port(socket, socket.SOCK_STREAM)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with step("connect to a port with no listener") as s:
            s.returned(sock.connect((LOOPBACK, port)))
        with step("connect again on the same socket") as s:
            s.returned(sock.connect((LOOPBACK, port)))
