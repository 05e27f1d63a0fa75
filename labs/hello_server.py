"""hello_server: the seed 004 server, on pysock.  It accepts one client,
reads its message (blocking, or with --mode nonblocking on a non-blocking
socket), prints it and answers "Hello from server".

    python hello_server.py [--host 127.0.0.1] [--port 12345] [--mode blocking|nonblocking]

As the C twin (hello_server.c, which lists what changed from the seed): two
setsockopt() calls for SO_REUSEADDR and SO_REUSEPORT, loopback by default,
and in non-blocking mode BlockingIOError (EAGAIN) when the client has not
sent yet, then a wait with poll() for the data.
"""

import os
import select

import pysock as socket
from pysock.labs import lab


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=12345,
                       mode="blocking", choices=("blocking", "nonblocking"))
    try:
        socket.inet_pton(socket.AF_INET, opts.host)  # numeric only, as in C
    except OSError:
        raise SystemExit(f"{opts.host}: not a dotted-quad address")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        server.bind((opts.host, opts.port))
        server.listen(3)
        lab.listening(server.getsockname()[1])
        new_socket, _ = server.accept()
        with new_socket:
            if opts.mode == "blocking":
                data = new_socket.recv(1023)
            else:
                new_socket.setblocking(False)  # O_NONBLOCK, as fcntl() in C
                try:
                    data = new_socket.recv(1023)
                except BlockingIOError as exc:
                    print(f"recv: {os.strerror(exc.errno)} (no data yet; waiting with poll)")
                    poller = select.poll()
                    poller.register(new_socket, select.POLLIN)
                    poller.poll()
                    data = new_socket.recv(1023)
            print(data.decode())
            new_socket.sendall(b"Hello from server")
            print("Hello message sent to client")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
