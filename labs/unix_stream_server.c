/*
 * unix_stream_server: the echo service over a UNIX-domain stream socket.  The
 * address is a path in the file system; the server removes it when it exits
 * (and a stale one left by a crashed server before it binds).
 *
 *   ./unix_stream_server [--path /tmp/pysock-echo.sock] [--count N]
 */
#include "lab.h"

int main(int argc, char **argv)
{
    struct lab_options o = {.path = "/tmp/pysock-echo.sock"};
    lab_parse(argc, argv, "Pn", "[--path PATH] [--count N]", &o);
    lab_start();
    lab_on_stop();

    int server = socket(AF_UNIX, SOCK_STREAM, 0);
    if (server < 0)
        lab_die("socket");
    lab_unix_bind(server, SOCK_STREAM, o.path);
    if (listen(server, 5) < 0)
        lab_die("listen");
    printf("Server is listening on %s...\n", o.path);

    int served = 0, client;
    /* UNIX-domain clients are usually unnamed: no address to ask for. */
    while ((client = lab_accept(server, NULL, o.count, &served)) >= 0) {
        printf("Connection %d has been established.\n", served);
        if (lab_echo(client) < 0)
            perror("echo");
        printf("Connection %d closed.\n", served);
        if (close(client) < 0)
            lab_die("close");
    }
    if (close(server) < 0)
        lab_die("close");
    if (unlink(o.path) < 0) /* the file stays after close(): remove it */
        lab_die("unlink");
    printf("Served %d clients.\n", served);
    return 0;
}
