"""echo_client: sends each message to a TCP echo server and prints what comes
back.  TCP has no message boundaries, so the client reads until it has as many
bytes as it sent, however many recv() calls that takes (lab.echo_request).

    python echo_client.py [--host 127.0.0.1] [--port 7007] [MESSAGE...]

Without messages it sends "Hello, echo server!"; "-" reads lines from stdin.
"""

import sys

from pysock.labs import lab


def talk() -> None:
    opts = lab.options(__doc__.splitlines()[0], "MESSAGE", host="127.0.0.1", port=7007)
    if opts.args == ["-"]:
        messages = [line.rstrip("\n") for line in sys.stdin]
    else:
        messages = opts.args or ["Hello, echo server!"]
    with lab.tcp_connect(opts.host, opts.port) as sock:
        for message in messages:
            if message:
                lab.echo_request(sock, message)


if __name__ == "__main__":
    lab.start()
    lab.main(talk)
