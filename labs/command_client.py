"""command_client: asks a command_server to run one command and prints the
output.  It sends the request, then shutdown(SHUT_WR): the server sees EOF
after the request, while this side can still read the whole answer until the
server closes (recv() returns b'').

    python command_client.py [--host 127.0.0.1] [--port 5023] COMMAND
"""

import sys

import pysock as socket
from pysock.labs import lab


def talk() -> None:
    opts = lab.options(__doc__.splitlines()[0], "COMMAND", host="127.0.0.1", port=5023)
    if len(opts.args) != 1:
        sys.exit("usage: command_client.py [--host HOST] [--port PORT] COMMAND")
    with lab.tcp_connect(opts.host, opts.port) as sock:
        sock.sendall(f"{opts.args[0]}\n".encode())
        sock.shutdown(socket.SHUT_WR)  # "that was all": the server reads EOF
        while True:
            data = sock.recv(4096)
            if not data:
                break
            sys.stdout.buffer.write(data)
    sys.stdout.flush()


if __name__ == "__main__":
    lab.start()
    lab.main(talk)
