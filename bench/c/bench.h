/* Shared helpers of the C reference programs: a monotonic clock, fatal-error
 * exit, loopback setup and the JSON result line run.py reads.  Every program
 * prints exactly one line: {"row": {"ops": N, "seconds": S}, ...}. */
#ifndef BENCH_H
#define BENCH_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define DIE(what) do { perror(what); exit(2); } while (0)

static inline long arg_long(int argc, char **argv, int i)
{
    if (i >= argc) {
        fprintf(stderr, "%s: missing argument %d\n", argv[0], i);
        exit(2);
    }
    return strtol(argv[i], NULL, 10);
}

/* Result line: rows are emitted one by one between result_begin/result_end. */
static int result_rows;
static inline void result_begin(void) { result_rows = 0; printf("{"); }
static inline void result_row(const char *name, double ops, double seconds)
{
    printf("%s\"%s\": {\"ops\": %.0f, \"seconds\": %.9f}", result_rows++ ? ", " : "",
           name, ops, seconds);
}
static inline void result_end(void) { printf("}\n"); fflush(stdout); }

/* A listening TCP socket on 127.0.0.1, ephemeral port. */
static inline int tcp_listener(int backlog, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) DIE("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) DIE("bind");
    if (listen(fd, backlog) < 0) DIE("listen");
    socklen_t len = sizeof sin;
    if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0) DIE("getsockname");
    *port = ntohs(sin.sin_port);
    return fd;
}

static inline int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) DIE("socket");
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) DIE("connect");
    return fd;
}

/* A connected TCP pair over loopback: *a the client end, *b the accepted end. */
static inline void tcp_pair(int *a, int *b, int nodelay)
{
    int port;
    int lfd = tcp_listener(1, &port);
    *a = tcp_connect(port);
    *b = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (*b < 0) DIE("accept4");
    close(lfd);
    if (nodelay) {
        int one = 1;
        setsockopt(*a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

static inline void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) { if (errno == EINTR) continue; DIE("send"); }
        p += w;
        n -= (size_t)w;
    }
}

/* 0 on success, -1 when the peer closed before n bytes came. */
static inline int read_exactly(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0) { if (errno == EINTR) continue; DIE("recv"); }
        if (r == 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* End of a one-way transfer to the driver's sink: it acknowledges EOF with
 * one byte once it has read everything, so the clock stops on delivery. */
static inline void await_ack(int fd)
{
    char ack;
    shutdown(fd, SHUT_WR);
    if (read_exactly(fd, &ack, 1) < 0) { fprintf(stderr, "no acknowledgement from the sink\n"); exit(2); }
}

static inline void reap(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) < 0) DIE("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "child failed (status %d)\n", status);
        exit(2);
    }
}

/* fork + exec of the shared driver (argv[0] is its path). */
static inline pid_t spawn(char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) DIE("fork");
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

#endif
