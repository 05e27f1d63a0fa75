/* accept_server COUNT DRIVER: accepts COUNT short-lived connections from
 * `DRIVER connector` (which prints the rate) and closes each at once. */
#include "bench.h"

int main(int argc, char **argv)
{
    long count = arg_long(argc, argv, 1);
    long total = count + count / 10 + 1;     /* the connector's warm-up too */
    char port_s[16];
    int port, lfd = tcp_listener(128, &port);
    snprintf(port_s, sizeof port_s, "%d", port);
    char *dargv[] = {argv[2], "connector", port_s, argv[1], NULL};
    pid_t pid = spawn(dargv);
    for (long i = 0; i < total; i++) {
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) { if (errno == EINTR || errno == ECONNABORTED) { i--; continue; } DIE("accept4"); }
        close(c);
    }
    close(lfd);
    reap(pid);
    return 0;
}
