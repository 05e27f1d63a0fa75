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

/* Received SCM_RIGHTS descriptors close-on-exec in the same call (Linux,
   FreeBSD); elsewhere ps_recvmsg sets FD_CLOEXEC on them right after. */
#ifdef MSG_CMSG_CLOEXEC
#define PS_MSG_CMSG_CLOEXEC MSG_CMSG_CLOEXEC
#define PS_HAVE_MSG_CMSG_CLOEXEC 1
#else
#define PS_MSG_CMSG_CLOEXEC 0
#endif

/* A socket's maximum address: what getsockname/recvfrom may fill. */
#define PS_SOCKADDR_MAX ((unsigned)sizeof(struct sockaddr_storage))

/* Limits on lengths from callers, checked before any system call:
   a byte count must fit the ssize_t result that reports it, and a control
   buffer the int the kernel keeps its length in (it says ENOBUFS above). */
#define PS_IO_MAX ((size_t)SSIZE_MAX)
#define PS_CONTROL_MAX ((size_t)INT_MAX)

/*
 * An address out-parameter pair (buffer, in/out length) as the calls that
 * fill one take it.  No buffer is allowed only with no length (or no length
 * pointer at all); *len gets the length to pass to the kernel and the buffer
 * is zeroed, so bytes the kernel leaves alone never reach Python as garbage.
 */
static inline int address_buffer_ok(void *addr, const unsigned *addrlen, socklen_t *len)
{
    *len = addrlen ? (socklen_t)*addrlen : 0;
    if (addr == NULL)
        return *len == 0;
    memset(addr, 0, *len);
    return 1;
}

/* The kernel reports an address's full length even when it cut the copy to
   the buffer (a long AF_UNIX path): never report more than the buffer. */
static inline void store_address_length(unsigned *addrlen, socklen_t reported)
{
    if (addrlen != NULL && reported < *addrlen)
        *addrlen = (unsigned)reported;
}

/* handle.c: every shim on a handle runs between enter and leave. */
int sock_enter(ps_sock *s);
ssize_t sock_leave(ps_sock *s, ssize_t result);
ssize_t sock_leave_fd(ps_sock *s, ssize_t new_fd);
int sock_closed(ps_sock *s);

/* addr.c: what to do with the descriptors of the SCM_RIGHTS items in a
   received control buffer (ps_cmsg_fds). */
#define PS_CMSG_FDS_CLOSE 1
#define PS_CMSG_FDS_CLOEXEC 2
int ps_cmsg_fds(const void *control, size_t controllen, int action);

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
        RUN_IO_ENTERED(s, fd, events, deadline, result, CALL);         \
    } while (0)

/* RUN_IO for a shim that entered the handle itself (it has something to
   release when the handle is already closed). */
#define RUN_IO_ENTERED(s, fd, events, deadline, result, CALL)          \
    do {                                                               \
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
