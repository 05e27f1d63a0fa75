/* listen-no-bind: listen() without bind() gets a port from the kernel. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        scenario_die("socket");
    struct step s;
    step_begin(&s, "listen() on a socket never bound");
    step_ret(&s, listen(fd, 1));
    step_begin(&s, "getsockname: the kernel chose a port");
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        step_ret(&s, -1);
    }
    else {
        char host[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &addr.sin_addr, host, sizeof(host));
        int port = ntohs(addr.sin_port);
        char key[64], shown[64];
        snprintf(key, sizeof(key), "= %s, an ephemeral port", host);
        snprintf(shown, sizeof(shown), "%s:%d", host, port);
        step_emit(&s, port > 0 ? key : "= port 0", shown, 0, -1);
    }
    step_begin(&s, "a client can connect to it");
    int client = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = loopback(ntohs(addr.sin_port));
    step_ret(&s, connect(client, (struct sockaddr *)&to, sizeof(to)));
    int fds[] = {client, fd};
    close_all(2, fds);
    return 0;
}
