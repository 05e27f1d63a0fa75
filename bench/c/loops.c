/* loops TOTAL_1K TOTAL_64K DRIVER: payload bytes per row through an AF_UNIX
 * stream socketpair whose other end is the shared driver (sink_fd or
 * source_fd), in 1 KiB and 64 KiB messages: sendall, recv_exactly, and 4-byte
 * big-endian length-prefixed messages (send_msg / recv_msg). */
#include "bench.h"

static char *driver;

/* Socketpair whose second end the driver inherits (no CLOEXEC on it). */
static void pair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) DIE("socketpair");
}

static double sending(long total, long size, int framed)
{
    int sv[2];
    pair(sv);
    char fd_s[16];
    snprintf(fd_s, sizeof fd_s, "%d", sv[1]);
    char *dargv[] = {driver, "sink_fd", fd_s, NULL};
    pid_t pid = spawn(dargv);
    close(sv[1]);
    size_t frame = (size_t)size + (framed ? 4 : 0);
    char *buf = calloc(1, frame);
    if (!buf) DIE("calloc");
    double t0 = now();
    for (long sent = 0; sent < total; sent += size) {
        if (framed) {
            uint32_t be = htonl((uint32_t)size);
            memcpy(buf, &be, 4);
        }
        write_all(sv[0], buf, frame);
    }
    await_ack(sv[0]);
    double t1 = now();
    close(sv[0]);
    reap(pid);
    free(buf);
    return t1 - t0;
}

static double receiving(long total, long size, int framed)
{
    int sv[2];
    pair(sv);
    char fd_s[16], total_s[32], size_s[32], framed_s[4];
    snprintf(fd_s, sizeof fd_s, "%d", sv[1]);
    snprintf(total_s, sizeof total_s, "%ld", total);
    snprintf(size_s, sizeof size_s, "%ld", size);
    snprintf(framed_s, sizeof framed_s, "%d", framed);
    char *dargv[] = {driver, "source_fd", fd_s, total_s, size_s, framed_s, NULL};
    pid_t pid = spawn(dargv);
    close(sv[1]);
    char *buf = malloc((size_t)size);
    if (!buf) DIE("malloc");
    double t0 = now();
    write_all(sv[0], "g", 1);
    for (long got = 0; got < total; got += size) {
        size_t n = (size_t)size;
        if (framed) {
            uint32_t be;
            if (read_exactly(sv[0], (char *)&be, 4) < 0) DIE("short frame");
            n = ntohl(be);
            if (n > (size_t)size) { fprintf(stderr, "loops: frame too large\n"); exit(2); }
        }
        if (read_exactly(sv[0], buf, n) < 0) { fprintf(stderr, "loops: early EOF\n"); exit(2); }
    }
    double t1 = now();
    close(sv[0]);
    reap(pid);
    free(buf);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: loops TOTAL_1K TOTAL_64K DRIVER\n"); return 2; }
    long totals[] = {arg_long(argc, argv, 1), arg_long(argc, argv, 2)};
    driver = argv[3];
    static const long sizes[] = {1024, 65536};
    static const char *names[] = {"1k", "64k"};
    char row[64];
    result_begin();
    for (int i = 0; i < 2; i++) {
        long total = totals[i];
        snprintf(row, sizeof row, "sendall_%s", names[i]);
        result_row(row, (double)total, sending(total, sizes[i], 0));
        snprintf(row, sizeof row, "recv_exactly_%s", names[i]);
        result_row(row, (double)total, receiving(total, sizes[i], 0));
        snprintf(row, sizeof row, "send_msg_%s", names[i]);
        result_row(row, (double)total, sending(total, sizes[i], 1));
        snprintf(row, sizeof row, "recv_msg_%s", names[i]);
        result_row(row, (double)total, receiving(total, sizes[i], 1));
    }
    result_end();
    return 0;
}
