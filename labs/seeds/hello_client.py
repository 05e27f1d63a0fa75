import pysock as socket  # the seed 004 C client, ported line by line to the socket API

PORT = 12345


def main():
    message = "Hello from client"

    # create a socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    # setup server address, converting the text form to binary as inet_pton does
    socket.inet_pton(socket.AF_INET, "127.0.0.1")
    serv_addr = ("127.0.0.1", PORT)

    # connect to the socket with defined serv_addr setting
    sock.connect(serv_addr)

    # send some data over
    sock.send(message.encode())
    print("Hello message sent to server")

    # read from server back
    buffer = sock.recv(1024)
    print(buffer.decode())


if __name__ == "__main__":
    main()
