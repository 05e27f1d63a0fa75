/*
 * welcome_server: the seed 000 server in C.  It greets each client, prints
 * what the client says, answers "Message received!" and closes.
 *
 *   ./welcome_server [--host 127.0.0.1] [--port 1234] [--count N]
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 1234};
    lab_parse(argc, argv, "Hpn", "[--host HOST] [--port PORT] [--count N]", &o);
    lab_start();
    lab_on_stop();

    int server = lab_tcp_listen(o.host, o.port, 1);
    const char *welcome = "Welcome to the server!";
    const char *response = "Message received!";
    int served = 0, client;
    struct sockaddr_in peer;
    while ((client = lab_accept(server, &peer, o.count, &served)) >= 0) {
        char name[64];
        printf("Connection from %s has been established.\n", lab_peer(&peer, name, sizeof(name)));
        if (lab_send_all(client, welcome, strlen(welcome)) < 0)
            lab_die("send");
        char buffer[1024];
        ssize_t n = recv(client, buffer, sizeof(buffer) - 1, 0);
        if (n < 0)
            lab_die("recv");
        buffer[n] = '\0';
        printf("Received from client: %s\n", buffer);
        if (lab_send_all(client, response, strlen(response)) < 0)
            lab_die("send");
        if (close(client) < 0)
            lab_die("close");
    }
    if (close(server) < 0)
        lab_die("close");
    return 0;
}
