"""echo_threaded: a TCP echo server with a thread per client.

    python echo_threaded.py [--host 127.0.0.1] [--port 7007] [--count N]

Each thread gets its own socket object as an argument (never a shared
variable that the next accept() overwrites, the classic C bug; see
echo_threaded.c), closes it when the client leaves, and the main thread
waits for the running threads at exit.
"""

import threading

from pysock.labs import lab


def serve_client(client: object, peer: object) -> None:
    with client:  # the thread owns its socket, and closes it
        lab.serve_echo(client, peer)


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=7007, count=0)
    lab.on_stop()
    threads = []
    with lab.tcp_listen(opts.host, opts.port, 5) as server:
        clients = lab.Clients(server, opts.count)
        try:
            for client, peer in clients:
                thread = threading.Thread(target=serve_client, args=(client, peer))
                thread.start()
                threads = [t for t in threads if t.is_alive()] + [thread]
        finally:
            for thread in threads:
                thread.join()
            print(f"Served {clients.served} clients.")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
