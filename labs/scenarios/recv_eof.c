/* recv-eof: recv() returns 0 once the peer has closed and the data is read. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    char buf[1024];
    struct step s;

    step_begin(&s, "send 5 bytes");
    step_io(&s, send(client, "hello", 5, 0), NULL);
    step_begin(&s, "close the sending side");
    step_ret(&s, close(client));
    step_begin(&s, "recv: the data comes first");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    step_begin(&s, "recv at EOF");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    step_begin(&s, "recv at EOF again: EOF stays");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    close_all(1, &server);
    return 0;
}
