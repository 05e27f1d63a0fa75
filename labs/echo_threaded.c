/*
 * echo_threaded: a TCP echo server with a thread per client.
 *
 *   ./echo_threaded [--host 127.0.0.1] [--port 7007] [--count N]
 *
 * The classic bug: pthread_create(&t, NULL, serve, &client_fd) hands every
 * thread the address of the one loop variable, so when the next accept()
 * overwrites it before the thread has read it, two threads serve the same
 * client and the other client is never served (nor closed).  Here each
 * thread gets its own heap copy of the descriptor and the peer address, and
 * frees it.  The main thread counts the running threads and waits for them
 * at exit, so no client is cut off.
 */
#include "lab.h"

#include <pthread.h>

struct client {
    int fd;
    struct sockaddr_in peer;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static int running;

static void *serve_client(void *arg)
{
    struct client *c = arg;
    char name[64];
    lab_serve_echo(c->fd, lab_peer(&c->peer, name, sizeof(name)));
    if (close(c->fd) < 0)
        perror("close");
    free(c);
    pthread_mutex_lock(&lock);
    running--;
    pthread_cond_signal(&finished);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    struct lab_options o = {.host = "127.0.0.1", .port = 7007};
    lab_parse(argc, argv, "Hpn", "[--host HOST] [--port PORT] [--count N]", &o);
    lab_start();
    lab_on_stop();

    int server = lab_tcp_listen(o.host, o.port, 5);
    int served = 0, fd;
    struct sockaddr_in peer;
    while ((fd = lab_accept(server, &peer, o.count, &served)) >= 0) {
        struct client *c = malloc(sizeof(*c));
        if (c == NULL)
            lab_die("malloc");
        c->fd = fd;
        c->peer = peer;
        pthread_mutex_lock(&lock);
        running++;
        pthread_mutex_unlock(&lock);
        pthread_t thread;
        int err = pthread_create(&thread, NULL, serve_client, c);
        if (err == 0)
            err = pthread_detach(thread);
        if (err != 0) {
            errno = err; /* pthread functions return the error, not -1 */
            lab_die("pthread_create");
        }
    }
    if (close(server) < 0)
        lab_die("close");
    pthread_mutex_lock(&lock);
    while (running > 0)
        pthread_cond_wait(&finished, &lock);
    pthread_mutex_unlock(&lock);
    printf("Served %d clients.\n", served);
    return 0;
}
