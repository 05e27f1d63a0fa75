/*
 * Private to the shim sources: system headers, platform differences, and the
 * handle bookkeeping every shim on a socket goes through.
 */
#ifndef PYSOCK_INTERNAL_H
#define PYSOCK_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1  /* accept4, sendmmsg, EAI_ADDRFAMILY, ... */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pysock.h"

/* Linux has MSG_NOSIGNAL; elsewhere SO_NOSIGPIPE is set on each new socket. */
#ifdef MSG_NOSIGNAL
#define PS_MSG_NOSIGNAL MSG_NOSIGNAL
#else
#define PS_MSG_NOSIGNAL 0
#endif

#if defined(__linux__) && defined(SOCK_CLOEXEC)
#define PS_HAVE_ATOMIC_CLOEXEC 1  /* socket(SOCK_CLOEXEC), accept4 */
#endif

/* A socket's maximum address: what getsockname/recvfrom may fill. */
#define PS_SOCKADDR_MAX ((unsigned)sizeof(struct sockaddr_storage))

/* handle.c: every shim on a handle runs between enter and leave. */
int sock_enter(ps_sock *s);
ssize_t sock_leave(ps_sock *s, ssize_t result);
ssize_t sock_leave_fd(ps_sock *s, ssize_t new_fd);
int sock_closed(ps_sock *s);

/* io.c: after a call on `fd` failed with EAGAIN, wait for EVENTS until the
   deadline.  0: ready, try again; anything else is the call's final result
   (-EAGAIN without a deadline, PS_ERR_TIMEOUT, -EINTR, -EBADF if closed). */
ssize_t sock_wait_retry(ps_sock *s, int fd, int events, int64_t deadline);

/* socket.c: make a fresh descriptor close-on-exec (and SIGPIPE-free where
   MSG_NOSIGNAL is missing) when the kernel could not do it atomically. */
int fd_prepare_new(int fd);

/* Right after a call on `fd` failed (errno set): 0 to call again (it would
   have blocked and the descriptor is ready now), else the final result. */
static inline ssize_t sock_after_failure(ps_sock *s, int fd, int events, int64_t deadline)
{
    ssize_t r = -errno;
    if (r == -EAGAIN || r == -EWOULDBLOCK)
        return sock_wait_retry(s, fd, events, deadline);
    return r;
}

/* Runs CALL (which uses `fd`) on the handle, waiting for EVENTS on EAGAIN. */
#define RUN_IO(s, events, deadline, result, CALL)                      \
    do {                                                               \
        int fd = sock_enter(s);                                        \
        if (fd < 0)                                                    \
            return fd;                                                 \
        for (;;) {                                                     \
            (result) = (CALL);                                         \
            if ((result) >= 0)                                         \
                break;                                                 \
            (result) = sock_after_failure((s), fd, (events), (deadline)); \
            if ((result) != 0)                                         \
                break;                                                 \
        }                                                              \
    } while (0)

#endif /* PYSOCK_INTERNAL_H */
