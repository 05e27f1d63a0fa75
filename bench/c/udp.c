/* udp COUNT BATCH: COUNT 64-byte datagrams between two UDP sockets on
 * 127.0.0.1, BATCH sent then BATCH received (a batch fits the receive buffer,
 * so nothing is dropped): per call with sendto/recvfrom, and batched with
 * sendmmsg/recvmmsg. */
#include "bench.h"

#define MSG 64
#define BUF 2048

static int udp_bound(struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) DIE("socket");
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)addr, sizeof *addr) < 0) DIE("bind");
    socklen_t len = sizeof *addr;
    if (getsockname(fd, (struct sockaddr *)addr, &len) < 0) DIE("getsockname");
    return fd;
}

int main(int argc, char **argv)
{
    long count = arg_long(argc, argv, 1), batch = arg_long(argc, argv, 2);
    struct sockaddr_in to, from_addr, peer;
    int tx = udp_bound(&from_addr), rx = udp_bound(&to);
    static char msg[MSG], bufs[1024][BUF];
    if (batch > 1024) { fprintf(stderr, "udp: batch too large\n"); return 2; }
    long rounds = count / batch, warm = rounds / 10 + 1;

    double t0 = 0;
    for (long r = 0; r < warm + rounds; r++) {
        if (r == warm) t0 = now();
        for (long i = 0; i < batch; i++)
            if (sendto(tx, msg, MSG, 0, (struct sockaddr *)&to, sizeof to) != MSG) DIE("sendto");
        for (long i = 0; i < batch; i++) {
            socklen_t len = sizeof peer;
            if (recvfrom(rx, bufs[0], BUF, 0, (struct sockaddr *)&peer, &len) != MSG) DIE("recvfrom");
        }
    }
    double percall = now() - t0;

    struct mmsghdr out[1024], in[1024];
    struct iovec out_iov[1024], in_iov[1024];
    struct sockaddr_in in_addr[1024];
    for (long i = 0; i < batch; i++) {
        out_iov[i] = (struct iovec){.iov_base = msg, .iov_len = MSG};
        out[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &to, .msg_namelen = sizeof to,
                                              .msg_iov = &out_iov[i], .msg_iovlen = 1}};
        in_iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = BUF};
    }
    for (long r = 0; r < warm + rounds; r++) {
        if (r == warm) t0 = now();
        if (sendmmsg(tx, out, (unsigned)batch, 0) != batch) DIE("sendmmsg");
        for (long got = 0; got < batch;) {
            for (long i = got; i < batch; i++)
                in[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &in_addr[i],
                                                     .msg_namelen = sizeof in_addr[i],
                                                     .msg_iov = &in_iov[i], .msg_iovlen = 1}};
            int n = recvmmsg(rx, in + got, (unsigned)(batch - got), 0, NULL);
            if (n <= 0) DIE("recvmmsg");
            got += n;
        }
    }
    double batched = now() - t0;
    result_begin();
    result_row("udp_percall", (double)(rounds * batch), percall);
    result_row("udp_batched", (double)(rounds * batch), batched);
    result_end();
    return 0;
}
