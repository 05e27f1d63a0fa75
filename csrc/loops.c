/*
 * C loops: the fast paths where the loop itself is the cost.  A Python loop
 * around recv() pays a method call, an argument check and a result object per
 * turn; here the turns are plain system calls.
 *
 *   ps_recv_exactly   recv until exactly `len` bytes arrived (or EOF)
 *   ps_send_frame     4-byte big-endian length + payload, one sendmsg with two
 *                     iovecs per turn: the payload is never copied
 *   ps_recv_frame     one length-prefixed frame: header, checks, payload
 *   ps_sendmmsg       many datagrams per system call
 *   ps_recvmmsg       many datagrams per system call, block for the first only
 *   ps_splice         splice(2): bytes between a pipe and another descriptor
 *
 * A signal stops a loop (never retried here: Python runs the handlers, PEP
 * 475) and the next call resumes where it stopped.  The sending loops return
 * how far they got (the whole length when done, less when interrupted) and
 * take that offset back by value; the receiving loops keep their progress in
 * a ps_progress the caller owns (resume = 0 on the first call resets it).
 * Nothing passed back is trusted: every offset is checked against the
 * lengths passed by value before memory is touched.
 *
 * Deadlines: one for the whole call (Python computes it once), as sendall.
 */
#include "pysock_internal.h"

#define FRAME_HEADER 4u

/* The kernel takes at most UIO_MAXIOV (1024) messages per mmsg call; chunks
   of this size keep the message vectors on the stack. */
#define MMSG_CHUNK PS_MMSG_MAX

/*
 * recv into buf until *done == len, EOF (returns 0 with *done < len) or an
 * error.  In blocking mode MSG_WAITALL lets the kernel do the loop; a short
 * count then means a signal (or EOF, or an error, which the next call
 * reports), so it comes back as -EINTR for Python to run the handlers and call
 * again: a handler that raises must be able to interrupt a long read.
 */
static ssize_t recv_loop(ps_sock *s, int fd, char *buf, size_t len, int flags,
                         int64_t deadline, size_t *done)
{
    size_t got = *done;
    int waitall = deadline == PS_NO_DEADLINE ? MSG_WAITALL : 0;
    ssize_t r = 0;
    while (got < len) {
        ssize_t n = recv(fd, buf + got, len - got, flags | waitall);
        if (n > 0) {
            got += (size_t)n;
            if (waitall && got < len) {
                r = -EINTR;
                break;
            }
            continue;
        }
        if (n == 0)
            break;  /* EOF */
        r = sock_after_failure(s, fd, POLLIN, deadline);
        if (r == 0)
            continue;
        break;
    }
    *done = got;
    return r;
}

static void progress_start(ps_progress *p, int resume)
{
    if (!resume)
        memset(p, 0, sizeof(*p));
}

ssize_t ps_recv_exactly(ps_sock *s, void *buf, size_t len, int flags,
                        int64_t deadline, ps_progress *p, int resume)
{
    progress_start(p, resume);
    size_t done = p->done;
    if (done > len)
        return -EINVAL;
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    ssize_t r = recv_loop(s, fd, buf, len, flags, deadline, &done);
    p->done = done;
    return sock_leave(s, r);
}

ssize_t ps_send_frame(ps_sock *s, const void *data, size_t len, int flags,
                      int64_t deadline, size_t offset)
{
    if (len > UINT32_MAX)
        return -EMSGSIZE;
    unsigned char header[FRAME_HEADER] = {
        (unsigned char)(len >> 24), (unsigned char)(len >> 16),
        (unsigned char)(len >> 8), (unsigned char)len};
    size_t total = len + FRAME_HEADER;
    size_t done = offset;
    if (done > total)
        return -EINVAL;
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    ssize_t r = 0;
    while (done < total) {
        struct iovec iov[2];
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = iov;
        if (done < FRAME_HEADER) {
            iov[0].iov_base = header + done;
            iov[0].iov_len = FRAME_HEADER - done;
            iov[1].iov_base = (void *)data;
            iov[1].iov_len = len;
            msg.msg_iovlen = len ? 2 : 1;
        }
        else {
            iov[0].iov_base = (char *)data + (done - FRAME_HEADER);
            iov[0].iov_len = total - done;
            msg.msg_iovlen = 1;
        }
        ssize_t n = sendmsg(fd, &msg, flags | PS_MSG_NOSIGNAL);
        if (n >= 0) {
            done += (size_t)n;
            continue;
        }
        r = sock_after_failure(s, fd, POLLOUT, deadline);
        if (r == 0)
            continue;
        break;
    }
    if (r == 0 || r == -EINTR)
        r = (ssize_t)done;  /* as ps_sendall: the frame's bytes sent so far */
    return sock_leave(s, r);
}

ssize_t ps_recv_frame(ps_sock *s, void *buf, size_t buflen, size_t max_size,
                      int flags, int64_t deadline, ps_progress *p, int resume)
{
    progress_start(p, resume);
    size_t done = p->done;
    if (done > FRAME_HEADER && (p->length > buflen || done - FRAME_HEADER > p->length))
        return -EINVAL;
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    ssize_t r;
    if (done < FRAME_HEADER) {
        r = recv_loop(s, fd, (char *)p->header, FRAME_HEADER, flags, deadline, &done);
        p->done = done;
        if (r < 0 || done < FRAME_HEADER)
            return sock_leave(s, r);  /* error, or EOF (where: p->done) */
        p->length = ((size_t)p->header[0] << 24) | ((size_t)p->header[1] << 16)
                    | ((size_t)p->header[2] << 8) | (size_t)p->header[3];
        if (p->length > max_size)
            return sock_leave(s, -EMSGSIZE);
    }
    if (p->length > buflen)
        return sock_leave(s, PS_FRAME_NEEDS_BUFFER);
    size_t got = done - FRAME_HEADER;
    r = recv_loop(s, fd, buf, p->length, flags, deadline, &got);
    p->done = got + FRAME_HEADER;
    if (r < 0)
        return sock_leave(s, r);
    return sock_leave(s, got == p->length ? PS_FRAME_COMPLETE : 0);
}

#if defined(__linux__)

/* Fill the message vectors for datagrams [first, first + count). */
static void fill_mmsg(struct mmsghdr *vec, struct iovec *iov, void *const *bufs,
                      const size_t *lens, size_t first, size_t count,
                      void *addr, unsigned addrlen, char *addrs, unsigned addrsize)
{
    memset(vec, 0, count * sizeof(*vec));
    for (size_t i = 0; i < count; i++) {
        iov[i].iov_base = bufs[first + i];
        iov[i].iov_len = lens[first + i];
        vec[i].msg_hdr.msg_iov = &iov[i];
        vec[i].msg_hdr.msg_iovlen = 1;
        if (addrs != NULL) {
            vec[i].msg_hdr.msg_name = addrs + (first + i) * (size_t)addrsize;
            vec[i].msg_hdr.msg_namelen = addrsize;
        }
        else {
            vec[i].msg_hdr.msg_name = addr;
            vec[i].msg_hdr.msg_namelen = addrlen;
        }
    }
}

ssize_t ps_sendmmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t n,
                    const void *addr, unsigned addrlen, int flags, int64_t deadline)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    struct mmsghdr vec[MMSG_CHUNK];
    struct iovec iov[MMSG_CHUNK];
    size_t sent = 0;
    ssize_t r = 0;
    while (sent < n) {
        size_t count = n - sent < MMSG_CHUNK ? n - sent : MMSG_CHUNK;
        fill_mmsg(vec, iov, bufs, lens, sent, count, (void *)addr, addrlen, NULL, 0);
        int k = sendmmsg(fd, vec, (unsigned)count, flags | PS_MSG_NOSIGNAL);
        if (k > 0) {
            sent += (size_t)k;
            continue;
        }
        if (k == 0) {  /* none sent of a non-empty batch: never seen */
            r = -EIO;
            break;
        }
        r = sock_after_failure(s, fd, POLLOUT, deadline);
        if (r == 0)
            continue;
        break;
    }
    /* An error after some datagrams went out: report how many did. */
    return sock_leave(s, sent > 0 ? (ssize_t)sent : r);
}

ssize_t ps_recvmmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t n,
                    void *addrs, unsigned addrsize, unsigned *addrlens,
                    size_t *nbytes, int flags, int64_t deadline)
{
    if (n > MMSG_CHUNK)
        n = MMSG_CHUNK;  /* one call; the caller sees how many were filled */
    if (addrsize > PS_SOCKADDR_MAX)
        return -EINVAL;
    struct mmsghdr vec[MMSG_CHUNK];
    struct iovec iov[MMSG_CHUNK];
    fill_mmsg(vec, iov, bufs, lens, 0, n, NULL, 0, addrs, addrsize);
    memset(addrs, 0, n * (size_t)addrsize);
    ssize_t r;
    RUN_IO(s, POLLIN, deadline, r,
              recvmmsg(fd, vec, (unsigned)n, flags | MSG_WAITFORONE, NULL));
    if (r > 0) {
        for (size_t i = 0; i < (size_t)r; i++) {
            socklen_t got = vec[i].msg_hdr.msg_namelen;
            addrlens[i] = got < addrsize ? (unsigned)got : addrsize;
            nbytes[i] = vec[i].msg_len;
        }
    }
    return sock_leave(s, r);
}

ssize_t ps_splice(int fd_in, int fd_out, size_t len, unsigned flags)
{
    ssize_t r = splice(fd_in, NULL, fd_out, NULL, len, flags);
    return r < 0 ? -errno : r;
}

#else  /* no mmsg calls or splice: one datagram per call, as the stdlib does */

ssize_t ps_sendmmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t n,
                    const void *addr, unsigned addrlen, int flags, int64_t deadline)
{
    size_t sent = 0;
    ssize_t r = 0;
    while (sent < n) {
        r = ps_sendto(s, bufs[sent], lens[sent], flags, addr, addrlen, deadline);
        if (r < 0)
            break;
        sent++;
    }
    return sent > 0 ? (ssize_t)sent : r;
}

ssize_t ps_recvmmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t n,
                    void *addrs, unsigned addrsize, unsigned *addrlens,
                    size_t *nbytes, int flags, int64_t deadline)
{
    if (n > MMSG_CHUNK)
        n = MMSG_CHUNK;
    size_t got = 0;
    ssize_t r = 0;
    while (got < n) {
        addrlens[got] = addrsize;
        /* Only the first datagram is waited for. */
        r = ps_recvfrom(s, bufs[got], lens[got], got ? flags | MSG_DONTWAIT : flags,
                        (char *)addrs + got * (size_t)addrsize, &addrlens[got],
                        got ? PS_NO_DEADLINE : deadline);
        if (r < 0)
            break;
        nbytes[got++] = (size_t)r;
    }
    return got > 0 ? (ssize_t)got : r;
}

ssize_t ps_splice(int fd_in, int fd_out, size_t len, unsigned flags)
{
    (void)fd_in; (void)fd_out; (void)len; (void)flags;
    return -ENOSYS;
}

#endif
