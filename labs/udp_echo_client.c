/*
 * udp_echo_client: sends each message as one datagram and waits up to two
 * seconds for the echo.  UDP does not retransmit: a lost datagram, or no
 * server at all, just means no reply.
 *
 *   ./udp_echo_client [--host 127.0.0.1] [--port 7007] [MESSAGE...]
 */
#include "lab.h"

#include <poll.h>

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 7007};
    lab_parse(argc, argv, "Hp", "[--host HOST] [--port PORT] [MESSAGE...]", &o);
    lab_start();

    struct sockaddr_in server;
    lab_inet(o.host, o.port, &server);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        lab_die("socket");
    char *fallback[] = {"Hello, UDP echo server!"};
    char **messages = o.nargs ? o.args : fallback;
    int count = o.nargs ? o.nargs : 1;
    for (int i = 0; i < count; i++) {
        size_t len = strlen(messages[i]);
        if (sendto(fd, messages[i], len, 0, (struct sockaddr *)&server, sizeof(server)) < 0)
            lab_die("sendto");
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready;
        while ((ready = poll(&p, 1, 2000)) < 0 && errno == EINTR)
            ;
        if (ready < 0)
            lab_die("poll");
        if (ready == 0) {
            printf("No reply within 2 s (UDP does not retransmit)\n");
            continue;
        }
        char buffer[65536];
        ssize_t n = recvfrom(fd, buffer, sizeof(buffer) - 1, 0, NULL, NULL);
        if (n < 0)
            lab_die("recvfrom");
        buffer[n] = '\0';
        printf("Echo from server: %s\n", buffer);
    }
    if (close(fd) < 0)
        lab_die("close");
    return 0;
}
