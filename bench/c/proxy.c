/* proxy TOTAL DRIVER: forwards TOTAL bytes from `DRIVER source_fd` (one AF_UNIX
 * socketpair) to `DRIVER sink_fd` (another) through a pipe with splice(2),
 * the zero-copy way a C proxy moves bytes. */
#include "bench.h"

#include <fcntl.h>

static pid_t driver_on(int sv[2], char **dargv, int fd_slot)
{
    static char fd_s[2][16];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) DIE("socketpair");
    snprintf(fd_s[fd_slot], sizeof fd_s[fd_slot], "%d", sv[1]);
    dargv[2] = fd_s[fd_slot];
    pid_t pid = spawn(dargv);
    close(sv[1]);
    return pid;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: proxy TOTAL DRIVER\n"); return 2; }
    char *source_argv[] = {argv[2], "source_fd", NULL, argv[1], "65536", "0", NULL};
    char *sink_argv[] = {argv[2], "sink_fd", NULL, NULL};
    int src[2], dst[2], pipefd[2];
    pid_t source = driver_on(src, source_argv, 0), sink = driver_on(dst, sink_argv, 1);
    if (pipe2(pipefd, O_CLOEXEC) < 0) DIE("pipe2");
    long moved = 0;
    double t0 = now();
    write_all(src[0], "g", 1);
    for (;;) {
        ssize_t n = splice(src[0], NULL, pipefd[1], NULL, 65536, SPLICE_F_MOVE);
        if (n < 0) { if (errno == EINTR) continue; DIE("splice in"); }
        if (n == 0) break;
        moved += n;
        while (n > 0) {
            ssize_t w = splice(pipefd[0], NULL, dst[0], NULL, (size_t)n, SPLICE_F_MOVE);
            if (w < 0) { if (errno == EINTR) continue; DIE("splice out"); }
            n -= w;
        }
    }
    await_ack(dst[0]);
    double t1 = now();
    close(src[0]);
    close(dst[0]);
    reap(source);
    reap(sink);
    result_begin();
    result_row("splice_proxy", (double)moved, t1 - t0);
    result_end();
    return 0;
}
