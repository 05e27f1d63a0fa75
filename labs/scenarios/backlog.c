/* backlog: what happens to connections the server does not accept(). */
#include "scenario.h"

#define CLIENTS 4

int main(void)
{
    scenario_start();
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        scenario_die("bind");
    struct step s;
    step_begin(&s, "listen(fd, 1)");
    step_ret(&s, listen(listener, 1));
    struct sockaddr_in to = loopback(bound_port(listener));

    int clients[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (clients[i] < 0)
            scenario_die("socket");
        set_nonblocking(clients[i]);
        if (connect(clients[i], (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS)
            scenario_die("connect");
    }
    step_begin(&s, "4 clients connect, nobody calls accept()");
    int established = 0, waiting = 0, refused = 0;
    for (int i = 0; i < CLIENTS; i++) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (wait_for(clients[i], POLLOUT, 100) == 0) {
            waiting++; /* the SYN was dropped: the kernel will retry it */
            continue;
        }
        if (getsockopt(clients[i], SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            scenario_die("getsockopt");
        if (err == 0)
            established++;
        else if (err == ECONNREFUSED)
            refused++;
    }
    step_value(&s, "%d established, %d waiting, %d refused", established, waiting, refused);
    close_all(CLIENTS, clients);

    int other = socket(AF_INET, SOCK_STREAM, 0);
    if (other < 0)
        scenario_die("socket");
    step_begin(&s, "listen(fd, 100000): too big is no error");
    step_ret(&s, listen(other, 100000));
    int fds[] = {listener, other};
    close_all(2, fds);
    return 0;
}
