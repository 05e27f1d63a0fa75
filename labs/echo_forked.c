/*
 * echo_forked: a TCP echo server that forks a child per client (concurrent
 * connection-oriented server).  The parent reaps its children from a SIGCHLD
 * handler, so none is left a zombie, and waits for the last ones at exit.
 *
 *   ./echo_forked [--host 127.0.0.1] [--port 7007] [--count N]
 *
 * After fork() both processes hold the listening and the client socket; each
 * closes the one it does not use (close() drops one reference; the
 * connection ends when the last holder closes it).
 */
#include "lab.h"

#include <sys/wait.h>

static void reap_children(int sig)
{
    (void)sig;
    int saved = errno; /* the interrupted code may be about to read errno */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved;
}

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 7007};
    lab_parse(argc, argv, "Hpn", "[--host HOST] [--port PORT] [--count N]", &o);
    lab_start();
    lab_on_stop();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = reap_children;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP; /* accept() goes on after a child ends */
    if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGCHLD, &sa, NULL) < 0)
        lab_die("sigaction(SIGCHLD)");

    int server = lab_tcp_listen(o.host, o.port, 5);
    int served = 0, client;
    struct sockaddr_in peer;
    while ((client = lab_accept(server, &peer, o.count, &served)) >= 0) {
        pid_t pid = fork();
        if (pid < 0)
            lab_die("fork");
        if (pid == 0) {
            if (close(server) < 0)
                lab_die("close");
            char name[64];
            lab_serve_echo(client, lab_peer(&peer, name, sizeof(name)));
            if (close(client) < 0)
                lab_die("close");
            _exit(0); /* stdout is line-buffered: nothing is left to flush */
        }
        if (close(client) < 0)
            lab_die("close");
    }
    if (close(server) < 0)
        lab_die("close");
    /* Wait for the children still serving; ECHILD means none is left. */
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    if (errno != ECHILD)
        lab_die("wait");
    printf("Served %d clients.\n", served);
    return 0;
}
