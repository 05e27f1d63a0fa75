/* reuseport: SO_REUSEPORT lets several sockets listen on one port. */
#include "scenario.h"

static int accept_all(int fd)
{
    int count = 0, c;
    while ((c = accept(fd, NULL, NULL)) >= 0) {
        count++;
        if (close(c) < 0)
            scenario_die("close");
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        scenario_die("accept");
    return count;
}

int main(void)
{
    scenario_start();
    struct step s;
    step_begin(&s, "listen on a port with SO_REUSEPORT");
    int a = tcp_bound(0, SO_REUSEPORT, 32);
    step_ret(&s, a < 0 ? -1 : 0);
    int port = bound_port(a);
    step_begin(&s, "a second socket on the same port, SO_REUSEPORT");
    int b = tcp_bound(port, SO_REUSEPORT, 32);
    step_ret(&s, b < 0 ? -1 : 0);
    step_begin(&s, "a third without SO_REUSEPORT");
    int c = tcp_bound(port, 0, 32);
    step_ret(&s, c < 0 ? -1 : 0);

    int clients[20];
    for (int i = 0; i < 20; i++)
        clients[i] = tcp_connect_to(port);
    set_nonblocking(a);
    set_nonblocking(b);
    step_begin(&s, "20 connections: the kernel spreads them");
    int got_a = accept_all(a), got_b = accept_all(b);
    char shown[64];
    snprintf(shown, sizeof(shown), "%d + %d", got_a, got_b);
    step_emit(&s, got_a > 0 && got_b > 0 && got_a + got_b == 20 ? "= both listeners got some"
                                                                 : "= not spread",
              shown, 0, -1);
    close_all(20, clients);
    int fds[] = {a, b};
    close_all(2, fds);
    return 0;
}
