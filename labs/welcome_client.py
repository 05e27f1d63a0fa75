"""welcome_client: the seed 000 client, on pysock.  It prints the server's
greeting, sends "Hello, Server! This is the client." and prints the answer.

    python welcome_client.py [--host 127.0.0.1] [--port 1234]
"""

from pysock.labs import lab


def talk() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=1234)
    with lab.tcp_connect(opts.host, opts.port) as client_socket:
        data = client_socket.recv(1024)
        print("Received from server:", data.decode("utf-8"))
        message = "Hello, Server! This is the client."
        client_socket.sendall(message.encode("utf-8"))
        server_response = client_socket.recv(1024)
        print("Received from server:", server_response.decode("utf-8"))


if __name__ == "__main__":
    lab.start()
    lab.main(talk)
