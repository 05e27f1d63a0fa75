/* udp-truncate: a datagram larger than the buffer is cut, the rest lost. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int a = udp_socket(), b = udp_socket();
    struct sockaddr_in to = loopback(bound_port(b));
    set_nonblocking(b);
    char big[100], buf[10];
    memset(big, 'x', sizeof(big));
    struct step s;

    step_begin(&s, "send a 100-byte datagram");
    step_io(&s, sendto(a, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to)), NULL);
    step_begin(&s, "recvfrom into a 10-byte buffer");
    step_io(&s, recvfrom(b, buf, sizeof(buf), 0, NULL, NULL), buf);
    step_begin(&s, "recv again: the other 90 bytes are gone");
    step_io(&s, recv(b, buf, sizeof(buf), 0), buf);

    if (sendto(a, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        scenario_die("sendto");
    step_begin(&s, "recv(MSG_TRUNC): the real size");
    step_ret(&s, recv(b, buf, sizeof(buf), MSG_TRUNC));

    if (sendto(a, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        scenario_die("sendto");
    step_begin(&s, "recvmsg: MSG_TRUNC in msg_flags");
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n = recvmsg(b, &msg, 0);
    if (n < 0)
        step_io(&s, n, NULL);
    else
        step_value(&s, "%zd bytes, MSG_TRUNC %s", n, (msg.msg_flags & MSG_TRUNC) ? "set" : "clear");

    step_begin(&s, "send a zero-length datagram");
    step_io(&s, sendto(a, "", 0, 0, (struct sockaddr *)&to, sizeof(to)), NULL);
    step_begin(&s, "recvfrom: 0 bytes, and a sender");
    struct sockaddr_in from;
    socklen_t fromlen = sizeof(from);
    n = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
    if (n < 0)
        step_io(&s, n, NULL);
    else
        step_value(&s, "%zd bytes, from %s", n,
                   ntohs(from.sin_port) == bound_port(a) ? "the sender's port" : "another port");
    int fds[] = {a, b};
    close_all(2, fds);
    return 0;
}
