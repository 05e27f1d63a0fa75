/* boundaries: TCP is a byte stream; send() calls do not make messages. */
#include "scenario.h"

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    char buf[1024];
    struct step s;

    step_begin(&s, "send \"hello\"");
    step_io(&s, send(client, "hello", 5, 0), NULL);
    step_begin(&s, "send \"world\"");
    step_io(&s, send(client, "world", 5, 0), NULL);
    step_begin(&s, "recv(1024): both sends in one recv");
    step_io(&s, recv(server, buf, sizeof(buf), 0), buf);
    step_begin(&s, "send \"abcdefgh\" once");
    step_io(&s, send(client, "abcdefgh", 8, 0), NULL);
    step_begin(&s, "recv(4): one send, read in pieces");
    step_io(&s, recv(server, buf, 4, 0), buf);
    step_begin(&s, "recv(4): the rest");
    step_io(&s, recv(server, buf, 4, 0), buf);
    int fds[] = {client, server};
    close_all(2, fds);
    return 0;
}
