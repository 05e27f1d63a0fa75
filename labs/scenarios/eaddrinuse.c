/* eaddrinuse: a port in use, in TIME_WAIT, and what SO_REUSEADDR allows. */
#include "scenario.h"

/* bind() alone: 0 or -1, the socket closed again. */
static int fresh_bind(int port, int reuse)
{
    int fd = tcp_bound(port, reuse ? SO_REUSEADDR : 0, 0);
    if (fd >= 0 && close(fd) < 0)
        scenario_die("close");
    return fd < 0 ? -1 : 0;
}

int main(void)
{
    scenario_start();
    /* The server sets SO_REUSEADDR, as servers do: its connections inherit
       it, and a TIME_WAIT connection only lets a new socket bind if both
       have it. */
    int listener = tcp_bound(0, SO_REUSEADDR, 1);
    if (listener < 0)
        scenario_die("listener");
    int port = bound_port(listener);
    int client = tcp_connect_to(port);
    int server = accept(listener, NULL, NULL);
    if (server < 0)
        scenario_die("accept");
    struct step s;

    step_begin(&s, "bind the port while the server listens");
    step_ret(&s, fresh_bind(port, 0));
    step_begin(&s, "the same with SO_REUSEADDR");
    step_ret(&s, fresh_bind(port, 1));

    /* The server closes first (active close), so its end of the connection
       stays in TIME_WAIT for 60 s; then the listener goes too. */
    char buf[16];
    if (close(server) < 0 || recv(client, buf, sizeof(buf), 0) != 0 || close(client) < 0
        || close(listener) < 0)
        scenario_die("teardown");
    step_begin(&s, "bind again, server gone, a connection in TIME_WAIT");
    step_ret(&s, fresh_bind(port, 0));
    step_begin(&s, "bind again with SO_REUSEADDR");
    step_ret(&s, fresh_bind(port, 1));
    return 0;
}
