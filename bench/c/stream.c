/* stream TOTAL CHUNK: a forked child writes TOTAL bytes in CHUNK-byte writes
 * over TCP loopback; the parent reads them into a CHUNK-byte buffer. */
#include "bench.h"

int main(int argc, char **argv)
{
    long total = arg_long(argc, argv, 1), chunk = arg_long(argc, argv, 2);
    char *buf = calloc(1, (size_t)chunk);
    if (!buf) DIE("calloc");
    int a, b;
    tcp_pair(&a, &b, 0);
    pid_t pid = fork();
    if (pid < 0) DIE("fork");
    if (pid == 0) {
        close(b);
        char go;
        if (read_exactly(a, &go, 1) < 0) _exit(1);
        for (long sent = 0; sent < total; sent += chunk)
            write_all(a, buf, (size_t)chunk);
        close(a);
        _exit(0);
    }
    close(a);
    double t0 = now();
    write_all(b, "g", 1);
    long got = 0;
    for (;;) {
        ssize_t r = recv(b, buf, (size_t)chunk, 0);
        if (r < 0) { if (errno == EINTR) continue; DIE("recv"); }
        if (r == 0) break;
        got += r;
    }
    double t1 = now();
    reap(pid);
    if (got != total) { fprintf(stderr, "stream: got %ld of %ld\n", got, total); return 2; }
    result_begin();
    result_row("stream_tcp", (double)total, t1 - t0);
    result_end();
    return 0;
}
