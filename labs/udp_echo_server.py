"""udp_echo_server: sends every datagram back to where it came from.  UDP has
no connections: one socket, recvfrom() tells who sent, sendto() answers.

    python udp_echo_server.py [--host 127.0.0.1] [--port 7007] [--count N]
"""

import pysock as socket
from pysock.labs import lab


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=7007, count=0)
    lab.on_stop()
    served = 0
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((opts.host, opts.port))
            lab.listening(sock.getsockname()[1])
            while opts.count == 0 or served < opts.count:
                # 65536 bytes: the largest UDP payload fits, nothing is truncated.
                data, peer = sock.recvfrom(65536)
                served += 1
                print(f"Datagram of {len(data)} bytes from {peer}")
                try:
                    sock.sendto(data, peer)
                except OSError as exc:  # e.g. the client is gone: serve the next one
                    lab.perror("sendto", exc)
    finally:
        print(f"Served {served} datagrams.")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
