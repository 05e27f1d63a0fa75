/* nonblocking: O_NONBLOCK, and a timeout the C way (SO_RCVTIMEO). */
#include "scenario.h"

#include <sys/time.h>

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    char buf[16];
    struct step s;
    int flags = fcntl(client, F_GETFL);
    if (flags < 0 || fcntl(client, F_SETFL, flags | O_NONBLOCK) < 0)
        scenario_die("fcntl");

    step_begin(&s, "recv on an empty O_NONBLOCK socket");
    step_io(&s, recv(client, buf, sizeof(buf), 0), buf);

    if (fcntl(client, F_SETFL, flags) < 0)
        scenario_die("fcntl");
    struct timeval tv = {0, 50000};
    if (setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
        scenario_die("setsockopt");
    step_begin(&s, "recv with a 50 ms timeout");
    step_io(&s, recv(client, buf, sizeof(buf), 0), buf);
    step_begin(&s, "is O_NONBLOCK set during the timeout?");
    int now = fcntl(client, F_GETFL);
    if (now < 0)
        step_ret(&s, now);
    else
        step_value(&s, (now & O_NONBLOCK) ? "yes" : "no");

    struct timeval none = {0, 0};
    if (setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none)) < 0)
        scenario_die("setsockopt");
    step_begin(&s, "recv(MSG_DONTWAIT) on a blocking socket");
    step_io(&s, recv(client, buf, sizeof(buf), MSG_DONTWAIT), buf);
    int fds[] = {client, server};
    close_all(2, fds);
    return 0;
}
