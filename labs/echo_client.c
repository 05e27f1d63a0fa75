/*
 * echo_client: sends each message to a TCP echo server and prints what comes
 * back.  TCP has no message boundaries, so the client reads until it has as
 * many bytes as it sent, however many recv() calls that takes
 * (lab_echo_request in lab.h).
 *
 *   ./echo_client [--host 127.0.0.1] [--port 7007] [MESSAGE...]
 *
 * Without messages it sends "Hello, echo server!"; "-" reads lines from stdin.
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 7007};
    lab_parse(argc, argv, "Hp", "[--host HOST] [--port PORT] [MESSAGE...|-]", &o);
    lab_start();

    int fd = lab_tcp_connect(o.host, o.port);
    if (o.nargs == 0) {
        lab_echo_request(fd, "Hello, echo server!");
    }
    else if (o.nargs == 1 && strcmp(o.args[0], "-") == 0) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) > 0) {
            if (line[n - 1] == '\n')
                line[n - 1] = '\0';
            if (line[0] != '\0')
                lab_echo_request(fd, line);
        }
        free(line);
    }
    else {
        for (int i = 0; i < o.nargs; i++)
            lab_echo_request(fd, o.args[i]);
    }
    if (close(fd) < 0)
        lab_die("close");
    return 0;
}
