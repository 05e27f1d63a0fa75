/*
 * unix_dgram_server: the echo service over a UNIX-domain datagram socket.
 * Datagram clients must bind a path of their own, or the server has no
 * address to answer to.  The server removes its path when it exits.
 *
 *   ./unix_dgram_server [--path /tmp/pysock-echo-dgram.sock] [--count N]
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.path = "/tmp/pysock-echo-dgram.sock"};
    lab_parse(argc, argv, "Pn", "[--path PATH] [--count N]", &o);
    lab_start();
    lab_on_stop();

    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0)
        lab_die("socket");
    lab_unix_bind(fd, SOCK_DGRAM, o.path);
    printf("Server is listening on %s...\n", o.path);

    int served = 0;
    while (!lab_stopping && (o.count == 0 || served < o.count)) {
        char buffer[65536];
        struct sockaddr_un peer;
        socklen_t peerlen = sizeof(peer);
        ssize_t n = recvfrom(fd, buffer, sizeof(buffer), 0, (struct sockaddr *)&peer, &peerlen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            lab_die("recvfrom");
        }
        served++;
        /* An unbound sender has an empty address (only the family). */
        if (peerlen <= sizeof(sa_family_t)) {
            printf("Datagram of %zd bytes from an unbound client: no address to answer to\n", n);
            continue;
        }
        printf("Datagram of %zd bytes from %s\n", n, peer.sun_path);
        if (sendto(fd, buffer, (size_t)n, 0, (struct sockaddr *)&peer, peerlen) < 0)
            perror("sendto");
    }
    if (close(fd) < 0)
        lab_die("close");
    if (unlink(o.path) < 0)
        lab_die("unlink");
    printf("Served %d datagrams.\n", served);
    return 0;
}
