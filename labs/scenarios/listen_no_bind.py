"""listen-no-bind: listen() without bind() gets a port from the kernel."""

from pysock.labs.scenarios.scenario import LOOPBACK

TITLE = "listen() without bind(): the kernel picks the port"
TEACHES = """A socket that listens without having been bound gets an ephemeral
port on every local address (0.0.0.0), chosen by the kernel: clients cannot
guess it, so servers bind() first.  getsockname() shows what was chosen, as it
does after bind() to port 0 (what the lab programs' --port 0 does)."""
WHY = {}


def run(socket, step):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with step("listen() on a socket never bound") as s:
            s.returned(sock.listen(1))
        with step("getsockname: the kernel chose a port") as s:
            host, port = sock.getsockname()
            s.returned(None, key=f"= {host}, an ephemeral port" if port > 0 else "= port 0",
                       shown=f"{host}:{port}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            with step("a client can connect to it") as s:
                s.returned(client.connect((LOOPBACK, port)))
