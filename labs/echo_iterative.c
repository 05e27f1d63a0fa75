/*
 * echo_iterative: a TCP echo server that serves one client at a time
 * (the lecture's iterative connection-oriented server).  A second client
 * waits in the listen backlog until the first one leaves.
 *
 *   ./echo_iterative [--host 127.0.0.1] [--port 7007] [--count N]
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 7007};
    lab_parse(argc, argv, "Hpn", "[--host HOST] [--port PORT] [--count N]", &o);
    lab_start();
    lab_on_stop();

    int server = lab_tcp_listen(o.host, o.port, 5);
    int served = 0, client;
    struct sockaddr_in peer;
    while ((client = lab_accept(server, &peer, o.count, &served)) >= 0) {
        char name[64];
        lab_serve_echo(client, lab_peer(&peer, name, sizeof(name)));
        if (close(client) < 0)
            lab_die("close");
    }
    if (close(server) < 0)
        lab_die("close");
    printf("Served %d clients.\n", served);
    return 0;
}
