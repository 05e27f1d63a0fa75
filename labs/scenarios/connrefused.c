/* connrefused: connecting to a port nobody listens on. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int port = closed_port(SOCK_STREAM);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        scenario_die("socket");
    struct sockaddr_in to = loopback(port);
    struct step s;
    step_begin(&s, "connect to a port with no listener");
    step_ret(&s, connect(fd, (struct sockaddr *)&to, sizeof(to)));
    step_begin(&s, "connect again on the same socket");
    step_ret(&s, connect(fd, (struct sockaddr *)&to, sizeof(to)));
    close_all(1, &fd);
    return 0;
}
