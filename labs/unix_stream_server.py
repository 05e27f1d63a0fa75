"""unix_stream_server: the echo service over a UNIX-domain stream socket.  The
address is a path in the file system; the server removes it when it exits
(and a stale one left by a crashed server before it binds).

    python unix_stream_server.py [--path /tmp/pysock-echo.sock] [--count N]
"""

import pysock as socket
from pysock.labs import lab


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], path="/tmp/pysock-echo.sock", count=0)
    lab.on_stop()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        lab.unix_bind(server, opts.path)
        clients = lab.Clients(server, opts.count)
        try:
            server.listen(5)
            lab.listening(opts.path)
            for client, _ in clients:  # UNIX clients are usually unnamed
                with client:
                    print(f"Connection {clients.served} has been established.")
                    try:
                        lab.echo(client)
                    except OSError as exc:
                        lab.perror("echo", exc)
                    print(f"Connection {clients.served} closed.")
        finally:
            lab.remove_path(opts.path)  # the file stays after close(): remove it
    print(f"Served {clients.served} clients.")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
