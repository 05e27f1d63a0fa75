"""hello_server_posix: hello_server.c translated line by line to pysock.posix.
Same calls, same return values, same output as the C program.

    python hello_server_posix.py [--host 127.0.0.1] [--port 12345] [--mode blocking|nonblocking]
"""

import sys

from pysock import posix
from pysock.labs import lab
from pysock.posix import (AF_INET, EAGAIN, EWOULDBLOCK, F_GETFL, F_SETFL, O_NONBLOCK,
                          POLLIN, SO_REUSEADDR, SO_REUSEPORT, SOCK_STREAM, SOL_SOCKET)


def die(what: str) -> None:
    posix.perror(what)
    sys.exit(1)


def main() -> int:
    o = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=12345,
                    mode="blocking", choices=("blocking", "nonblocking"))
    nonblocking = o.mode == "nonblocking"

    server_fd = posix.socket(AF_INET, SOCK_STREAM, 0)
    if server_fd < 0:
        die("socket")
    opt = 1
    if posix.setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, opt) < 0:
        die("setsockopt(SO_REUSEADDR)")
    if posix.setsockopt(server_fd, SOL_SOCKET, SO_REUSEPORT, opt) < 0:
        die("setsockopt(SO_REUSEPORT)")
    address = posix.sockaddr_in()
    address.sin_family = AF_INET
    address.sin_port = posix.htons(o.port)
    if posix.inet_pton(AF_INET, o.host, address.sin_addr) <= 0:
        print(f"{o.host}: not a dotted-quad address", file=sys.stderr)
        return 1
    if posix.bind(server_fd, address, posix.sizeof(address)) < 0:
        die("bind")
    if posix.listen(server_fd, 3) < 0:
        die("listen")
    bound = posix.sockaddr_in()
    if posix.getsockname(server_fd, bound) < 0:
        die("getsockname")
    print(f"Server is listening on port {posix.ntohs(bound.sin_port)}...")

    addrlen = posix.socklen_t(posix.sizeof(address))
    new_socket = posix.accept(server_fd, address, addrlen)
    if new_socket < 0:
        die("accept")

    buffer = bytearray(1024)
    if not nonblocking:
        valread = posix.read(new_socket, buffer, len(buffer) - 1)
    else:
        flags = posix.fcntl(new_socket, F_GETFL)
        if flags < 0 or posix.fcntl(new_socket, F_SETFL, flags | O_NONBLOCK) < 0:
            die("fcntl")
        valread = posix.recv(new_socket, buffer, len(buffer) - 1, 0)
        if valread < 0 and posix.errno() in (EAGAIN, EWOULDBLOCK):
            print(f"recv: {posix.strerror()} (no data yet; waiting with poll)")
            p = [posix.pollfd(new_socket, POLLIN)]
            if posix.poll(p, 1, -1) < 0:
                die("poll")
            valread = posix.recv(new_socket, buffer, len(buffer) - 1, 0)
    if valread < 0:
        die("read")
    buffer[valread] = 0
    print(posix.cstr(buffer))

    message = b"Hello from server"
    if posix.send(new_socket, message, len(message), 0) < 0:
        die("send")
    print("Hello message sent to client")
    if posix.close(new_socket) < 0 or posix.close(server_fd) < 0:
        die("close")
    return 0


if __name__ == "__main__":
    lab.start()
    sys.exit(main())
