import pysock as socket  # the seed 004 C server, ported line by line to the socket API

PORT = 12345


def main():
    message = "Hello from server"

    # Creating socket, and obtain the file descriptor
    server_fd = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    # Attaching socket to port 12345
    server_fd.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)

    # Assign name to the socket (the seed binds INADDR_ANY, every local
    # address; this port keeps to loopback)
    server_fd.bind(("127.0.0.1", PORT))

    # server listens for new connection
    server_fd.listen(3)

    # accept incoming connection, creating a 1-to-1 socket connection with this client
    new_socket, address = server_fd.accept()

    # Choose between blocking and nonblocking read
    # Blocking read
    buffer = new_socket.recv(1024)

    # Nonblocking read
    # new_socket.setblocking(False)  # Change the socket into non-blocking state
    # buffer = new_socket.recv(1024)

    print(buffer.decode())
    new_socket.send(message.encode())
    print("Hello message sent to client")


if __name__ == "__main__":
    main()
