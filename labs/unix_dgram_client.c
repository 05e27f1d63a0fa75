/*
 * unix_dgram_client: sends each message as one datagram to a UNIX-domain
 * datagram server and prints the echo.  It binds a path of its own next to
 * the server's (client-PID.sock), so the server can answer, and removes it.
 *
 *   ./unix_dgram_client [--path /tmp/pysock-echo-dgram.sock] [MESSAGE...]
 */
#include "lab.h"

#include <libgen.h>
#include <poll.h>

int main(int argc, char **argv)
{
    struct lab_options o = {.path = "/tmp/pysock-echo-dgram.sock"};
    lab_parse(argc, argv, "P", "[--path PATH] [MESSAGE...]", &o);
    lab_start();

    struct sockaddr_un server, me;
    lab_unix_address(o.path, &server);
    char dir[sizeof(server.sun_path)], mine[sizeof(server.sun_path) + 32];
    memcpy(dir, server.sun_path, sizeof(dir));
    int r = snprintf(mine, sizeof(mine), "%s/client-%ld.sock", dirname(dir), (long)getpid());
    if (r < 0 || (size_t)r >= sizeof(mine))
        lab_die("snprintf");
    lab_unix_address(mine, &me);

    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0)
        lab_die("socket");
    if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
        lab_die("bind");
    int status = 0;
    char *fallback[] = {"Hello over a UNIX datagram socket!"};
    char **messages = o.nargs ? o.args : fallback;
    int count = o.nargs ? o.nargs : 1;
    for (int i = 0; i < count && status == 0; i++) {
        if (sendto(fd, messages[i], strlen(messages[i]), 0, (struct sockaddr *)&server,
                   sizeof(server)) < 0) {
            perror("sendto"); /* ECONNREFUSED: no server bound to that path */
            status = 1;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready;
        while ((ready = poll(&p, 1, 2000)) < 0 && errno == EINTR)
            ;
        if (ready <= 0) {
            fprintf(stderr, ready < 0 ? "poll failed\n" : "no reply within 2 s\n");
            status = 1;
            break;
        }
        char buffer[65536];
        ssize_t n = recv(fd, buffer, sizeof(buffer) - 1, 0);
        if (n < 0) {
            perror("recv");
            status = 1;
            break;
        }
        buffer[n] = '\0';
        printf("Echo from server: %s\n", buffer);
    }
    if (close(fd) < 0 || unlink(mine) < 0)
        lab_die("cleanup");
    return status;
}
