/*
 * scenario.h: what the C twins of the compare scenarios share
 * (scenario.py is the Python side).
 *
 * A scenario is a short program that runs a few socket calls and reports
 * each as a step, one JSON line on stdout:
 *
 *   {"step": "recv at EOF", "key": "= 0", "shown": "0", "errno": null,
 *    "moved": 0, "ns": 2100}
 *
 *   step    the label, the same in the C and the Python twin
 *   key     what is compared across C, pysock-cffi and pysock-stdlib:
 *           "= VALUE", "errno N", "signal N" or "timeout"
 *   shown   what the call returned, in the language's own terms
 *   moved   bytes sent or received, when the call moves data
 *   ns      how long the call took
 *
 * Steps:
 *   step_begin(&s, "label")      before the call (starts the clock)
 *   step_ret(&s, r)              r >= 0: the value; r < 0: -1 and errno
 *   step_io(&s, r, buf)          as step_ret, for a call that moved r bytes
 *   step_value(&s, key, fmt...)  a value the scenario computed
 *   step_signal(&s, sig)         the call killed a process with `sig`
 *
 * With PYSOCK_LAB_MARKERS=1 in the environment, step_begin() also writes
 * the label to descriptor -1, and the step's end "pysock-end": the writes
 * fail at once (EBADF) and do nothing, but strace shows them, so `python -m
 * pysock trace` can tell which system calls belong to which step.
 */
#ifndef PYSOCK_SCENARIO_H
#define PYSOCK_SCENARIO_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

struct step {
    const char *label;
    struct timespec start;
};

static inline void scenario_die(const char *what)
{
    perror(what);
    exit(EXIT_FAILURE);
}

/* Ignores SIGPIPE, as every Python program does: the scenarios that are not
   about SIGPIPE then compare like with like. */
static inline void scenario_start(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) < 0)
        scenario_die("sigaction");
}

/* Writes text where only strace sees it (see the top of this file). */
static inline void mark(const char *prefix, const char *text)
{
    const char *markers = getenv("PYSOCK_LAB_MARKERS");
    if (markers == NULL || markers[0] != '1')
        return;
    char marker[256];
    int n = snprintf(marker, sizeof(marker), "%s%s", prefix, text);
    if (n > 0) {
        ssize_t ignored = write(-1, marker, (size_t)n < sizeof(marker) ? (size_t)n : sizeof(marker) - 1);
        (void)ignored; /* it fails with EBADF: strace sees it, nothing happens */
    }
}

static inline void step_begin(struct step *s, const char *label)
{
    s->label = label;
    mark("pysock-step: ", label);
    clock_gettime(CLOCK_MONOTONIC, &s->start);
}

static inline void json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* Writes the step's line; err is 0 or an errno, moved < 0 means "none". */
static inline void step_emit(struct step *s, const char *key, const char *shown, int err,
                             long moved)
{
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    mark("pysock-end", "");
    long long ns = (long long)(end.tv_sec - s->start.tv_sec) * 1000000000LL
                   + (end.tv_nsec - s->start.tv_nsec);
    printf("{\"step\": ");
    json_string(s->label);
    printf(", \"key\": ");
    json_string(key);
    printf(", \"shown\": ");
    json_string(shown);
    if (err)
        printf(", \"errno\": %d", err);
    else
        printf(", \"errno\": null");
    if (moved >= 0)
        printf(", \"moved\": %ld", moved);
    else
        printf(", \"moved\": null");
    printf(", \"ns\": %lld}\n", ns);
    fflush(stdout);
}

static inline void step_error(struct step *s, int err)
{
    char key[32];
    snprintf(key, sizeof(key), "errno %d", err);
    step_emit(s, key, "-1", err, -1);
}

/* The result of a call that returns -1 and sets errno on failure. */
static inline void step_ret(struct step *s, long r)
{
    int err = errno; /* first: anything below may change errno */
    if (r < 0) {
        step_error(s, err);
        return;
    }
    char key[32], shown[32];
    snprintf(key, sizeof(key), "= %ld", r);
    snprintf(shown, sizeof(shown), "%ld", r);
    step_emit(s, key, shown, 0, -1);
}

/* The result of a call that moved r bytes (send, recv, ...); buf, if not
   NULL, holds the bytes received, shown as text. */
static inline void step_io(struct step *s, long r, const char *buf)
{
    int err = errno;
    if (r < 0) {
        step_error(s, err);
        return;
    }
    char key[32], shown[96];
    snprintf(key, sizeof(key), "= %ld", r);
    if (buf != NULL && r > 0)
        snprintf(shown, sizeof(shown), "%ld \"%.*s\"%s", r, r > 40 ? 40 : (int)r, buf,
                 r > 40 ? "..." : "");
    else
        snprintf(shown, sizeof(shown), "%ld", r);
    step_emit(s, key, shown, 0, r);
}

/* A value the scenario worked out: key "= TEXT", shown TEXT. */
static inline void step_value(struct step *s, const char *fmt, ...)
{
    char text[160], key[168];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    snprintf(key, sizeof(key), "= %s", text);
    step_emit(s, key, text, 0, -1);
}

static inline void step_signal(struct step *s, int sig)
{
    char key[32], shown[64];
    snprintf(key, sizeof(key), "signal %d", sig);
    snprintf(shown, sizeof(shown), "killed by signal %d (%s)", sig, strsignal(sig));
    step_emit(s, key, shown, 0, -1);
}

/* ---- setups the scenarios share ------------------------------------------- */

static inline struct sockaddr_in loopback(int port)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

static inline int bound_port(int fd)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        scenario_die("getsockname");
    return ntohs(addr.sin_port);
}

/* A TCP listener on 127.0.0.1 and an ephemeral port. */
static inline int tcp_listener(int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, backlog) < 0)
        scenario_die("listener");
    return fd;
}

/* A TCP socket with `option` (SO_REUSEADDR, SO_REUSEPORT or 0) set, bound to
   127.0.0.1:port and listening if backlog > 0; or -1 (errno set) when bind()
   fails, the socket closed again. */
static inline int tcp_bound(int port, int option, int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        scenario_die("socket");
    int on = 1;
    if (option && setsockopt(fd, SOL_SOCKET, option, &on, sizeof(on)) < 0)
        scenario_die("setsockopt");
    struct sockaddr_in addr = loopback(port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;
        if (close(fd) < 0)
            scenario_die("close");
        errno = err;
        return -1;
    }
    if (backlog > 0 && listen(fd, backlog) < 0)
        scenario_die("listen");
    return fd;
}

static inline int tcp_connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        scenario_die("connect");
    return fd;
}

/* A connected TCP pair over loopback: *client and *server. */
static inline void tcp_pair(int *client, int *server)
{
    int listener = tcp_listener(1);
    *client = tcp_connect_to(bound_port(listener));
    *server = accept(listener, NULL, NULL);
    if (*server < 0 || close(listener) < 0)
        scenario_die("accept");
}

/* A UDP socket bound to 127.0.0.1 and an ephemeral port. */
static inline int udp_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = loopback(0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        scenario_die("udp socket");
    return fd;
}

/* A port nobody listens on: bound once by the kernel's choice, then freed. */
static inline int closed_port(int type)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in addr = loopback(0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        scenario_die("closed_port");
    int port = bound_port(fd);
    if (close(fd) < 0)
        scenario_die("close");
    return port;
}

static inline void set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        scenario_die("fcntl");
}

/* Waits up to timeout_ms for `events` (POLLERR and POLLHUP always count). */
static inline int wait_for(int fd, short events, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    int r;
    while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    if (r < 0)
        scenario_die("poll");
    return r;
}

static inline void close_all(int n, const int *fds)
{
    for (int i = 0; i < n; i++) {
        if (fds[i] >= 0 && close(fds[i]) < 0)
            scenario_die("close");
    }
}

#endif /* PYSOCK_SCENARIO_H */
