/* echo_server CONNS ROUNDS MSGSIZE DRIVER: an epoll echo server on 127.0.0.1
 * (non-blocking sockets, level-triggered) driven by `DRIVER loadgen`, which
 * prints the result; the server runs until every connection has closed. */
#include "bench.h"

#include <fcntl.h>
#include <sys/epoll.h>

int main(int argc, char **argv)
{
    long conns = arg_long(argc, argv, 1);
    char *driver = argv[4], port_s[16], *rounds_s = argv[2], *size_s = argv[3];
    int port, lfd = tcp_listener(128, &port);
    snprintf(port_s, sizeof port_s, "%d", port);
    char *dargv[] = {driver, "loadgen", port_s, argv[1], rounds_s, size_s, NULL};
    pid_t pid = spawn(dargv);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) DIE("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, events[64];
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) DIE("epoll_ctl");
    static char buf[4096];
    long open_conns = 0, closed = 0;
    while (closed < conns) {
        int n = epoll_wait(ep, events, 64, -1);
        if (n < 0) { if (errno == EINTR) continue; DIE("epoll_wait"); }
        for (int e = 0; e < n; e++) {
            int fd = events[e].data.fd;
            if (fd == lfd) {
                int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0) DIE("accept4");
                int one = 1;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) < 0) DIE("epoll_ctl");
                open_conns++;
                continue;
            }
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r <= 0) {
                close(fd);   /* also leaves the epoll set */
                closed++;
                continue;
            }
            /* Replies are 64 bytes into an empty send buffer: they go out whole. */
            write_all(fd, buf, (size_t)r);
        }
    }
    close(lfd);
    reap(pid);
    (void)open_conns;
    return 0;
}
