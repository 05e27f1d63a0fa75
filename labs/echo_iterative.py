"""echo_iterative: a TCP echo server that serves one client at a time (the
lecture's iterative connection-oriented server).  A second client waits in
the listen backlog until the first one leaves.

    python echo_iterative.py [--host 127.0.0.1] [--port 7007] [--count N]
"""

from pysock.labs import lab


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=7007, count=0)
    lab.on_stop()
    with lab.tcp_listen(opts.host, opts.port, 5) as server:
        clients = lab.Clients(server, opts.count)
        try:
            for client, peer in clients:
                with client:
                    lab.serve_echo(client, peer)
        finally:
            print(f"Served {clients.served} clients.")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
