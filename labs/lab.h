/*
 * lab.h: what the pysock lab programs share, so that each program shows only
 * its own lesson.  labs/lab.py is its Python twin.
 *
 *   lab_start()        line-buffered stdout, SIGPIPE ignored (a write to a
 *                      closed peer returns -1 EPIPE instead of killing us)
 *   lab_parse()        --host --port --path --count --mode --delay, positional
 *   lab_die()          perror() and exit(1): every call's result is checked
 *   lab_inet()         a host name or dotted quad and a port -> sockaddr_in
 *   lab_tcp_listen()   socket, SO_REUSEADDR, bind, listen; prints the port
 *   lab_tcp_connect()  socket, connect
 *   lab_accept()       the next client, until --count clients or a signal
 *   lab_send_all()     send() until everything is sent (send may write less)
 *   lab_echo()         send back whatever arrives until the peer closes
 *   lab_serve_echo()   a TCP echo server's part for one client, with its messages
 *   lab_echo_request() send a message, read the echo back (however many
 *                      recv() calls it takes), print it
 *   lab_peer()         "('127.0.0.1', 51820)", as Python prints an address
 *   lab_on_stop()      SIGINT/SIGTERM set lab_stopping and interrupt accept()
 *   lab_unix_bind()    bind a UNIX socket to a path, removing a stale file
 *
 * Everything is static inline: each program compiles alone (see Makefile).
 */
#ifndef PYSOCK_LAB_H
#define PYSOCK_LAB_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* getopt_long, inet_aton, MSG_NOSIGNAL */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SIGPIPE is ignored by lab_start() instead */
#endif

struct lab_options {
    const char *host;   /* --host: the address to bind to or connect to */
    int port;           /* --port: 0 lets the kernel choose (servers print it) */
    const char *path;   /* --path: a UNIX-domain socket path */
    int count;          /* --count: clients or datagrams to serve; 0 = forever */
    const char *mode;   /* --mode: a program-specific choice */
    int delay_ms;       /* --delay: milliseconds to wait before sending */
    char **args;        /* the positional arguments */
    int nargs;
};

static volatile sig_atomic_t lab_stopping;

static inline void lab_die(const char *what)
{
    perror(what);
    exit(EXIT_FAILURE);
}

static inline void lab_start(void)
{
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0)
        lab_die("setvbuf");
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) < 0)
        lab_die("sigaction(SIGPIPE)");
}

static inline void lab_stop_handler(int sig)
{
    (void)sig;
    lab_stopping = 1;
}

/* SIGINT and SIGTERM end a server's loop: no SA_RESTART, so a blocked
   accept() returns -1 EINTR and the loop sees lab_stopping. */
static inline void lab_on_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = lab_stop_handler;
    if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGINT, &sa, NULL) < 0
        || sigaction(SIGTERM, &sa, NULL) < 0)
        lab_die("sigaction");
}

static inline int lab_number(const char *text, const char *what, long lo, long hi)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < lo || value > hi) {
        fprintf(stderr, "%s must be a number from %ld to %ld, not '%s'\n", what, lo, hi, text);
        exit(2);
    }
    return (int)value;
}

/*
 * Parses the options listed in `accepted` (letters: H host, p port, P path,
 * n count, m mode, d delay).  `o` holds the defaults on entry.
 */
static inline void lab_parse(int argc, char **argv, const char *accepted,
                             const char *usage, struct lab_options *o)
{
    static const struct option all[] = {
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"path", required_argument, NULL, 'P'},
        {"count", required_argument, NULL, 'n'},
        {"mode", required_argument, NULL, 'm'},
        {"delay", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct option longopts[sizeof(all) / sizeof(all[0])];
    char shortopts[2 * (sizeof(all) / sizeof(all[0])) + 1];
    size_t n = 0, s = 0;
    for (size_t i = 0; all[i].name != NULL; i++) {
        if (all[i].val != 'h' && strchr(accepted, all[i].val) == NULL)
            continue;
        longopts[n++] = all[i];
        shortopts[s++] = (char)all[i].val;
        if (all[i].has_arg == required_argument)
            shortopts[s++] = ':';
    }
    memset(&longopts[n], 0, sizeof(longopts[n]));
    shortopts[s] = '\0';
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
        case 'H': o->host = optarg; break;
        case 'p': o->port = lab_number(optarg, "--port", 0, 65535); break;
        case 'P': o->path = optarg; break;
        case 'n': o->count = lab_number(optarg, "--count", 0, INT_MAX); break;
        case 'm': o->mode = optarg; break;
        case 'd': o->delay_ms = lab_number(optarg, "--delay", 0, 600000); break;
        case 'h': printf("usage: %s %s\n", argv[0], usage); exit(EXIT_SUCCESS);
        default: fprintf(stderr, "usage: %s %s\n", argv[0], usage); exit(2);
        }
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
}

/* A host (name or dotted quad) and port as an IPv4 socket address. */
static inline void lab_inet(const char *host, int port, struct sockaddr_in *addr)
{
    struct addrinfo hints, *found;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int r = getaddrinfo(host, NULL, &hints, &found);
    if (r != 0) {
        fprintf(stderr, "%s: %s\n", host, gai_strerror(r));
        exit(EXIT_FAILURE);
    }
    memcpy(addr, found->ai_addr, sizeof(*addr));
    freeaddrinfo(found);
    addr->sin_port = htons((uint16_t)port);
}

/* "('127.0.0.1', 51820)": the address as Python prints it. */
static inline const char *lab_peer(const struct sockaddr_in *addr, char *out, size_t len)
{
    char host[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &addr->sin_addr, host, sizeof(host)) == NULL)
        lab_die("inet_ntop");
    int r = snprintf(out, len, "('%s', %u)", host, (unsigned)ntohs(addr->sin_port));
    if (r < 0 || (size_t)r >= len)
        lab_die("snprintf");
    return out;
}

/* The port a bound socket got (the kernel picks one for port 0). */
static inline int lab_local_port(int fd)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        lab_die("getsockname");
    return ntohs(addr.sin_port);
}

static inline int lab_tcp_listen(const char *host, int port, int backlog)
{
    struct sockaddr_in addr;
    lab_inet(host, port, &addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        lab_die("socket");
    int on = 1; /* restart at once, even with connections in TIME_WAIT */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
        lab_die("setsockopt(SO_REUSEADDR)");
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        lab_die("bind");
    if (listen(fd, backlog) < 0)
        lab_die("listen");
    printf("Server is listening on port %d...\n", lab_local_port(fd));
    return fd;
}

/*
 * A server's accept loop: returns the next client's descriptor and counts it
 * in *served, or -1 once --count clients were served or SIGINT/SIGTERM came
 * (lab_on_stop).  EINTR is not an error: it is how the signal stops accept().
 */
static inline int lab_accept(int server, struct sockaddr_in *peer, int count, int *served)
{
    while (!lab_stopping && (count == 0 || *served < count)) {
        socklen_t peerlen = peer ? sizeof(*peer) : 0;
        int client = accept(server, (struct sockaddr *)peer, peer ? &peerlen : NULL);
        if (client >= 0) {
            (*served)++;
            return client;
        }
        if (errno != EINTR)
            lab_die("accept");
    }
    return -1;
}

static inline int lab_tcp_connect(const char *host, int port)
{
    struct sockaddr_in addr;
    lab_inet(host, port, &addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        lab_die("socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        lab_die("connect");
    return fd;
}

/* send() may write less than asked: loop until all of buf is out.
   Returns 0, or -1 with errno set. */
static inline int lab_send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The echo service on a connected stream socket: send back every byte until
   recv() returns 0 (the peer closed).  Returns 0, or -1 with errno set. */
static inline int lab_echo(int fd)
{
    char buffer[4096];
    for (;;) {
        ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (lab_send_all(fd, buffer, (size_t)n) < 0)
            return -1;
    }
}

/* A path as a UNIX-domain address; a path that does not fit sun_path (108
   bytes on Linux, with its NUL) is an error, never silently cut. */
static inline void lab_unix_address(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        fprintf(stderr, "%s: path too long for a UNIX socket (at most %zu bytes)\n",
                path, sizeof(addr->sun_path) - 1);
        exit(EXIT_FAILURE);
    }
    memcpy(addr->sun_path, path, strlen(path) + 1);
}

/*
 * bind() to a path.  A socket file outlives its server: if bind() says
 * EADDRINUSE, try to connect; ECONNREFUSED means nobody is behind the file,
 * so it is stale and can go.  A live server's file is never removed.
 */
static inline void lab_unix_bind(int fd, int type, const char *path)
{
    struct sockaddr_un addr;
    lab_unix_address(path, &addr);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
        return;
    if (errno != EADDRINUSE)
        lab_die("bind");
    int probe = socket(AF_UNIX, type, 0);
    if (probe < 0)
        lab_die("socket");
    if (connect(probe, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
        fprintf(stderr, "%s: another server is using this path\n", path);
        exit(EXIT_FAILURE);
    }
    if (errno != ECONNREFUSED)
        lab_die("connect");
    if (close(probe) < 0)
        lab_die("close");
    printf("Removing the stale socket file %s\n", path);
    if (unlink(path) < 0)
        lab_die("unlink");
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        lab_die("bind");
}

/* What each TCP echo server does for one client (`name` as lab_peer() made
   it), whichever process or thread runs it. */
static inline void lab_serve_echo(int fd, const char *name)
{
    printf("Connection from %s has been established.\n", name);
    if (lab_echo(fd) < 0)
        perror("echo"); /* this client's trouble: the server goes on */
    printf("Connection from %s closed.\n", name);
}

/* The echo client's part: TCP has no message boundaries, so it reads until
   as many bytes came back as it sent, whatever the number of recv() calls. */
static inline void lab_echo_request(int fd, const char *message)
{
    size_t len = strlen(message);
    if (lab_send_all(fd, message, len) < 0)
        lab_die("send");
    char *reply = malloc(len + 1);
    if (reply == NULL)
        lab_die("malloc");
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(fd, reply + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            lab_die("recv");
        }
        if (n == 0) {
            fprintf(stderr, "the server closed the connection after %zu of %zu bytes\n", got, len);
            exit(EXIT_FAILURE);
        }
        got += (size_t)n;
    }
    reply[len] = '\0';
    printf("Echo from server: %s\n", reply);
    free(reply);
}

static inline void lab_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0) {
        if (errno != EINTR)
            lab_die("nanosleep");
    }
}

#endif /* PYSOCK_LAB_H */
