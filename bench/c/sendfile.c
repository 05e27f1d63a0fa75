/* sendfile PATH DRIVER: sends the whole file over TCP loopback to `DRIVER
 * sink`, with sendfile(2), and waits for the sink's acknowledgement. */
#include "bench.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: sendfile PATH DRIVER\n"); return 2; }
    int file = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (file < 0) DIE("open");
    struct stat st;
    if (fstat(file, &st) < 0) DIE("fstat");
    char port_s[16];
    int port, lfd = tcp_listener(1, &port);
    snprintf(port_s, sizeof port_s, "%d", port);
    char *dargv[] = {argv[2], "sink", port_s, NULL};
    pid_t pid = spawn(dargv);
    int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) DIE("accept4");
    close(lfd);
    double t0 = now();
    off_t offset = 0;
    while (offset < st.st_size) {
        ssize_t n = sendfile(c, file, &offset, (size_t)(st.st_size - offset));
        if (n < 0) { if (errno == EINTR) continue; DIE("sendfile"); }
        if (n == 0) break;
    }
    await_ack(c);
    double t1 = now();
    close(c);
    reap(pid);
    result_begin();
    result_row("sendfile", (double)offset, t1 - t0);
    result_end();
    return 0;
}
