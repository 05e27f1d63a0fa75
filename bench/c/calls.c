/* calls N: the cost of single calls, N each (socket+close N/10): htons,
 * inet_pton, inet_ntop, socket+close, getsockopt, and recv on an empty
 * non-blocking socket (C has one way: -1/EAGAIN, for both recv_empty rows). */
#include "bench.h"

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1);
    volatile uint16_t sink16 = 0;
    volatile uint16_t in16 = 4660;
    struct in_addr addr;
    char text[INET_ADDRSTRLEN];
    double t0, t;

    result_begin();
    t0 = now();
    for (long i = 0; i < n; i++) sink16 = htons(in16);
    result_row("htons", (double)n, now() - t0);

    t0 = now();
    for (long i = 0; i < n; i++)
        if (inet_pton(AF_INET, "192.0.2.33", &addr) != 1) DIE("inet_pton");
    result_row("inet_pton", (double)n, now() - t0);

    t0 = now();
    for (long i = 0; i < n; i++)
        if (!inet_ntop(AF_INET, &addr, text, sizeof text)) DIE("inet_ntop");
    result_row("inet_ntop", (double)n, now() - t0);

    long m = n / 10 + 1;
    t0 = now();
    for (long i = 0; i < m; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) DIE("socket");
        close(fd);
    }
    result_row("socket_close", (double)m, now() - t0);

    int sv[2], value;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) DIE("socketpair");
    t0 = now();
    for (long i = 0; i < n; i++) {
        socklen_t len = sizeof value;
        if (getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &value, &len) < 0) DIE("getsockopt");
    }
    result_row("getsockopt", (double)n, now() - t0);

    char buf[64];
    t0 = now();
    for (long i = 0; i < n; i++)
        if (recv(sv[0], buf, sizeof buf, 0) != -1 || errno != EAGAIN) DIE("recv");
    t = now() - t0;
    result_row("recv_empty_raise", (double)n, t);
    result_row("recv_empty_noraise", (double)n, t);
    result_end();
    (void)sink16;
    return 0;
}
