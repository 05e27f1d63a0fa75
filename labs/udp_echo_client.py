"""udp_echo_client: sends each message as one datagram and waits up to two
seconds for the echo.  UDP does not retransmit: a lost datagram, or no server
at all, just means no reply.

    python udp_echo_client.py [--host 127.0.0.1] [--port 7007] [MESSAGE...]
"""

import pysock as socket
from pysock.labs import lab


def talk() -> None:
    opts = lab.options(__doc__.splitlines()[0], "MESSAGE", host="127.0.0.1", port=7007)
    server = (opts.host, opts.port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2.0)
        for message in opts.args or ["Hello, UDP echo server!"]:
            sock.sendto(message.encode(), server)
            try:
                data, _ = sock.recvfrom(65535)
            except socket.timeout:
                print("No reply within 2 s (UDP does not retransmit)")
                continue
            print(f"Echo from server: {data.decode()}")


if __name__ == "__main__":
    lab.start()
    lab.main(talk)
