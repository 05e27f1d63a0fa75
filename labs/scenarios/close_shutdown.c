/* close-shutdown: shutdown() acts on the connection, close() on a descriptor. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    char buf[16];
    struct step s;

    step_begin(&s, "shutdown(SHUT_WR)");
    step_ret(&s, shutdown(client, SHUT_WR));
    step_begin(&s, "the peer reads EOF");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    if (send(server, "reply", 5, 0) != 5)
        scenario_die("send");
    step_begin(&s, "this side still receives the reply");
    step_io(&s, recv(client, buf, sizeof(buf), 0), buf);
    step_begin(&s, "send after SHUT_WR");
    step_io(&s, send(client, "more", 4, 0), NULL);
    if (close(client) < 0 || close(server) < 0)
        scenario_die("close");

    tcp_pair(&client, &server);
    set_nonblocking(server);
    int copy = dup(client);
    if (copy < 0)
        scenario_die("dup");
    step_begin(&s, "close one of two descriptors of a socket");
    step_ret(&s, close(client));
    step_begin(&s, "the peer sees no EOF: the socket is still open");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    step_begin(&s, "shutdown(SHUT_RDWR) through the other descriptor");
    step_ret(&s, shutdown(copy, SHUT_RDWR));
    wait_for(server, POLLIN, 1000);
    step_begin(&s, "the peer reads EOF at once");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    if (close(copy) < 0)
        scenario_die("close");
    step_begin(&s, "recv on a closed descriptor");
    step_io(&s, recv(copy, buf, sizeof(buf), 0), buf);
    close_all(1, &server);
    return 0;
}
