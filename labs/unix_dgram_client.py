"""unix_dgram_client: sends each message as one datagram to a UNIX-domain
datagram server and prints the echo.  It binds a path of its own next to the
server's (client-PID.sock), so the server can answer, and removes it.

    python unix_dgram_client.py [--path /tmp/pysock-echo-dgram.sock] [MESSAGE...]
"""

import os

import pysock as socket
from pysock.labs import lab


def talk() -> None:
    opts = lab.options(__doc__.splitlines()[0], "MESSAGE", path="/tmp/pysock-echo-dgram.sock")
    mine = os.path.join(os.path.dirname(opts.path), f"client-{os.getpid()}.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(mine)
        try:
            sock.settimeout(2.0)
            for message in opts.args or ["Hello over a UNIX datagram socket!"]:
                # ConnectionRefusedError here: no server bound to that path.
                sock.sendto(message.encode(), opts.path)
                data = sock.recv(65535)
                print(f"Echo from server: {data.decode()}")
        finally:
            lab.remove_path(mine)


if __name__ == "__main__":
    lab.start()
    lab.main(talk)
