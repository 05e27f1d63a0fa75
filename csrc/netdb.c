/*
 * Names, services, protocols and interfaces.
 *
 * The netdb lookups are reentrant (*_r) on Linux (glibc and musl); elsewhere
 * the classic calls run under one lock and their result is copied out before
 * the lock is released.
 */
#include "pysock_internal.h"

#include <pthread.h>

#if !defined(__linux__)
static pthread_mutex_t netdb_lock = PTHREAD_MUTEX_INITIALIZER;
#endif

int ps_getaddrinfo(const char *host, const char *port, int family, int type,
                   int proto, int flags, struct addrinfo **result, int *sys_errno)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = type;
    hints.ai_protocol = proto;
    hints.ai_flags = flags;
    *result = NULL;
    errno = 0;
    int r = getaddrinfo(host, port, &hints, result);
    *sys_errno = errno;
    return r;
}

void ps_freeaddrinfo(struct addrinfo *result)
{
    if (result != NULL)
        freeaddrinfo(result);
}

int ps_getnameinfo(const void *addr, unsigned addrlen, char *host, size_t hostlen,
                   char *serv, size_t servlen, int flags, int *sys_errno)
{
    if (addr == NULL || addrlen < offsetof(struct sockaddr, sa_data)) {
        *sys_errno = 0;
        return EAI_FAMILY;  /* musl reads the family before any check */
    }
    errno = 0;
    int r = getnameinfo((const struct sockaddr *)addr, (socklen_t)addrlen,
                        host, (socklen_t)hostlen, serv, (socklen_t)servlen, flags);
    *sys_errno = errno;
    return r;
}

const char *ps_gai_strerror(int code) { return gai_strerror(code); }

const char *ps_hstrerror(int code) { return hstrerror(code); }

int ps_gethostname(char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return -EINVAL;
    if (gethostname(buf, len) < 0)
        return -errno;
    buf[len - 1] = '\0';  /* POSIX leaves truncation unterminated */
    return (int)strlen(buf);
}

int ps_sethostname(const char *name, size_t len)
{
#if defined(__linux__) || defined(__APPLE__)
    if (sethostname(name, len) < 0)
        return -errno;
    return 0;
#else
    (void)name; (void)len;
    return -ENOSYS;
#endif
}

#if !defined(__linux__)
/* Deep copy of a hostent into a caller's buffer; -ERANGE if it does not fit. */
static int copy_hostent(const struct hostent *src, struct hostent *dst,
                        char *buf, size_t buflen)
{
    size_t naliases = 0, naddrs = 0, used = 0;
    while (src->h_aliases && src->h_aliases[naliases]) naliases++;
    while (src->h_addr_list && src->h_addr_list[naddrs]) naddrs++;
    size_t ptrs = (naliases + 1 + naddrs + 1) * sizeof(char *);
    size_t align = sizeof(char *) - ((uintptr_t)buf % sizeof(char *));
    if (align == sizeof(char *)) align = 0;
    if (buflen < align + ptrs) return -ERANGE;
    char **table = (char **)(buf + align);
    used = align + ptrs;
#define PS_COPY(dstp, srcp, n)                            \
    do {                                                  \
        if (buflen - used < (n)) return -ERANGE;          \
        memcpy(buf + used, (srcp), (n));                  \
        (dstp) = buf + used;                              \
        used += (n);                                      \
    } while (0)
    PS_COPY(dst->h_name, src->h_name, strlen(src->h_name) + 1);
    dst->h_aliases = table;
    for (size_t i = 0; i < naliases; i++)
        PS_COPY(table[i], src->h_aliases[i], strlen(src->h_aliases[i]) + 1);
    table[naliases] = NULL;
    dst->h_addr_list = table + naliases + 1;
    for (size_t i = 0; i < naddrs; i++)
        PS_COPY(dst->h_addr_list[i], src->h_addr_list[i], (size_t)src->h_length);
    dst->h_addr_list[naddrs] = NULL;
#undef PS_COPY
    dst->h_addrtype = src->h_addrtype;
    dst->h_length = src->h_length;
    return 0;
}
#endif

/* ps_gethostby*'s result from a lookup's outcome (the convention above). */
#if defined(__linux__)
/* The *_r lookups: r is their return value, *result and *h_err their outputs. */
static int reentrant_outcome(int r, struct hostent **result, const int *h_err)
{
    if (r == ERANGE)
        return -ERANGE;
    if (*result == NULL)
        return *h_err ? *h_err : HOST_NOT_FOUND;
    return 0;
}
#else
/* The locked lookups: r is copy_hostent's result, or h_errno without a hostent. */
static int copied_outcome(int r, struct hostent *storage, struct hostent **result, int *h_err)
{
    if (r == 0)
        *result = storage;
    else if (r > 0)
        *h_err = r;
    return r;
}
#endif

/* 0 with *result set; > 0 an h_errno value; -ERANGE: give a bigger buffer. */
int ps_gethostbyname(const char *name, int family, struct hostent *storage,
                     char *buf, size_t buflen, struct hostent **result, int *h_err)
{
    *result = NULL;
    *h_err = 0;
    if (name == NULL)
        return -EINVAL;
#if defined(__linux__)
    int r = gethostbyname2_r(name, family, storage, buf, buflen, result, h_err);
    return reentrant_outcome(r, result, h_err);
#else
    pthread_mutex_lock(&netdb_lock);
    struct hostent *h = family == AF_INET ? gethostbyname(name) : NULL;
    int r = h ? copy_hostent(h, storage, buf, buflen) : h_errno;
    pthread_mutex_unlock(&netdb_lock);
    return copied_outcome(r, storage, result, h_err);
#endif
}

int ps_gethostbyaddr(const void *addr, unsigned addrlen, int family,
                     struct hostent *storage, char *buf, size_t buflen,
                     struct hostent **result, int *h_err)
{
    *result = NULL;
    *h_err = 0;
    if (addr == NULL)
        return -EINVAL;
#if defined(__linux__)
    int r = gethostbyaddr_r(addr, (socklen_t)addrlen, family, storage, buf, buflen,
                            result, h_err);
    return reentrant_outcome(r, result, h_err);
#else
    pthread_mutex_lock(&netdb_lock);
    struct hostent *h = gethostbyaddr(addr, (socklen_t)addrlen, family);
    int r = h ? copy_hostent(h, storage, buf, buflen) : h_errno;
    pthread_mutex_unlock(&netdb_lock);
    return copied_outcome(r, storage, result, h_err);
#endif
}

/* Port in host byte order, or -1 when the service is unknown. */
int ps_getservbyname(const char *name, const char *proto)
{
    int port = -1;
    if (name == NULL)
        return -1;
#if defined(__linux__)
    struct servent se, *res = NULL;
    char buf[1024];
    if (getservbyname_r(name, proto, &se, buf, sizeof(buf), &res) == 0 && res)
        port = ntohs((uint16_t)res->s_port);
#else
    pthread_mutex_lock(&netdb_lock);
    struct servent *res = getservbyname(name, proto);
    if (res)
        port = ntohs((uint16_t)res->s_port);
    pthread_mutex_unlock(&netdb_lock);
#endif
    return port;
}

/* Length of the name written to namebuf, or -1 when the port is unknown. */
int ps_getservbyport(unsigned port, const char *proto, char *namebuf, size_t namelen)
{
    int n = -1;
    if (port > 0xffff || namebuf == NULL)
        return -1;
    int port_be = (int)htons((uint16_t)port);
#if defined(__linux__)
    struct servent se, *res = NULL;
    char buf[1024];
    if (getservbyport_r(port_be, proto, &se, buf, sizeof(buf), &res) == 0 && res) {
#else
    pthread_mutex_lock(&netdb_lock);
    struct servent *res = getservbyport(port_be, proto);
    if (res) {
#endif
        size_t len = strlen(res->s_name);
        if (len < namelen) {
            memcpy(namebuf, res->s_name, len + 1);
            n = (int)len;
        }
    }
#if !defined(__linux__)
    pthread_mutex_unlock(&netdb_lock);
#endif
    return n;
}

/* Protocol number, or -1 when unknown. */
int ps_getprotobyname(const char *name)
{
    int proto = -1;
    if (name == NULL)
        return -1;
#if defined(__linux__)
    struct protoent pe, *res = NULL;
    char buf[1024];
    if (getprotobyname_r(name, &pe, buf, sizeof(buf), &res) == 0 && res)
        proto = res->p_proto;
#else
    pthread_mutex_lock(&netdb_lock);
    struct protoent *res = getprotobyname(name);
    if (res)
        proto = res->p_proto;
    pthread_mutex_unlock(&netdb_lock);
#endif
    return proto;
}

unsigned ps_if_nametoindex(const char *name) { return name ? if_nametoindex(name) : 0; }

int ps_if_indextoname(unsigned index, char *buf, size_t len)
{
    if (buf == NULL || len < IF_NAMESIZE)
        return -EINVAL;
    if (if_indextoname(index, buf) == NULL)
        return -errno;
    return (int)strlen(buf);
}

struct if_nameindex *ps_if_nameindex(int *err)
{
    struct if_nameindex *list = if_nameindex();
    *err = list ? 0 : errno;
    return list;
}

void ps_if_freenameindex(struct if_nameindex *list)
{
    if (list != NULL)
        if_freenameindex(list);
}
