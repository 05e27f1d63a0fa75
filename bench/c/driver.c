/* The C side every variant of a workload shares, so that only the code under
 * test differs between C, stdlib and pysock:
 *   driver loadgen PORT CONNS ROUNDS MSGSIZE   echo load: CONNS connections, one
 *                                               MSGSIZE message in flight on each
 *   driver connector PORT COUNT                 COUNT short-lived connections
 *   driver sink PORT                            connect, read to EOF, ack 1 byte
 *   driver sink_fd FD                           same on an inherited descriptor
 *   driver source_fd FD TOTAL SIZE FRAMED       wait for a go byte, then write
 *                                               TOTAL bytes as SIZE-byte messages,
 *                                               each with a 4-byte big-endian
 *                                               length first when FRAMED is 1
 * loadgen and connector time themselves and print the result line. */
#include "bench.h"

#include <sys/epoll.h>

struct conn {
    int fd;
    size_t got;        /* bytes of the current echo received */
    long done;         /* round trips completed */
};

static void loadgen(int port, int nconns, long rounds, size_t msgsize)
{
    long warm = rounds / 10 + 1;
    char *msg = calloc(1, msgsize), *in = malloc(msgsize);
    struct conn *conns = calloc((size_t)nconns, sizeof *conns);
    if (!msg || !in || !conns) DIE("calloc");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) DIE("epoll_create1");
    for (int i = 0; i < nconns; i++) {
        conns[i].fd = tcp_connect(port);
        int one = 1;
        setsockopt(conns[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0) DIE("epoll_ctl");
    }
    for (int i = 0; i < nconns; i++)
        write_all(conns[i].fd, msg, msgsize);
    long total = 0, warm_total = warm * nconns, goal = (warm + rounds) * nconns;
    double t0 = 0;
    struct epoll_event events[64];
    while (total < goal) {
        int n = epoll_wait(ep, events, 64, 10000);
        if (n < 0) { if (errno == EINTR) continue; DIE("epoll_wait"); }
        if (n == 0) { fprintf(stderr, "loadgen: server stalled\n"); exit(2); }
        for (int e = 0; e < n; e++) {
            struct conn *c = events[e].data.ptr;
            ssize_t r = recv(c->fd, in, msgsize - c->got, 0);
            if (r <= 0) { fprintf(stderr, "loadgen: server closed\n"); exit(2); }
            c->got += (size_t)r;
            if (c->got < msgsize) continue;
            c->got = 0;
            c->done++;
            if (++total == warm_total) t0 = now();
            if (c->done < warm + rounds) write_all(c->fd, msg, msgsize);
        }
    }
    double t1 = now();
    for (int i = 0; i < nconns; i++) close(conns[i].fd);
    result_begin();
    result_row("echo32", (double)(rounds * nconns), t1 - t0);
    result_end();
}

static void connector(int port, long count)
{
    char byte;
    struct linger nolinger = {.l_onoff = 1, .l_linger = 0};
    double t0 = 0;
    long warm = count / 10 + 1;
    for (long i = 0; i < warm + count; i++) {
        if (i == warm) t0 = now();
        int fd = tcp_connect(port);
        /* The server closes first; we wait for that, then reset: neither side
         * keeps a TIME_WAIT entry, so thousands of runs never exhaust ports. */
        if (recv(fd, &byte, 1, 0) != 0) { fprintf(stderr, "connector: expected EOF\n"); exit(2); }
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &nolinger, sizeof nolinger);
        close(fd);
    }
    double t1 = now();
    result_begin();
    result_row("accept", (double)count, t1 - t0);
    result_end();
}

static void sink(int fd)
{
    static char buf[256 * 1024];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r < 0) { if (errno == EINTR) continue; DIE("recv"); }
        if (r == 0) break;
    }
    write_all(fd, "k", 1);
    close(fd);
}

static void source(int fd, long total, long size, int framed)
{
    char go;
    size_t frame = (size_t)size + (framed ? 4 : 0);
    /* A batch of frames per send, as a C programmer would: the peer under test
     * is what is measured, not this side. */
    size_t per_batch = frame >= 65536 ? 1 : 65536 / frame;
    char *batch = calloc(per_batch, frame);
    if (!batch) DIE("calloc");
    if (framed) {
        uint32_t be = htonl((uint32_t)size);
        for (size_t i = 0; i < per_batch; i++) memcpy(batch + i * frame, &be, 4);
    }
    if (read_exactly(fd, &go, 1) < 0) exit(0);
    long messages = total / size;
    while (messages > 0) {
        size_t k = (size_t)messages < per_batch ? (size_t)messages : per_batch;
        write_all(fd, batch, k * frame);
        messages -= (long)k;
    }
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: driver MODE ARGS...\n"); return 2; }
    const char *mode = argv[1];
    if (!strcmp(mode, "loadgen"))
        loadgen((int)arg_long(argc, argv, 2), (int)arg_long(argc, argv, 3),
                arg_long(argc, argv, 4), (size_t)arg_long(argc, argv, 5));
    else if (!strcmp(mode, "connector"))
        connector((int)arg_long(argc, argv, 2), arg_long(argc, argv, 3));
    else if (!strcmp(mode, "sink"))
        sink(tcp_connect((int)arg_long(argc, argv, 2)));
    else if (!strcmp(mode, "sink_fd"))
        sink((int)arg_long(argc, argv, 2));
    else if (!strcmp(mode, "source_fd"))
        source((int)arg_long(argc, argv, 2), arg_long(argc, argv, 3),
               arg_long(argc, argv, 4), (int)arg_long(argc, argv, 5));
    else { fprintf(stderr, "driver: unknown mode %s\n", mode); return 2; }
    return 0;
}
