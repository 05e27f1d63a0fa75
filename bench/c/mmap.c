/* mmap COUNT: COUNT recv(1 MiB) calls, each returning one 64-byte message, on
 * a socketpair; run under strace -c to count mmap/munmap per call.  C reuses
 * one buffer, as any C program would. */
#include "bench.h"

int main(int argc, char **argv)
{
    long count = arg_long(argc, argv, 1);
    int sv[2];
    char msg[64] = {0};
    char *buf = malloc(1 << 20);
    if (!buf) DIE("malloc");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) DIE("socketpair");
    for (long i = 0; i < count; i++) {
        if (send(sv[0], msg, sizeof msg, 0) != sizeof msg) DIE("send");
        if (recv(sv[1], buf, 1 << 20, 0) != sizeof msg) DIE("recv");
    }
    result_begin();
    result_row("recv_1mib", (double)count, 0);
    result_end();
    free(buf);
    return 0;
}
