/* partial-write: send() may write less than asked; sendall is a loop. */
#include "scenario.h"

#include <pthread.h>

#define BIG (1 << 20)

static char big[BIG];

/* The peer: reads until EOF, so the sender can go on. */
static void *drain(void *arg)
{
    int fd = *(int *)arg;
    char buf[65536];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
        ;
    if (n < 0)
        scenario_die("drain");
    return NULL;
}

int main(void)
{
    scenario_start();
    int client, server;
    tcp_pair(&client, &server);
    int small = 4096;
    if (setsockopt(client, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) < 0)
        scenario_die("setsockopt");
    int flags = fcntl(client, F_GETFL);
    if (flags < 0 || fcntl(client, F_SETFL, flags | O_NONBLOCK) < 0)
        scenario_die("fcntl");
    struct step s;

    step_begin(&s, "send 1 MiB on a non-blocking socket");
    ssize_t first = send(client, big, BIG, 0);
    if (first > 0 && first < BIG) {
        char shown[64];
        snprintf(shown, sizeof(shown), "%zd (of %d)", first, BIG);
        step_emit(&s, "= partial", shown, 0, first);
    }
    else {
        step_io(&s, first, NULL);
    }
    step_begin(&s, "keep sending: the buffers fill, then EAGAIN");
    ssize_t n;
    while ((n = send(client, big, BIG, 0)) > 0)
        ;
    step_io(&s, n, NULL);

    /* With a reader on the other side, send() in a loop, waiting with
       poll() whenever the buffer is full, until every byte is out: what
       Python's sendall() does on a socket with a timeout. */
    int roomy = 65536;
    if (setsockopt(client, SOL_SOCKET, SO_SNDBUF, &roomy, sizeof(roomy)) < 0)
        scenario_die("setsockopt");
    pthread_t reader;
    if (pthread_create(&reader, NULL, drain, &server) != 0)
        scenario_die("pthread_create");
    step_begin(&s, "sendall 1 MiB (with a timeout) while the peer reads");
    long done = 0, calls = 0;
    while (done < BIG) {
        n = send(client, big + done, (size_t)(BIG - done), 0);
        calls++;
        if (n > 0)
            done += n;
        else if (n < 0 && errno == EAGAIN && wait_for(client, POLLOUT, 5000) == 0)
            break; /* the timeout */
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
    }
    if (done < BIG) {
        step_io(&s, -1, NULL);
    }
    else {
        char shown[64];
        snprintf(shown, sizeof(shown), "%ld bytes in %ld send() calls", done, calls);
        step_emit(&s, "= all sent", shown, 0, done);
    }
    if (shutdown(client, SHUT_WR) < 0 || pthread_join(reader, NULL) != 0)
        scenario_die("pthread_join");
    int fds[] = {client, server};
    close_all(2, fds);
    return 0;
}
