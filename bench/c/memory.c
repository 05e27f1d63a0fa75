/* memory CALLS: CALLS send/recv calls (64 bytes each way) on a socketpair;
 * prints RSS before and after the loop, in KiB ("ops" holds the value). */
#include "bench.h"

static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2) DIE("statm");
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv)
{
    long calls = arg_long(argc, argv, 1);
    int sv[2];
    char msg[64] = {0}, buf[64];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) DIE("socketpair");
    long start = rss_kib();
    for (long i = 0; i < calls / 2; i++) {
        if (send(sv[0], msg, sizeof msg, 0) != sizeof msg) DIE("send");
        if (recv(sv[1], buf, sizeof buf, 0) != sizeof buf) DIE("recv");
    }
    long end = rss_kib();
    result_begin();
    result_row("rss_start", (double)start, 0);
    result_row("rss_end", (double)end, 0);
    result_end();
    return 0;
}
