/*
 * welcome_client: the seed 000 client in C.  It prints the server's greeting,
 * sends "Hello, Server! This is the client." and prints the answer.
 *
 *   ./welcome_client [--host 127.0.0.1] [--port 1234]
 */
#include "lab.h"

/* One recv() of up to 1023 bytes, printed as the seed prints it. */
static void receive_and_print(int fd)
{
    char buffer[1024];
    ssize_t n = recv(fd, buffer, sizeof(buffer) - 1, 0);
    if (n < 0)
        lab_die("recv");
    buffer[n] = '\0';
    printf("Received from server: %s\n", buffer);
}

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 1234};
    lab_parse(argc, argv, "Hp", "[--host HOST] [--port PORT]", &o);
    lab_start();

    int fd = lab_tcp_connect(o.host, o.port);
    receive_and_print(fd);
    const char *message = "Hello, Server! This is the client.";
    if (lab_send_all(fd, message, strlen(message)) < 0)
        lab_die("send");
    receive_and_print(fd);
    if (close(fd) < 0)
        lab_die("close");
    return 0;
}
