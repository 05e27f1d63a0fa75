"""hello_client_posix: hello_client.c translated line by line to pysock.posix.
Same calls, same return values, same output as the C program.

    python hello_client_posix.py [--host 127.0.0.1] [--port 12345] [--delay MS]
"""

import sys

from pysock import posix
from pysock.labs import lab
from pysock.posix import AF_INET, SOCK_STREAM


def die(what: str) -> None:
    posix.perror(what)
    sys.exit(1)


def main() -> int:
    o = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=12345, delay=0)

    sock = posix.socket(AF_INET, SOCK_STREAM, 0)
    if sock < 0:
        die("socket")
    serv_addr = posix.sockaddr_in()  # zero-filled, as memset(&serv_addr, 0, ...)
    serv_addr.sin_family = AF_INET
    serv_addr.sin_port = posix.htons(o.port)
    if posix.inet_pton(AF_INET, o.host, serv_addr.sin_addr) <= 0:
        print(f"Invalid address/ Address not supported: {o.host}", file=sys.stderr)
        return 1
    if posix.connect(sock, serv_addr, posix.sizeof(serv_addr)) < 0:
        die("connect")

    lab.sleep_ms(o.delay)
    message = b"Hello from client"
    if posix.send(sock, message, len(message), 0) < 0:
        die("send")
    print("Hello message sent to server")

    buffer = bytearray(1024)
    valread = posix.read(sock, buffer, len(buffer) - 1)
    if valread < 0:
        die("read")
    buffer[valread] = 0
    print(posix.cstr(buffer))
    if posix.close(sock) < 0:
        die("close")
    return 0


if __name__ == "__main__":
    lab.start()
    sys.exit(main())
