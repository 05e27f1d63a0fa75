import pysock as socket  # the seed 000 server, unchanged but for this line


def start_server():
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server_address = ('localhost', 1234)
    server_socket.bind(server_address)
    server_socket.listen(1)
    print("Server is listening on port 1234...")
    while True:
        client_socket, client_address = server_socket.accept()
        print(f"Connection from {client_address} has been established.")
        welcome_message = "Welcome to the server!"
        client_socket.sendall(welcome_message.encode('utf-8'))
        client_message = client_socket.recv(1024)
        print("Received from client:", client_message.decode('utf-8'))
        response_message = "Message received!"
        client_socket.sendall(response_message.encode('utf-8'))
        client_socket.close()


if __name__ == "__main__":
    start_server()
