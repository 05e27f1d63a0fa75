"""echo_forked: a TCP echo server that forks a child per client (concurrent
connection-oriented server).  The parent reaps its children from a SIGCHLD
handler, so none is left a zombie, and waits for the last ones at exit.

    python echo_forked.py [--host 127.0.0.1] [--port 7007] [--count N]

After fork() both processes hold the listening and the client socket; each
closes the one it does not use.
"""

import os
import signal

from pysock.labs import lab


def reap_children(signum: int, frame: object) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=7007, count=0)
    lab.on_stop()
    signal.signal(signal.SIGCHLD, reap_children)
    server = lab.tcp_listen(opts.host, opts.port, 5)
    clients = lab.Clients(server, opts.count)
    try:
        for client, peer in clients:
            pid = os.fork()
            if pid == 0:
                status = 0
                try:
                    server.close()
                    lab.serve_echo(client, peer)
                    client.close()
                except BaseException:
                    status = 1
                finally:
                    os._exit(status)  # never return into the parent's loop
            client.close()
    finally:
        server.close()
        while True:  # wait for the children still serving
            try:
                os.wait()
            except ChildProcessError:
                break
        print(f"Served {clients.served} clients.")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
