/*
 * Socket addresses, text/binary address conversion, byte order and ancillary
 * data.  Every function takes the size of the buffer it writes to and checks
 * it; nothing here trusts a length it did not compute.
 */
#include "pysock_internal.h"

#include <stddef.h>

int ps_sockaddr_in(void *out, unsigned outlen, const char *host, unsigned port)
{
    struct sockaddr_in sin;
    if (out == NULL || host == NULL || outlen < sizeof(sin) || port > 0xffff)
        return -EINVAL;
    memset(&sin, 0, sizeof(sin));
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
        return -EAFNOSUPPORT;  /* not a numeric IPv4 address */
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    memcpy(out, &sin, sizeof(sin));
    return (int)sizeof(sin);
}

int ps_sockaddr_in6(void *out, unsigned outlen, const char *host, unsigned port,
                    uint32_t flowinfo, uint32_t scope_id)
{
    struct sockaddr_in6 sin6;
    if (out == NULL || host == NULL || outlen < sizeof(sin6) || port > 0xffff
        || flowinfo > 0xfffff)
        return -EINVAL;
    memset(&sin6, 0, sizeof(sin6));
    if (inet_pton(AF_INET6, host, &sin6.sin6_addr) != 1)
        return -EAFNOSUPPORT;  /* not a numeric IPv6 address */
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)port);
    sin6.sin6_flowinfo = htonl(flowinfo);
    sin6.sin6_scope_id = scope_id;
    memcpy(out, &sin6, sizeof(sin6));
    return (int)sizeof(sin6);
}

int ps_sockaddr_un(void *out, unsigned outlen, const void *path, size_t pathlen)
{
    struct sockaddr_un sun;
    size_t base = offsetof(struct sockaddr_un, sun_path);
    int abstract = 0;
    if (out == NULL || (path == NULL && pathlen != 0))
        return -EINVAL;
#ifdef __linux__
    /* Linux abstract names start with NUL and are not NUL-terminated; an empty
       name asks the kernel to pick one (autobind). */
    abstract = pathlen == 0 || ((const char *)path)[0] == '\0';
#endif
    size_t room = sizeof(sun.sun_path) - (abstract ? 0 : 1);  /* room for NUL */
    if (pathlen > room)
        return -ENAMETOOLONG;
    if (outlen < sizeof(sun))
        return -EINVAL;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (pathlen)
        memcpy(sun.sun_path, path, pathlen);
    memcpy(out, &sun, sizeof(sun));
    return (int)(base + pathlen + (abstract ? 0 : 1));
}

int ps_sockaddr_unspec(void *out, unsigned outlen)
{
    struct sockaddr sa;
    if (out == NULL || outlen < sizeof(sa))
        return -EINVAL;
    memset(&sa, 0, sizeof(sa));
    sa.sa_family = AF_UNSPEC;
    memcpy(out, &sa, sizeof(sa));
    return (int)sizeof(sa);
}

int ps_sockaddr_decode(const void *addr, unsigned addrlen, ps_addr_view *view)
{
    memset(view, 0, sizeof(*view));
    if (addr == NULL || addrlen < offsetof(struct sockaddr, sa_data)) {
        view->family = -1;  /* no address at all (e.g. recvfrom on a stream) */
        return 0;
    }
    sa_family_t family;
    memcpy(&family, (const char *)addr + offsetof(struct sockaddr, sa_family),
           sizeof(family));
    view->family = family;
    switch (family) {
    case AF_INET: {
        struct sockaddr_in sin;
        if (addrlen < sizeof(sin))
            return -EINVAL;
        memcpy(&sin, addr, sizeof(sin));
        view->port = ntohs(sin.sin_port);
        if (!inet_ntop(AF_INET, &sin.sin_addr, view->host, sizeof(view->host)))
            return -errno;
        return 0;
    }
    case AF_INET6: {
        struct sockaddr_in6 sin6;
        if (addrlen < sizeof(sin6))
            return -EINVAL;
        memcpy(&sin6, addr, sizeof(sin6));
        view->port = ntohs(sin6.sin6_port);
        view->flowinfo = ntohl(sin6.sin6_flowinfo);
        view->scope_id = sin6.sin6_scope_id;
        if (!inet_ntop(AF_INET6, &sin6.sin6_addr, view->host, sizeof(view->host)))
            return -errno;
        return 0;
    }
    case AF_UNIX: {
        size_t base = offsetof(struct sockaddr_un, sun_path);
        size_t end = addrlen < sizeof(struct sockaddr_un) ? addrlen : sizeof(struct sockaddr_un);
        size_t len = end > base ? end - base : 0;
        const char *path = (const char *)addr + base;
        view->data_offset = base;
        if (len > 0 && path[0] == '\0') {
            view->data_len = len;  /* abstract: every byte counts */
            view->abstract = 1;
        }
        else {
            view->data_len = strnlen(path, len);  /* a path ends at its NUL */
        }
        return 0;
    }
    default: {
        /* Unknown family: the raw sa_data bytes, as CPython returns them. */
        view->data_offset = offsetof(struct sockaddr, sa_data);
        view->data_len = sizeof(((struct sockaddr *)0)->sa_data);
        if (view->data_offset + view->data_len > addrlen)
            view->data_len = addrlen - view->data_offset;
        return 0;
    }
    }
}

/* The packed size of an address of family `af`, or 0 for another family. */
static size_t inet_packed_size(int af)
{
    if (af == AF_INET)
        return sizeof(struct in_addr);
    if (af == AF_INET6)
        return sizeof(struct in6_addr);
    return 0;
}

int ps_inet_pton(int af, const char *src, void *dst, size_t dstlen)
{
    unsigned char buf[sizeof(struct in6_addr)];
    size_t need = inet_packed_size(af);
    if (need == 0)
        return -EAFNOSUPPORT;
    if (src == NULL || dst == NULL || dstlen < need)
        return -EINVAL;
    int r = inet_pton(af, src, buf);
    if (r < 0)
        return -errno;
    if (r == 0)
        return 0;  /* not a valid address of that family */
    memcpy(dst, buf, need);
    return (int)need;
}

int ps_inet_ntop(int af, const void *src, size_t srclen, char *dst, size_t dstlen)
{
    size_t need = inet_packed_size(af);
    if (need == 0)
        return -EAFNOSUPPORT;
    if (src == NULL || dst == NULL || srclen != need)
        return -EINVAL;
    unsigned char buf[sizeof(struct in6_addr)];
    memcpy(buf, src, need);  /* the caller's bytes may be unaligned */
    /* socklen_t is narrower than size_t: a size past it would wrap
       (2**32 + 1 to 1); the text never needs more than INET6_ADDRSTRLEN. */
    socklen_t room = dstlen > INET6_ADDRSTRLEN ? INET6_ADDRSTRLEN : (socklen_t)dstlen;
    if (!inet_ntop(af, buf, dst, room))
        return -errno;
    return (int)strlen(dst);
}

int ps_inet_aton(const char *src, void *dst, size_t dstlen)
{
    struct in_addr a;
    if (src == NULL || dst == NULL || dstlen < sizeof(a))
        return -EINVAL;
    if (inet_aton(src, &a) == 0)
        return 0;
    memcpy(dst, &a, sizeof(a));
    return (int)sizeof(a);
}

int ps_inet_ntoa(const void *src, size_t srclen, char *dst, size_t dstlen)
{
    struct in_addr a;
    if (src == NULL || dst == NULL || srclen != sizeof(a) || dstlen < INET_ADDRSTRLEN)
        return -EINVAL;
    memcpy(&a, src, sizeof(a));
    /* inet_ntoa() writes a static buffer; inet_ntop() is the same text, safely. */
    if (!inet_ntop(AF_INET, &a, dst, INET_ADDRSTRLEN))
        return -errno;
    return (int)strlen(dst);
}

/* IPv4 text to its address as a host-order number (the caller makes the 4
   bytes with int.to_bytes(4, "big")), or -1 when the text is not one: the
   result by value, so the hot path needs no output buffer. */
int64_t ps_inet_pton4(const char *src)
{
    struct in_addr a;
    if (src == NULL || inet_pton(AF_INET, src, &a) != 1)
        return -1;
    return (int64_t)ntohl(a.s_addr);
}

int64_t ps_inet_aton4(const char *src)
{
    struct in_addr a;
    if (src == NULL || inet_aton(src, &a) == 0)
        return -1;
    return (int64_t)ntohl(a.s_addr);
}

uint32_t ps_inet_addr(const char *src) { return src ? inet_addr(src) : INADDR_NONE; }

uint16_t ps_htons(uint16_t x) { return htons(x); }
uint32_t ps_htonl(uint32_t x) { return htonl(x); }
uint16_t ps_ntohs(uint16_t x) { return ntohs(x); }
uint32_t ps_ntohl(uint32_t x) { return ntohl(x); }

/* CMSG_LEN/CMSG_SPACE with the range checks CPython applies (the result must
   fit a socklen_t as an int); -1 when out of range. */
#define PS_SOCKLEN_LIMIT ((int64_t)INT_MAX)

int64_t ps_cmsg_len(int64_t datalen)
{
    if (datalen < 0 || datalen > PS_SOCKLEN_LIMIT - (int64_t)CMSG_LEN(0))
        return -1;
    return (int64_t)CMSG_LEN((size_t)datalen);
}

int64_t ps_cmsg_space(int64_t datalen)
{
    /* CMSG_SPACE(1) covers the padding both before and after the data. */
    if (datalen < 0 || datalen > PS_SOCKLEN_LIMIT - (int64_t)CMSG_SPACE(1))
        return -1;
    return (int64_t)CMSG_SPACE((size_t)datalen);
}

int64_t ps_cmsg_put(void *control, size_t controllen, size_t offset, int level,
                    int type, const void *data, size_t datalen)
{
    if (datalen > (size_t)PS_SOCKLEN_LIMIT || control == NULL
        || (data == NULL && datalen != 0))
        return -EINVAL;
    int64_t space = ps_cmsg_space((int64_t)datalen);
    if (space < 0)
        return -EINVAL;
    if (offset > controllen || (size_t)space > controllen - offset)
        return -ENOBUFS;
    struct cmsghdr hdr;
    memset(&hdr, 0, sizeof(hdr));
    hdr.cmsg_len = CMSG_LEN(datalen);
    hdr.cmsg_level = level;
    hdr.cmsg_type = type;
    char *at = (char *)control + offset;
    memset(at, 0, (size_t)space);
    memcpy(at, &hdr, sizeof(hdr));
    if (datalen)
        memcpy(at + CMSG_LEN(0), data, datalen);
    return (int64_t)(offset + (size_t)space);
}

/*
 * Walks a received control buffer without trusting it: each header must lie
 * inside the buffer, and the data reported is clipped to what is really there
 * (the kernel truncates with MSG_CTRUNC).  Returns 1 for an item, 0 at the end,
 * 2 for an item whose data was cut short (the last one), -EINVAL for a header
 * that cannot be right.
 */
int ps_cmsg_next(const void *control, size_t controllen, size_t *offset,
                 int *level, int *type, size_t *data_offset, size_t *data_len)
{
    size_t at = *offset;
    if (control == NULL || at >= controllen || controllen - at < sizeof(struct cmsghdr))
        return 0;
    struct cmsghdr hdr;
    memcpy(&hdr, (const char *)control + at, sizeof(hdr));
    size_t len = (size_t)hdr.cmsg_len;
    size_t header = CMSG_LEN(0);
    if (len < header)
        return -EINVAL;
    *level = hdr.cmsg_level;
    *type = hdr.cmsg_type;
    *data_offset = at + header;
    size_t available = controllen - at;
    if (len > available) {
        *data_len = available > header ? available - header : 0;
        *offset = controllen;
        return 2;
    }
    *data_len = len - header;
    /* The padded size of this item; len <= available keeps it from wrapping
       except for a length within an alignment of SIZE_MAX, caught by step < len. */
    size_t step = CMSG_SPACE(len - header);
    *offset = (step > available || step < len) ? controllen : at + step;
    return 1;
}

/* Every descriptor in the SCM_RIGHTS items of a received control buffer:
   closed (PS_CMSG_FDS_CLOSE) or made close-on-exec (PS_CMSG_FDS_CLOEXEC).
   Only whole ints that lie inside the buffer count.  Returns how many. */
int ps_cmsg_fds(const void *control, size_t controllen, int action)
{
    size_t offset = 0, data_offset, data_len;
    int level, type, count = 0;
    for (;;) {
        int status = ps_cmsg_next(control, controllen, &offset, &level, &type,
                                  &data_offset, &data_len);
        if (status <= 0)
            break;
        if (level == SOL_SOCKET && type == SCM_RIGHTS) {
            for (size_t i = 0; i + sizeof(int) <= data_len; i += sizeof(int)) {
                int fd;
                memcpy(&fd, (const char *)control + data_offset + i, sizeof(fd));
                if (fd < 0)
                    continue;
                if (action == PS_CMSG_FDS_CLOSE)
                    close(fd);
                else
                    (void)fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
                count++;
            }
        }
        if (status != 1)
            break;
    }
    return count;
}

int ps_cmsg_close_fds(const void *control, size_t controllen)
{
    return ps_cmsg_fds(control, controllen, PS_CMSG_FDS_CLOSE);
}
