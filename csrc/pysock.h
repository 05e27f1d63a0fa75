/*
 * pysock shims: thin C wrappers over the POSIX socket calls.
 *
 * Conventions, shared by every function declared here:
 *   - A result >= 0 is success; a negative result is -errno, read right after
 *     the call that failed, so Python never sees a stale errno.  Two results are
 *     not errno values: PS_ERR_TIMEOUT (the socket's timeout expired while
 *     waiting in poll) and, for getaddrinfo/getnameinfo, the EAI_* codes, which
 *     those functions return through their own out-parameter.
 *   - EINTR is never retried here.  It goes back to Python, which runs the
 *     signal handlers and retries (PEP 475), so a handler that raises still
 *     interrupts the call.
 *   - Every length that crosses from Python is checked here, not trusted.
 *   - No Python.h: this is plain POSIX C, compiled into the cffi extension and
 *     reusable by the C lab programs and benchmarks.
 *
 * Deadlines: blocking operations take `deadline`, an absolute CLOCK_MONOTONIC
 * time in nanoseconds, or PS_NO_DEADLINE.  With a deadline the descriptor is
 * non-blocking (Python's timeout mode): the call is tried first, and on EAGAIN
 * the shim polls until the descriptor is ready or the deadline passes.
 */
#ifndef PYSOCK_H
#define PYSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <netinet/in.h>   /* sockaddr_in/in6: pysock.posix shows their fields */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>       /* sockaddr_un, likewise */

struct addrinfo;
struct hostent;
struct if_nameindex;

#define PS_NO_DEADLINE ((int64_t)-1)
/* Outside the errno range (errno values are small positive ints). */
#define PS_ERR_TIMEOUT (-100000)
/* accept flag for a non-blocking accepted socket (SOCK_NONBLOCK on Linux). */
#ifdef SOCK_NONBLOCK
#define PS_ACCEPT_NONBLOCK SOCK_NONBLOCK
#else
#define PS_ACCEPT_NONBLOCK O_NONBLOCK
#endif
/* getsockopt_int() folds errors into its 64-bit result below this bound. */
#define PS_INT_ERR_BASE (-((int64_t)1 << 40))

/*
 * A socket handle.  Python owns one per socket object.  It counts the calls
 * in flight so that close() from one thread can wake a call blocked in another
 * thread and never frees the descriptor number while that call may still use
 * it (see handle.c).
 */
typedef struct ps_sock {
    int fd;                 /* -1 once closed or detached */
    int64_t state;          /* calls in flight, tagged with the fork epoch */
    int pending_fd;         /* number kept reserved until the last call leaves */
} ps_sock;

/* handle.c */
void ps_sock_init(ps_sock *s, int fd);
int ps_sock_close(ps_sock *s);
int ps_sock_detach(ps_sock *s);
int ps_sock_in_flight(ps_sock *s);

/* socket.c: creating, naming and configuring sockets */
int ps_socket(int family, int type, int proto);
/* ps_socket, and the handle initialised on it: one call per socket(). */
int ps_sock_open(ps_sock *s, int family, int type, int proto);
int ps_socketpair(int family, int type, int proto, int *fds);
int ps_close_fd(int fd);
int ps_dup(int fd);
int ps_bind(ps_sock *s, const void *addr, unsigned addrlen);
int ps_listen(ps_sock *s, int backlog);
int ps_shutdown(ps_sock *s, int how);
int ps_getsockname(ps_sock *s, void *addr, unsigned *addrlen);
int ps_getpeername(ps_sock *s, void *addr, unsigned *addrlen);
int ps_setsockopt(ps_sock *s, int level, int name, const void *value, unsigned len);
int ps_getsockopt(ps_sock *s, int level, int name, void *value, unsigned *len);
int64_t ps_getsockopt_int(ps_sock *s, int level, int name);
int ps_set_blocking(ps_sock *s, int blocking);
int ps_set_inheritable(int fd, int inheritable);
int ps_get_inheritable(int fd);
int ps_fcntl(int fd, int cmd, int arg);
int ps_fd_socket_info(int fd, int *family, int *type, int *proto);

/* io.c: moving data, waiting with poll when the socket has a timeout */
int64_t ps_monotonic_ns(void);
int ps_wait(int fd, int events, int64_t deadline);
int ps_poll(void *fds, unsigned nfds, int timeout_ms);
int ps_connect(ps_sock *s, const void *addr, unsigned addrlen, int64_t deadline);
int ps_connect_wait(ps_sock *s, int64_t deadline);
int ps_accept(ps_sock *s, void *addr, unsigned *addrlen, int flags, int64_t deadline);
ssize_t ps_send(ps_sock *s, const void *buf, size_t len, int flags, int64_t deadline);
ssize_t ps_sendto(ps_sock *s, const void *buf, size_t len, int flags,
                  const void *addr, unsigned addrlen, int64_t deadline);
/* Sends buf[offset:len]; returns len when all is sent, less when a signal
   stopped it (the offset to resume from, after the handlers ran), or -errno. */
ssize_t ps_sendall(ps_sock *s, const void *buf, size_t len, int flags,
                   int64_t deadline, size_t offset);
ssize_t ps_recv(ps_sock *s, void *buf, size_t len, int flags, int64_t deadline);
ssize_t ps_recvfrom(ps_sock *s, void *buf, size_t len, int flags,
                    void *addr, unsigned *addrlen, int64_t deadline);
ssize_t ps_sendmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t nbufs,
                   const void *control, size_t controllen, int flags,
                   const void *addr, unsigned addrlen, int64_t deadline);
ssize_t ps_recvmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t nbufs,
                   void *control, size_t *controllen, int *msg_flags,
                   void *addr, unsigned *addrlen, int flags, int64_t deadline);
ssize_t ps_sendfile(ps_sock *s, int in_fd, int64_t *offset, size_t count, int64_t deadline);
ssize_t ps_read(int fd, void *buf, size_t len);
ssize_t ps_write(int fd, const void *buf, size_t len);

/* loops.c: the C loops (fast paths).  The receiving loops' progress, kept
   by the caller across -EINTR retries (resume = 1); resume = 0 starts afresh.
   ps_send_frame resumes as ps_sendall: from the offset it returned (header
   included: len + 4 when the frame is out). */
typedef struct ps_progress {
    size_t done;                /* bytes moved so far (frames: header included) */
    size_t length;              /* ps_recv_frame: the payload length, once read */
    unsigned char header[4];    /* ps_recv_frame: the length header as it arrives */
} ps_progress;

/* ps_recv_frame results besides 0 (EOF: where is p->done) and -errno. */
#define PS_FRAME_COMPLETE 1
#define PS_FRAME_NEEDS_BUFFER 2     /* p->length is larger than buflen: call
                                       again (resume) with a buffer that size */
/* recvmmsg fills at most this many datagrams per call. */
#define PS_MMSG_MAX 64

ssize_t ps_recv_exactly(ps_sock *s, void *buf, size_t len, int flags,
                        int64_t deadline, ps_progress *p, int resume);
ssize_t ps_send_frame(ps_sock *s, const void *data, size_t len, int flags,
                      int64_t deadline, size_t offset);
ssize_t ps_recv_frame(ps_sock *s, void *buf, size_t buflen, size_t max_size,
                      int flags, int64_t deadline, ps_progress *p, int resume);
ssize_t ps_sendmmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t n,
                    const void *addr, unsigned addrlen, int flags, int64_t deadline);
ssize_t ps_recvmmsg(ps_sock *s, void *const *bufs, const size_t *lens, size_t n,
                    void *addrs, unsigned addrsize, unsigned *addrlens,
                    size_t *nbytes, int flags, int64_t deadline);
ssize_t ps_splice(int fd_in, int fd_out, size_t len, unsigned flags);

/* addr.c: socket addresses, text conversion, ancillary data */

/* A decoded socket address: what Python needs to build the address tuple. */
typedef struct ps_addr_view {
    int family;             /* -1: no address (length too short) */
    unsigned port;          /* AF_INET, AF_INET6: host byte order */
    uint32_t flowinfo;      /* AF_INET6, host byte order */
    uint32_t scope_id;      /* AF_INET6 */
    size_t data_offset;     /* AF_UNIX path, or raw sa_data for other families */
    size_t data_len;
    int abstract;           /* AF_UNIX: Linux abstract name (starts with NUL) */
    char host[64];          /* AF_INET, AF_INET6: numeric text */
} ps_addr_view;

int ps_sockaddr_in(void *out, unsigned outlen, const char *host, unsigned port);
int ps_sockaddr_in6(void *out, unsigned outlen, const char *host, unsigned port,
                    uint32_t flowinfo, uint32_t scope_id);
int ps_sockaddr_un(void *out, unsigned outlen, const void *path, size_t pathlen);
int ps_sockaddr_unspec(void *out, unsigned outlen);
int ps_sockaddr_decode(const void *addr, unsigned addrlen, ps_addr_view *view);
int ps_inet_pton(int af, const char *src, void *dst, size_t dstlen);
int ps_inet_ntop(int af, const void *src, size_t srclen, char *dst, size_t dstlen);
int ps_inet_aton(const char *src, void *dst, size_t dstlen);
int ps_inet_ntoa(const void *src, size_t srclen, char *dst, size_t dstlen);
uint32_t ps_inet_addr(const char *src);
int64_t ps_inet_pton4(const char *src);
int64_t ps_inet_aton4(const char *src);
uint16_t ps_htons(uint16_t x);
uint32_t ps_htonl(uint32_t x);
uint16_t ps_ntohs(uint16_t x);
uint32_t ps_ntohl(uint32_t x);
int64_t ps_cmsg_len(int64_t datalen);
int64_t ps_cmsg_space(int64_t datalen);
int64_t ps_cmsg_put(void *control, size_t controllen, size_t offset, int level,
                    int type, const void *data, size_t datalen);
int ps_cmsg_next(const void *control, size_t controllen, size_t *offset,
                 int *level, int *type, size_t *data_offset, size_t *data_len);
int ps_cmsg_close_fds(const void *control, size_t controllen);

/* netdb.c: names, services, protocols, interfaces */
int ps_getaddrinfo(const char *host, const char *port, int family, int type,
                   int proto, int flags, struct addrinfo **result, int *sys_errno);
void ps_freeaddrinfo(struct addrinfo *result);
int ps_getnameinfo(const void *addr, unsigned addrlen, char *host, size_t hostlen,
                   char *serv, size_t servlen, int flags, int *sys_errno);
const char *ps_gai_strerror(int code);
const char *ps_hstrerror(int code);
int ps_gethostname(char *buf, size_t len);
int ps_sethostname(const char *name, size_t len);
int ps_gethostbyname(const char *name, int family, struct hostent *storage,
                     char *buf, size_t buflen, struct hostent **result, int *h_err);
int ps_gethostbyaddr(const void *addr, unsigned addrlen, int family,
                     struct hostent *storage, char *buf, size_t buflen,
                     struct hostent **result, int *h_err);
int ps_getservbyname(const char *name, const char *proto);
int ps_getservbyport(unsigned port, const char *proto, char *namebuf, size_t namelen);
int ps_getprotobyname(const char *name);
unsigned ps_if_nametoindex(const char *name);
int ps_if_indextoname(unsigned index, char *buf, size_t len);
struct if_nameindex *ps_if_nameindex(int *err);
void ps_if_freenameindex(struct if_nameindex *list);

/* The constant table, generated by build_ffi.py from constants.txt */
typedef struct ps_constant {
    const char *name;
    long long value;
    int group;              /* 0: socket module, 1: pysock.posix only */
} ps_constant;
const ps_constant *ps_constant_table(size_t *count);
const char *ps_build_libc(void);

#endif /* PYSOCK_H */
