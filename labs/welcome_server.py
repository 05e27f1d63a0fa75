"""welcome_server: the seed 000 server, on pysock.  It greets each client,
prints what the client says, answers "Message received!" and closes.

    python welcome_server.py [--host 127.0.0.1] [--port 1234] [--count N]
"""

from pysock.labs import lab


def serve() -> None:
    opts = lab.options(__doc__.splitlines()[0], host="127.0.0.1", port=1234, count=0)
    lab.on_stop()
    with lab.tcp_listen(opts.host, opts.port, 1) as server:
        for client_socket, client_address in lab.Clients(server, opts.count):
            with client_socket:
                print(f"Connection from {client_address} has been established.")
                client_socket.sendall("Welcome to the server!".encode("utf-8"))
                client_message = client_socket.recv(1024)
                print("Received from client:", client_message.decode("utf-8"))
                client_socket.sendall("Message received!".encode("utf-8"))


if __name__ == "__main__":
    lab.start()
    lab.main(serve)
