/*
 * echo_select: a TCP echo server that serves many clients from one thread,
 * waiting for whichever socket is ready with poll() (the default) or
 * select() (--mode select).
 *
 *   ./echo_select [--host 127.0.0.1] [--port 7007] [--count N] [--mode poll|select]
 *
 * select() can only watch descriptors below FD_SETSIZE (1024): a server
 * with more open files must use poll() (or epoll).  Replies are sent with
 * blocking sends, which is fine for an echo lab; a production server would
 * queue them and wait for POLLOUT, so one slow reader cannot stall the rest.
 */
#include "lab.h"

#include <poll.h>
#include <sys/select.h>

#define MAX_CLIENTS 64

struct client {
    int fd;
    char name[64];
};

/* Marks ready[i] for each readable descriptor fds[i]; returns -1 on EINTR. */
static int wait_readable(int use_select, const int *fds, int n, int *ready)
{
    if (use_select) {
        fd_set set;
        FD_ZERO(&set);
        int top = -1;
        for (int i = 0; i < n; i++) {
            if (fds[i] >= FD_SETSIZE) {
                fprintf(stderr, "descriptor %d is beyond select()'s FD_SETSIZE\n", fds[i]);
                exit(EXIT_FAILURE);
            }
            FD_SET(fds[i], &set);
            top = fds[i] > top ? fds[i] : top;
        }
        if (select(top + 1, &set, NULL, NULL, NULL) < 0)
            return -1;
        for (int i = 0; i < n; i++)
            ready[i] = FD_ISSET(fds[i], &set);
        return 0;
    }
    struct pollfd p[MAX_CLIENTS + 1];
    for (int i = 0; i < n; i++) {
        p[i].fd = fds[i];
        p[i].events = POLLIN;
        p[i].revents = 0;
    }
    if (poll(p, (nfds_t)n, -1) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        ready[i] = (p[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    return 0;
}

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 7007, .mode = "poll"};
    lab_parse(argc, argv, "Hpnm", "[--host HOST] [--port PORT] [--count N] [--mode poll|select]", &o);
    int use_select = strcmp(o.mode, "select") == 0;
    if (!use_select && strcmp(o.mode, "poll") != 0) {
        fprintf(stderr, "--mode must be poll or select\n");
        return 2;
    }
    lab_start();
    lab_on_stop();

    int server = lab_tcp_listen(o.host, o.port, 5);
    struct client clients[MAX_CLIENTS];
    int nclients = 0, served = 0;
    for (;;) {
        int accepting = !lab_stopping && (o.count == 0 || served < o.count);
        if (!accepting && nclients == 0)
            break;
        /* fds[0] is the listener while it still accepts; then the clients. */
        int fds[MAX_CLIENTS + 1], ready[MAX_CLIENTS + 1], n = 0;
        if (accepting)
            fds[n++] = server;
        for (int i = 0; i < nclients; i++)
            fds[n++] = clients[i].fd;
        if (wait_readable(use_select, fds, n, ready) < 0) {
            if (errno == EINTR)
                continue;
            lab_die(use_select ? "select" : "poll");
        }
        int first_client = accepting ? 1 : 0;
        /* Serve the clients first: accepting may add to the array. */
        for (int i = n - 1; i >= first_client; i--) {
            if (!ready[i])
                continue;
            struct client *c = &clients[i - first_client];
            char buffer[4096];
            ssize_t got = recv(c->fd, buffer, sizeof(buffer), 0);
            if (got > 0 && lab_send_all(c->fd, buffer, (size_t)got) == 0)
                continue;
            if (got < 0 || got > 0)
                perror("echo");
            printf("Connection from %s closed.\n", c->name);
            if (close(c->fd) < 0)
                lab_die("close");
            *c = clients[--nclients]; /* order does not matter */
        }
        if (accepting && ready[0]) {
            struct sockaddr_in peer;
            socklen_t peerlen = sizeof(peer);
            int fd = accept(server, (struct sockaddr *)&peer, &peerlen);
            if (fd < 0) {
                if (errno == EINTR)
                    continue;
                lab_die("accept");
            }
            served++;
            if (nclients == MAX_CLIENTS) {
                fprintf(stderr, "too many clients; closing the new one\n");
                if (close(fd) < 0)
                    lab_die("close");
                continue;
            }
            clients[nclients].fd = fd;
            lab_peer(&peer, clients[nclients].name, sizeof(clients[nclients].name));
            printf("Connection from %s has been established.\n", clients[nclients].name);
            nclients++;
        }
    }
    if (close(server) < 0)
        lab_die("close");
    printf("Served %d clients.\n", served);
    return 0;
}
