/*
 * Moving data.  Every shim here is one POSIX call, tried first; when it would
 * block and the socket has a timeout (a deadline), the shim polls until the
 * descriptor is ready or the deadline passes, then tries again.  CPython polls
 * before the call instead; trying first saves a poll() whenever data is ready.
 */
#include "pysock_internal.h"

#if defined(__linux__)
#include <pthread.h>
#include <signal.h>
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
    socklen_t len = 0;
    if (!address_buffer_ok(addr, addrlen, &len))
        return -EFAULT;
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
            int err = errno;  /* before close() can change it */
            close((int)r);
            r = -err;
        }
    }
#endif
    store_address_length(addrlen, len);
    return (int)sock_leave_fd(s, r);
}

ssize_t ps_send(ps_sock *s, const void *buf, size_t len, int flags, int64_t deadline)
{
    ssize_t r;
    if (len > PS_IO_MAX)
        return -EINVAL;
    RUN_IO(s, POLLOUT, deadline, r, send(fd, buf, len, flags | PS_MSG_NOSIGNAL));
    return sock_leave(s, r);
}

ssize_t ps_sendto(ps_sock *s, const void *buf, size_t len, int flags,
                  const void *addr, unsigned addrlen, int64_t deadline)
{
    ssize_t r;
    if (len > PS_IO_MAX || (addr == NULL && addrlen != 0))
        return -EINVAL;
    RUN_IO(s, POLLOUT, deadline, r,
           sendto(fd, buf, len, flags | PS_MSG_NOSIGNAL,
                  (const struct sockaddr *)addr, (socklen_t)addrlen));
    return sock_leave(s, r);
}

ssize_t ps_sendall(ps_sock *s, const void *buf, size_t len, int flags,
                   int64_t deadline, size_t offset)
{
    if (len > PS_IO_MAX || offset > len)
        return -EINVAL;
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    const char *p = buf;
    size_t done = offset;
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
    /* Interrupted by a signal: how far it got, for the call that resumes. */
    if (r == 0 || r == -EINTR)
        r = (ssize_t)done;
    return sock_leave(s, r);
}

ssize_t ps_recv(ps_sock *s, void *buf, size_t len, int flags, int64_t deadline)
{
    ssize_t r;
    if (len > PS_IO_MAX)
        return -EINVAL;
    RUN_IO(s, POLLIN, deadline, r, recv(fd, buf, len, flags));
    return sock_leave(s, r);
}

ssize_t ps_recvfrom(ps_sock *s, void *buf, size_t len, int flags,
                    void *addr, unsigned *addrlen, int64_t deadline)
{
    ssize_t r;
    socklen_t alen = 0;
    if (!address_buffer_ok(addr, addrlen, &alen))
        return -EFAULT;
    if (len > PS_IO_MAX)
        return -EINVAL;
    RUN_IO(s, POLLIN, deadline, r,
           recvfrom(fd, buf, len, flags, addr ? (struct sockaddr *)addr : NULL,
                    addr ? &alen : NULL));
    store_address_length(addrlen, alen);
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
    if (nbufs > 0 && (bufs == NULL || lens == NULL)) {
        *err = -EFAULT;
        return NULL;
    }
    /* The kernel refuses a total beyond SSIZE_MAX too; checking here keeps the
       sum (and the ssize_t result) meaningful whatever the kernel. */
    size_t total = 0;
    for (size_t i = 0; i < nbufs; i++) {
        if (lens[i] > PS_IO_MAX - total) {
            *err = -EINVAL;
            return NULL;
        }
        total += lens[i];
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
    if ((control == NULL && controllen != 0) || controllen > PS_CONTROL_MAX
        || (addr == NULL && addrlen != 0))
        return -EINVAL;
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
    int fd = sock_enter(s);
    if (fd < 0) {
        if (iov != local)
            free(iov);
        return fd;
    }
    ssize_t r;
    RUN_IO_ENTERED(s, fd, POLLOUT, deadline, r, sendmsg(fd, &msg, flags | PS_MSG_NOSIGNAL));
    if (iov != local)
        free(iov);
    return sock_leave(s, r);
}

ssize_t ps_recvmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t nbufs,
                   void *control, size_t *controllen, int *msg_flags,
                   void *addr, unsigned *addrlen, int flags, int64_t deadline)
{
    socklen_t namelen = 0;
    if (controllen == NULL || msg_flags == NULL
        || (control == NULL && *controllen != 0) || *controllen > PS_CONTROL_MAX
        || !address_buffer_ok(addr, addrlen, &namelen))
        return -EINVAL;
    size_t controlsize = *controllen;
    *controllen = 0;
    struct iovec local[PS_IOV_ON_STACK];
    int err = 0;
    struct iovec *iov = make_iovec(local, bufs, lens, nbufs, &err);
    if (iov == NULL) {
        store_address_length(addrlen, 0);
        return err;
    }
    /* The kernel gets room for any address and reports its full length;
       only what fits the caller's buffer is copied out.  (Handing it the
       caller's buffer is also correct, but then the reported length is
       larger than that buffer, which ASan's recvmsg hook takes as a write
       of that many bytes into it.) */
    struct sockaddr_storage name;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = addr ? &name : NULL;
    msg.msg_namelen = addr ? (socklen_t)sizeof(name) : 0;
    msg.msg_iov = iov;
    msg.msg_iovlen = nbufs;
    msg.msg_control = controlsize ? control : NULL;
    msg.msg_controllen = controlsize;
    int fd = sock_enter(s);
    if (fd < 0) {
        if (iov != local)
            free(iov);
        store_address_length(addrlen, 0);
        return fd;
    }
    ssize_t r;
    /* Received descriptors are close-on-exec at once, like every descriptor
       pysock makes; where MSG_CMSG_CLOEXEC is missing they get FD_CLOEXEC
       right after the call. */
    RUN_IO_ENTERED(s, fd, POLLIN, deadline, r,
                   recvmsg(fd, &msg, flags | PS_MSG_CMSG_CLOEXEC));
    if (iov != local)
        free(iov);
    if (r >= 0) {
        /* The kernel reports the full address length even when it cut the
           copy short; the control length never exceeds what it was given,
           but nothing past our buffer is believed either way. */
        *controllen = msg.msg_controllen < controlsize ? msg.msg_controllen : controlsize;
        if (addr != NULL) {
            socklen_t got = msg.msg_namelen < sizeof(name) ? msg.msg_namelen : sizeof(name);
            memcpy(addr, &name, got < namelen ? got : namelen);
        }
        store_address_length(addrlen, msg.msg_namelen);
        /* The kernel echoes MSG_CMSG_CLOEXEC in msg_flags: report it only
           when the caller asked for it. */
        *msg_flags = msg.msg_flags & ~(PS_MSG_CMSG_CLOEXEC & ~flags);
#ifndef PS_HAVE_MSG_CMSG_CLOEXEC
        ps_cmsg_fds(control, *controllen, PS_CMSG_FDS_CLOEXEC);
#endif
    }
    else {
        store_address_length(addrlen, 0);
    }
    r = sock_leave(s, r);
    if (r < 0 && *controllen > 0) {
        /* Received, then the socket was closed under the call: the caller sees
           an error and never the descriptors, so they must not stay open. */
        ps_cmsg_fds(control, *controllen, PS_CMSG_FDS_CLOSE);
        *controllen = 0;
    }
    return r;
}

#if defined(__linux__)
/*
 * sendfile(2) has no MSG_NOSIGNAL: to a closed peer it raises SIGPIPE, whose
 * default action kills the process (Python ignores SIGPIPE at start-up, but
 * an embedding program or signal.signal(SIGPIPE, SIG_DFL) may not).  So
 * SIGPIPE is blocked in this thread around the call, and a SIGPIPE the call
 * raised is taken back before it is unblocked; one that was pending before
 * is left alone.  The caller sees EPIPE, as from send().
 */
static ssize_t sendfile_nosigpipe(int out_fd, int in_fd, off_t *off, size_t count)
{
    sigset_t pipe_only, saved, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &pipe_only, &saved) != 0)
        return sendfile(out_fd, in_fd, off, count);
    int was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    ssize_t r = sendfile(out_fd, in_fd, off, count);
    int err = errno;
    if (r < 0 && err == EPIPE && !was_pending) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &now) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    errno = err;
    return r;
}
#endif

ssize_t ps_sendfile(ps_sock *s, int in_fd, int64_t *offset, size_t count, int64_t deadline)
{
    ssize_t r;
#if defined(__linux__)
    off_t off = (off_t)*offset;
    RUN_IO(s, POLLOUT, deadline, r, sendfile_nosigpipe(fd, in_fd, &off, count));
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
    if (len > PS_IO_MAX)
        return -EINVAL;
    ssize_t r = read(fd, buf, len);
    return r < 0 ? -errno : r;
}

ssize_t ps_write(int fd, const void *buf, size_t len)
{
    if (len > PS_IO_MAX)
        return -EINVAL;
    ssize_t r = write(fd, buf, len);
    return r < 0 ? -errno : r;
}
