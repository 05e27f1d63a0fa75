/*
 * Creating, naming and configuring sockets: one POSIX call per shim.
 */
#include "pysock_internal.h"

int fd_prepare_new(int fd)
{
#ifndef PS_HAVE_ATOMIC_CLOEXEC
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
#endif
#if !defined(MSG_NOSIGNAL) && defined(SO_NOSIGPIPE)
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
    return fd;
}

int ps_socket(int family, int type, int proto)
{
#ifdef PS_HAVE_ATOMIC_CLOEXEC
    int fd = socket(family, type | SOCK_CLOEXEC, proto);
    return fd < 0 ? -errno : fd;
#else
    int fd = socket(family, type, proto);
    return fd < 0 ? -errno : fd_prepare_new(fd);
#endif
}

int ps_sock_open(ps_sock *s, int family, int type, int proto)
{
    int fd = ps_socket(family, type, proto);
    if (fd >= 0)
        ps_sock_init(s, fd);
    return fd;
}

int ps_socketpair(int family, int type, int proto, int *fds)
{
#ifdef PS_HAVE_ATOMIC_CLOEXEC
    if (socketpair(family, type | SOCK_CLOEXEC, proto, fds) < 0)
        return -errno;
    return 0;
#else
    if (socketpair(family, type, proto, fds) < 0)
        return -errno;
    int r = fd_prepare_new(fds[0]);
    if (r < 0) {
        close(fds[1]);
        return r;
    }
    r = fd_prepare_new(fds[1]);
    if (r < 0) {
        close(fds[0]);
        return r;
    }
    return 0;
#endif
}

int ps_close_fd(int fd)
{
    if (close(fd) < 0 && errno != ECONNRESET && errno != EINTR)
        return -errno;
    return 0;
}

int ps_dup(int fd)
{
    int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return r < 0 ? -errno : r;
}

int ps_bind(ps_sock *s, const void *addr, unsigned addrlen)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    int r = bind(fd, (const struct sockaddr *)addr, (socklen_t)addrlen);
    return (int)sock_leave(s, r < 0 ? -errno : 0);
}

int ps_listen(ps_sock *s, int backlog)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    int r = listen(fd, backlog);
    return (int)sock_leave(s, r < 0 ? -errno : 0);
}

int ps_shutdown(ps_sock *s, int how)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    int r = shutdown(fd, how);
    return (int)sock_leave(s, r < 0 ? -errno : 0);
}

typedef int (*name_call)(int, struct sockaddr *, socklen_t *);

static int socket_name(ps_sock *s, name_call call, void *addr, unsigned *addrlen)
{
    socklen_t len;
    if (addrlen == NULL || !address_buffer_ok(addr, addrlen, &len))
        return -EFAULT;
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    int r = call(fd, (struct sockaddr *)addr, &len);
    if (r == 0)
        store_address_length(addrlen, len);
    return (int)sock_leave(s, r < 0 ? -errno : 0);
}

int ps_getsockname(ps_sock *s, void *addr, unsigned *addrlen)
{
    return socket_name(s, getsockname, addr, addrlen);
}

int ps_getpeername(ps_sock *s, void *addr, unsigned *addrlen)
{
    return socket_name(s, getpeername, addr, addrlen);
}

int ps_setsockopt(ps_sock *s, int level, int name, const void *value, unsigned len)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    int r = setsockopt(fd, level, name, value, (socklen_t)len);
    return (int)sock_leave(s, r < 0 ? -errno : 0);
}

int ps_getsockopt(ps_sock *s, int level, int name, void *value, unsigned *len)
{
    if (len == NULL)
        return -EFAULT;  /* (a NULL value is the kernel's to judge: AF_ALG takes one) */
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    socklen_t n = *len;
    int r = getsockopt(fd, level, name, value, &n);
    if (r == 0)
        *len = n < *len ? (unsigned)n : *len;
    return (int)sock_leave(s, r < 0 ? -errno : 0);
}

int64_t ps_getsockopt_int(ps_sock *s, int level, int name)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return PS_INT_ERR_BASE + fd;
    int value = 0;
    socklen_t n = sizeof(value);
    int r = getsockopt(fd, level, name, &value, &n);
    int err = r < 0 ? -errno : 0;
    err = (int)sock_leave(s, err);
    /* An int fits in 32 bits; errors sit far below any int. */
    return err < 0 ? PS_INT_ERR_BASE + err : (int64_t)value;
}

int ps_set_blocking(ps_sock *s, int blocking)
{
    int fd = sock_enter(s);
    if (fd < 0)
        return fd;
    int r;
#ifdef FIONBIO
    int on = !blocking;
    r = ioctl(fd, FIONBIO, &on);  /* one call, where fcntl needs two */
#else
    r = fcntl(fd, F_GETFL);
    if (r >= 0) {
        int flags = blocking ? (r & ~O_NONBLOCK) : (r | O_NONBLOCK);
        r = flags == r ? 0 : fcntl(fd, F_SETFL, flags);
    }
#endif
    return (int)sock_leave(s, r < 0 ? -errno : 0);
}

int ps_set_inheritable(int fd, int inheritable)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
        return -errno;
    int wanted = inheritable ? (flags & ~FD_CLOEXEC) : (flags | FD_CLOEXEC);
    if (wanted != flags && fcntl(fd, F_SETFD, wanted) < 0)
        return -errno;
    return 0;
}

int ps_get_inheritable(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
        return -errno;
    return (flags & FD_CLOEXEC) ? 0 : 1;
}

int ps_fcntl(int fd, int cmd, int arg)
{
    int r = fcntl(fd, cmd, arg);
    return r < 0 ? -errno : r;
}

int ps_fd_socket_info(int fd, int *family, int *type, int *proto)
{
    /* As CPython: getsockname() both validates the descriptor and, when
       asked, tells the family; only "not a socket" or "bad descriptor" is an
       error when the family is known (AF_ALG has no getsockname). */
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        if (*family == -1)
            *family = ss.ss_family;
    }
    else if (*family == -1 || errno == EBADF || errno == ENOTSOCK) {
        return -errno;
    }
    if (*type == -1) {
        socklen_t n = sizeof(*type);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &n) < 0)
            return -errno;
    }
#ifdef SO_PROTOCOL
    if (*proto == -1) {
        socklen_t n = sizeof(*proto);
        if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, proto, &n) < 0)
            return -errno;
    }
#else
    if (*proto == -1)
        *proto = 0;
#endif
    return 0;
}
