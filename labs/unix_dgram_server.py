"""unix_dgram_server: the echo service over a UNIX-domain datagram socket.
Datagram clients must bind a path of their own, or the server has no address
to answer to.  The server removes its path when it exits.

    python unix_dgram_server.py [--path /tmp/pysock-echo-dgram.sock] [--count N]
"""

import pysock as socket
from pysock.labs import lab


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], path="/tmp/pysock-echo-dgram.sock", count=0)
    lab.on_stop()
    served = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        lab.unix_bind(sock, opts.path)
        try:
            lab.listening(opts.path)
            while opts.count == 0 or served < opts.count:
                data, peer = sock.recvfrom(65536)
                served += 1
                if not peer:  # an unbound sender has an empty address
                    print(f"Datagram of {len(data)} bytes from an unbound client: "
                          "no address to answer to")
                    continue
                print(f"Datagram of {len(data)} bytes from {peer}")
                try:
                    sock.sendto(data, peer)
                except OSError as exc:
                    lab.perror("sendto", exc)
        finally:
            lab.remove_path(opts.path)
    print(f"Served {served} datagrams.")


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
