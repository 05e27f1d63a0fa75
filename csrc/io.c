/*
 * Moving data.  Every shim here is one POSIX call, tried first; when it would
 * block and the socket has a timeout (a deadline), the shim polls until the
 * descriptor is ready or the deadline passes, then tries again.  CPython polls
 * before the call instead; trying first saves a poll() whenever data is ready.
 */
#include "pysock_internal.h"

#if defined(__linux__)
#include <sys/sendfile.h>
#endif

int64_t ps_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int ps_wait(int fd, int events, int64_t deadline)
{
    struct pollfd p;
    p.fd = fd;
    p.events = (short)events;
    p.revents = 0;
    int timeout_ms = -1;
    if (deadline != PS_NO_DEADLINE) {
        int64_t left = deadline - ps_monotonic_ns();
        if (left <= 0)
            return 0;
        /* Round up: waking before the deadline would only poll again. */
        int64_t ms = (left + 999999) / 1000000;
        timeout_ms = ms > INT_MAX ? INT_MAX : (int)ms;
    }
    int r = poll(&p, 1, timeout_ms);
    return r < 0 ? -errno : r;
}

int ps_poll(void *fds, unsigned nfds, int timeout_ms)
{
    int r = poll((struct pollfd *)fds, (nfds_t)nfds, timeout_ms);
    return r < 0 ? -errno : r;
}

/*
 * After a call failed with EAGAIN: 0 means "ready, try again"; anything else
 * is the call's final result (-EAGAIN without a deadline, PS_ERR_TIMEOUT,
 * -EINTR for Python to handle, -EBADF if another thread closed the socket).
 */
ssize_t sock_wait_retry(ps_sock *s, int fd, int events, int64_t deadline)
{
    if (deadline == PS_NO_DEADLINE)
        return -EAGAIN;
    for (;;) {
        int r = ps_wait(fd, events, deadline);
        if (r < 0)
            return r;
        if (sock_closed(s))
            return -EBADF;
        if (r > 0)
            return 0;
        if (ps_monotonic_ns() >= deadline)
            return PS_ERR_TIMEOUT;
    }
}

static int connect_finish(ps_sock *s, int fd, int64_t deadline)
{
    for (;;) {
        int r = ps_wait(fd, POLLOUT, deadline);
        if (r < 0)
            return r;
        if (sock_closed(s))
            return -EBADF;
        if (r == 0) {
            if (ps_monotonic_ns() >= deadline)
                return PS_ERR_TIMEOUT;
            continue;
        }
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            return -errno;
        return err ? -err : 0;
    }
}

int ps_connect(ps_sock *s, const void *addr, unsigned addrlen, int64_t deadline)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    int r = connect(fd, (const struct sockaddr *)addr, (socklen_t)addrlen);
    if (r < 0) {
        r = -errno;
        if (r == -EINPROGRESS && deadline != PS_NO_DEADLINE)
            r = connect_finish(s, fd, deadline);
    }
    return (int)sock_leave(s, r);
}

int ps_connect_wait(ps_sock *s, int64_t deadline)
{
    /* A connect interrupted by a signal goes on in the kernel: it cannot be
       called again (EALREADY), only waited for. */
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    return (int)sock_leave(s, connect_finish(s, fd, deadline));
}

int ps_accept(ps_sock *s, void *addr, unsigned *addrlen, int flags, int64_t deadline)
{
    ssize_t r;
    socklen_t len = *addrlen;
    memset(addr, 0, len);
#ifdef PS_HAVE_ATOMIC_CLOEXEC
    RUN_IO(s, POLLIN, deadline, r,
           accept4(fd, (struct sockaddr *)addr, &len, flags | SOCK_CLOEXEC));
#else
    RUN_IO(s, POLLIN, deadline, r, accept(fd, (struct sockaddr *)addr, &len));
    if (r >= 0)
        r = fd_prepare_new((int)r);
    if (r >= 0 && (flags & PS_ACCEPT_NONBLOCK)) {
        int fl = fcntl((int)r, F_GETFL);
        if (fl < 0 || fcntl((int)r, F_SETFL, fl | O_NONBLOCK) < 0) {
            close((int)r);
            r = -errno;
        }
    }
#endif
    *addrlen = len < *addrlen ? (unsigned)len : *addrlen;
    return (int)sock_leave_fd(s, r);
}

ssize_t ps_send(ps_sock *s, const void *buf, size_t len, int flags, int64_t deadline)
{
    ssize_t r;
    RUN_IO(s, POLLOUT, deadline, r, send(fd, buf, len, flags | PS_MSG_NOSIGNAL));
    return sock_leave(s, r);
}

ssize_t ps_sendto(ps_sock *s, const void *buf, size_t len, int flags,
                  const void *addr, unsigned addrlen, int64_t deadline)
{
    ssize_t r;
    RUN_IO(s, POLLOUT, deadline, r,
           sendto(fd, buf, len, flags | PS_MSG_NOSIGNAL,
                  (const struct sockaddr *)addr, (socklen_t)addrlen));
    return sock_leave(s, r);
}

ssize_t ps_sendall(ps_sock *s, const void *buf, size_t len, int flags,
                   int64_t deadline, size_t *sent)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    const char *p = buf;
    size_t done = *sent;
    ssize_t r = 0;
    while (done < len) {
        ssize_t n = send(fd, p + done, len - done, flags | PS_MSG_NOSIGNAL);
        if (n >= 0) {
            done += (size_t)n;
            continue;
        }
        r = sock_after_failure(s, fd, POLLOUT, deadline);
        if (r == 0)
            continue;
        break;
    }
    *sent = done;
    return sock_leave(s, r);
}

ssize_t ps_recv(ps_sock *s, void *buf, size_t len, int flags, int64_t deadline)
{
    ssize_t r;
    RUN_IO(s, POLLIN, deadline, r, recv(fd, buf, len, flags));
    return sock_leave(s, r);
}

ssize_t ps_recvfrom(ps_sock *s, void *buf, size_t len, int flags,
                    void *addr, unsigned *addrlen, int64_t deadline)
{
    ssize_t r;
    socklen_t alen = *addrlen;
    memset(addr, 0, alen);
    RUN_IO(s, POLLIN, deadline, r,
           recvfrom(fd, buf, len, flags, (struct sockaddr *)addr, &alen));
    *addrlen = alen < *addrlen ? (unsigned)alen : *addrlen;
    return sock_leave(s, r);
}

/* Gather (pointer, length) pairs into an iovec array: on the stack for the
   common few, on the heap otherwise.  More than IOV_MAX is EMSGSIZE, as the
   kernel would say. */
#define PS_IOV_ON_STACK 16

static struct iovec *make_iovec(struct iovec *local, void *const *bufs,
                                const size_t *lens, size_t nbufs, int *err)
{
    struct iovec *iov = local;
    if (nbufs > IOV_MAX) {
        *err = -EMSGSIZE;
        return NULL;
    }
    if (nbufs > PS_IOV_ON_STACK) {
        iov = malloc(nbufs * sizeof(*iov));
        if (iov == NULL) {
            *err = -ENOMEM;
            return NULL;
        }
    }
    for (size_t i = 0; i < nbufs; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = lens[i];
    }
    return iov;
}

ssize_t ps_sendmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t nbufs,
                   const void *control, size_t controllen, int flags,
                   const void *addr, unsigned addrlen, int64_t deadline)
{
    struct iovec local[PS_IOV_ON_STACK];
    int err = 0;
    struct iovec *iov = make_iovec(local, bufs, lens, nbufs, &err);
    if (iov == NULL)
        return err;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = (void *)addr;
    msg.msg_namelen = (socklen_t)addrlen;
    msg.msg_iov = iov;
    msg.msg_iovlen = nbufs;
    msg.msg_control = controllen ? (void *)control : NULL;
    msg.msg_controllen = controllen;
    ssize_t r;
    RUN_IO(s, POLLOUT, deadline, r, sendmsg(fd, &msg, flags | PS_MSG_NOSIGNAL));
    if (iov != local)
        free(iov);
    return sock_leave(s, r);
}

ssize_t ps_recvmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t nbufs,
                   void *control, size_t *controllen, int *msg_flags,
                   void *addr, unsigned *addrlen, int flags, int64_t deadline)
{
    struct iovec local[PS_IOV_ON_STACK];
    int err = 0;
    struct iovec *iov = make_iovec(local, bufs, lens, nbufs, &err);
    if (iov == NULL)
        return err;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    memset(addr, 0, *addrlen);
    msg.msg_name = addr;
    msg.msg_namelen = (socklen_t)*addrlen;
    msg.msg_iov = iov;
    msg.msg_iovlen = nbufs;
    msg.msg_control = *controllen ? control : NULL;
    msg.msg_controllen = *controllen;
    ssize_t r;
    RUN_IO(s, POLLIN, deadline, r, recvmsg(fd, &msg, flags));
    if (iov != local)
        free(iov);
    if (r >= 0) {
        /* The kernel never reports more than it was given, but check. */
        if (msg.msg_controllen < *controllen)
            *controllen = msg.msg_controllen;
        if (msg.msg_namelen < *addrlen)
            *addrlen = msg.msg_namelen;
        *msg_flags = msg.msg_flags;
    }
    else {
        *controllen = 0;
        *addrlen = 0;
    }
    return sock_leave(s, r);
}

ssize_t ps_sendfile(ps_sock *s, int in_fd, int64_t *offset, size_t count, int64_t deadline)
{
    ssize_t r;
#if defined(__linux__)
    off_t off = (off_t)*offset;
    RUN_IO(s, POLLOUT, deadline, r, sendfile(fd, in_fd, &off, count));
    *offset = (int64_t)off;
#elif defined(__APPLE__)
    off_t len = (off_t)count;
    off_t off = (off_t)*offset;
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    for (;;) {
        len = (off_t)count;
        r = sendfile(in_fd, fd, off, &len, NULL, 0);
        if (len > 0) {  /* partial progress is reported even with EAGAIN */
            r = len;
            off += len;
            break;
        }
        if (r >= 0)
            break;
        r = -errno;
        if (r != -EAGAIN)
            break;
        r = sock_wait_retry(s, fd, POLLOUT, deadline);
        if (r != 0)
            break;
    }
    *offset = (int64_t)off;
#else
    (void)in_fd; (void)offset; (void)count; (void)deadline;
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    r = -ENOSYS;
#endif
    return sock_leave(s, r);
}

ssize_t ps_read(int fd, void *buf, size_t len)
{
    ssize_t r = read(fd, buf, len);
    return r < 0 ? -errno : r;
}

ssize_t ps_write(int fd, const void *buf, size_t len)
{
    ssize_t r = write(fd, buf, len);
    return r < 0 ? -errno : r;
}
