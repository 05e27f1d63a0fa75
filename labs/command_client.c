/*
 * command_client: asks a command_server to run one command and prints the
 * output.  It sends the request, then shutdown(SHUT_WR): the server sees
 * EOF after the request, while this side can still read the whole answer
 * until the server closes (recv() returns 0).
 *
 *   ./command_client [--host 127.0.0.1] [--port 5023] COMMAND
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 5023};
    lab_parse(argc, argv, "Hp", "[--host HOST] [--port PORT] COMMAND", &o);
    if (o.nargs != 1) {
        fprintf(stderr, "usage: %s [--host HOST] [--port PORT] COMMAND\n", argv[0]);
        return 2;
    }
    lab_start();

    int fd = lab_tcp_connect(o.host, o.port);
    char request[256];
    int r = snprintf(request, sizeof(request), "%s\n", o.args[0]);
    if (r < 0 || (size_t)r >= sizeof(request)) {
        fprintf(stderr, "command name too long\n");
        return 2;
    }
    if (lab_send_all(fd, request, strlen(request)) < 0)
        lab_die("send");
    if (shutdown(fd, SHUT_WR) < 0) /* "that was all": the server reads EOF */
        lab_die("shutdown");
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            lab_die("recv");
        }
        if (fwrite(buffer, 1, (size_t)n, stdout) != (size_t)n)
            lab_die("fwrite");
    }
    if (close(fd) < 0)
        lab_die("close");
    return 0;
}
