"""hello_client: the seed 004 client, on pysock.  It sends "Hello from
client" (after --delay milliseconds) and prints the server's answer.

    python hello_client.py [--host 127.0.0.1] [--port 12345] [--delay MS]
"""

import pysock as socket
from pysock.labs import lab


def talk() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=12345, delay=0)
    try:
        socket.inet_pton(socket.AF_INET, opts.host)  # numeric only, as in C
    except OSError:
        raise SystemExit(f"Invalid address/ Address not supported: {opts.host}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect((opts.host, opts.port))
        lab.sleep_ms(opts.delay)
        sock.sendall(b"Hello from client")
        print("Hello message sent to server")
        data = sock.recv(1023)
        print(data.decode())


if __name__ == "__main__":
    lab.start()
    lab.main(talk)
