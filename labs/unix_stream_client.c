/*
 * unix_stream_client: the echo client over a UNIX-domain stream socket.
 *
 *   ./unix_stream_client [--path /tmp/pysock-echo.sock] [MESSAGE...]
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.path = "/tmp/pysock-echo.sock"};
    lab_parse(argc, argv, "P", "[--path PATH] [MESSAGE...]", &o);
    lab_start();

    struct sockaddr_un addr;
    lab_unix_address(o.path, &addr);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        lab_die("socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        lab_die("connect");
    char *fallback[] = {"Hello over a UNIX socket!"};
    char **messages = o.nargs ? o.args : fallback;
    int count = o.nargs ? o.nargs : 1;
    for (int i = 0; i < count; i++)
        lab_echo_request(fd, messages[i]);
    if (close(fd) < 0)
        lab_die("close");
    return 0;
}
