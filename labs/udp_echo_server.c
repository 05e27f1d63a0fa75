/*
 * udp_echo_server: sends every datagram back to where it came from.  UDP has
 * no connections: one socket, recvfrom() tells who sent, sendto() answers.
 *
 *   ./udp_echo_server [--host 127.0.0.1] [--port 7007] [--count N]
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 7007};
    lab_parse(argc, argv, "Hpn", "[--host HOST] [--port PORT] [--count N]", &o);
    lab_start();
    lab_on_stop();

    struct sockaddr_in addr;
    lab_inet(o.host, o.port, &addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        lab_die("socket");
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        lab_die("bind");
    printf("Server is listening on port %d...\n", lab_local_port(fd));

    int served = 0;
    while (!lab_stopping && (o.count == 0 || served < o.count)) {
        char buffer[65536]; /* the largest UDP payload fits: nothing is truncated */
        struct sockaddr_in peer;
        socklen_t peerlen = sizeof(peer);
        ssize_t n = recvfrom(fd, buffer, sizeof(buffer), 0, (struct sockaddr *)&peer, &peerlen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            lab_die("recvfrom");
        }
        served++;
        char name[64];
        printf("Datagram of %zd bytes from %s\n", n, lab_peer(&peer, name, sizeof(name)));
        if (sendto(fd, buffer, (size_t)n, 0, (struct sockaddr *)&peer, peerlen) < 0)
            perror("sendto"); /* e.g. the client is gone: serve the next one */
    }
    if (close(fd) < 0)
        lab_die("close");
    printf("Served %d datagrams.\n", served);
    return 0;
}
