"""echo_select: a TCP echo server that serves many clients from one thread,
waiting for whichever socket is ready with poll() (the default) or select()
(--mode select).

    python echo_select.py [--host 127.0.0.1] [--port 7007] [--count N] [--mode poll|select]

select() can only watch descriptors below FD_SETSIZE (1024); poll() has no
such limit.  Replies are sent with blocking sendall(), fine for an echo lab.
"""

import select

from pysock.labs import lab


def wait_readable(use_select: bool, socks: list) -> list:
    if use_select:
        readable, _, _ = select.select(socks, [], [])
        return readable
    poller = select.poll()
    by_fd = {}
    for sock in socks:
        poller.register(sock, select.POLLIN)
        by_fd[sock.fileno()] = sock
    return [by_fd[fd] for fd, _ in poller.poll()]


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=7007, count=0,
                       mode="poll", choices=("poll", "select"))
    lab.on_stop()
    clients = {}  # socket -> peer address
    served = 0
    server = lab.tcp_listen(opts.host, opts.port, 5)
    try:
        while True:
            accepting = opts.count == 0 or served < opts.count
            if not accepting and not clients:
                break
            watched = ([server] if accepting else []) + list(clients)
            for sock in wait_readable(opts.mode == "select", watched):
                if sock is server:
                    client, peer = server.accept()
                    served += 1
                    clients[client] = peer
                    print(f"Connection from {peer} has been established.")
                    continue
                try:
                    data = sock.recv(4096)
                    if data:
                        sock.sendall(data)
                        continue
                except OSError as exc:
                    lab.perror("echo", exc)
                print(f"Connection from {clients.pop(sock)} closed.")
                sock.close()
    finally:
        for sock in clients:
            sock.close()
        server.close()
    print(f"Served {served} clients.")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
