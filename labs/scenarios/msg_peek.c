/* msg-peek: MSG_PEEK reads data without taking it off the queue. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    char buf[16];
    struct step s;
    if (send(client, "hello", 5, 0) != 5)
        scenario_die("send");
    set_nonblocking(server);
    wait_for(server, POLLIN, 1000);

    step_begin(&s, "recv(MSG_PEEK)");
    step_io(&s, recv(server, buf, sizeof(buf), MSG_PEEK), buf);
    step_begin(&s, "recv: the same bytes, still queued");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    step_begin(&s, "recv once more: nothing left");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    int fds[] = {client, server};
    close_all(2, fds);
    return 0;
}
