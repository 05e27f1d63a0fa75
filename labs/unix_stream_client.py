"""unix_stream_client: the echo client over a UNIX-domain stream socket.

    python unix_stream_client.py [--path /tmp/pysock-echo.sock] [MESSAGE...]
"""

import pysock as socket
from pysock.labs import lab


def talk() -> None:
    opts = lab.options(__doc__.splitlines()[0], "MESSAGE", path="/tmp/pysock-echo.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(opts.path)
        for message in opts.args or ["Hello over a UNIX socket!"]:
            lab.echo_request(sock, message)


if __name__ == "__main__":
    lab.start()
    lab.main(talk)
