/* pingpong ROUNDS: 1-byte round trips with a forked echo child, over an
 * AF_UNIX socketpair and over TCP loopback with TCP_NODELAY. */
#include "bench.h"

static double pingpong(int mine, int theirs, long rounds)
{
    char byte = 'x';
    long warm = rounds / 10 + 1;
    pid_t pid = fork();
    if (pid < 0) DIE("fork");
    if (pid == 0) {
        close(mine);
        while (recv(theirs, &byte, 1, 0) == 1)
            if (send(theirs, &byte, 1, 0) != 1) DIE("send");
        _exit(0);
    }
    close(theirs);
    double t0 = 0;
    for (long i = 0; i < warm + rounds; i++) {
        if (i == warm) t0 = now();
        if (send(mine, &byte, 1, 0) != 1) DIE("send");
        if (recv(mine, &byte, 1, 0) != 1) DIE("recv");
    }
    double t1 = now();
    close(mine);
    reap(pid);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    long rounds = arg_long(argc, argv, 1);
    int sv[2], a, b;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) DIE("socketpair");
    double unix_s = pingpong(sv[0], sv[1], rounds);
    tcp_pair(&a, &b, 1);
    double tcp_s = pingpong(a, b, rounds);
    result_begin();
    result_row("pingpong_unix", (double)rounds, unix_s);
    result_row("pingpong_tcp", (double)rounds, tcp_s);
    result_end();
    return 0;
}
