/* msg-oob: one urgent byte, announced by SIGURG to the socket's owner. */
#include "scenario.h"

static volatile sig_atomic_t urgent_signals;

static void on_sigurg(int sig)
{
    (void)sig;
    urgent_signals++;
}

int main(void)
{
    scenario_start();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigurg;
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGURG, &sa, NULL) < 0)
        scenario_die("sigaction");
    int client, server;
    tcp_pair(&client, &server);
    if (fcntl(server, F_SETOWN, getpid()) < 0) /* SIGURG goes to the owner */
        scenario_die("fcntl(F_SETOWN)");
    char buf[16];
    struct step s;
    if (send(client, "hello", 5, 0) != 5)
        scenario_die("send");

    step_begin(&s, "send one byte with MSG_OOB");
    step_io(&s, send(client, "!", 1, MSG_OOB), NULL);
    wait_for(server, POLLPRI, 1000);
    step_begin(&s, "SIGURG reached the socket's owner");
    step_value(&s, urgent_signals > 0 ? "yes" : "no");
    step_begin(&s, "recv(MSG_OOB): the urgent byte");
    step_io(&s, recv(server, buf, sizeof(buf), MSG_OOB), buf);
    step_begin(&s, "recv: the normal data, without it");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    step_begin(&s, "recv(MSG_OOB) again: nothing urgent");
    step_io(&s, recv(server, buf, sizeof(buf), MSG_OOB), buf);
    int fds[] = {client, server};
    close_all(2, fds);
    return 0;
}
