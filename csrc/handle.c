/*
 * Socket handles: the descriptor plus a count of the calls in flight on it.
 *
 * Why: in CPython, closing a socket while another thread is blocked in
 * recv()/accept() on it leaves that thread blocked, and worse, the descriptor
 * number is free at once, so the next socket() may reuse it while the blocked
 * call (or a retry loop holding the old number) still uses it.  Here close()
 * takes the descriptor out of the handle first; if calls are in flight it
 * shuts the socket down (which wakes them) and leaves the number open until
 * the last of them leaves, so the number cannot be reused under them.
 *
 * The count is tagged with a fork epoch: after fork() only the forking thread
 * exists in the child, so every count inherited from the parent is stale and
 * must read as zero (otherwise a child closing an inherited listener would
 * shut it down under the parent).
 */
#include "pysock_internal.h"

#include <pthread.h>

static int64_t fork_epoch;
static pthread_once_t fork_hook_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void) { __atomic_add_fetch(&fork_epoch, 1, __ATOMIC_SEQ_CST); }

static void install_fork_hook(void) { pthread_atfork(NULL, NULL, on_fork_child); }

#define STATE_USERS(st) ((int32_t)((uint64_t)(st) & 0xffffffffu))
#define STATE_EPOCH(st) ((int64_t)((uint64_t)(st) >> 32))
#define STATE_PACK(epoch, users) \
    ((int64_t)(((uint64_t)(epoch) << 32) | (uint32_t)(users)))

static int32_t current_users(int64_t state, int64_t epoch)
{
    return STATE_EPOCH(state) == (epoch & 0x7fffffff) ? STATE_USERS(state) : 0;
}

static int64_t epoch_now(void)
{
    return __atomic_load_n(&fork_epoch, __ATOMIC_SEQ_CST) & 0x7fffffff;
}

void ps_sock_init(ps_sock *s, int fd)
{
    pthread_once(&fork_hook_once, install_fork_hook);
    s->state = STATE_PACK(epoch_now(), 0);
    s->pending_fd = -1;
    __atomic_store_n(&s->fd, fd, __ATOMIC_SEQ_CST);
}

int ps_sock_in_flight(ps_sock *s)
{
    return current_users(__atomic_load_n(&s->state, __ATOMIC_SEQ_CST), epoch_now());
}

static void finish_pending_close(ps_sock *s)
{
    int fd = __atomic_exchange_n(&s->pending_fd, -1, __ATOMIC_SEQ_CST);
    if (fd >= 0)
        close(fd);
}

int sock_enter(ps_sock *s)
{
    int64_t epoch = epoch_now();
    int64_t old = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
    int64_t new;
    do {
        new = STATE_PACK(epoch, current_users(old, epoch) + 1);
    } while (!__atomic_compare_exchange_n(&s->state, &old, new, 0,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    int fd = __atomic_load_n(&s->fd, __ATOMIC_SEQ_CST);
    if (fd < 0) {
        sock_leave(s, 0);
        return -EBADF;
    }
    return fd;
}

int sock_closed(ps_sock *s)
{
    return __atomic_load_n(&s->fd, __ATOMIC_SEQ_CST) < 0;
}

ssize_t sock_leave(ps_sock *s, ssize_t result)
{
    int64_t epoch = epoch_now();
    int64_t old = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
    int64_t new;
    int32_t users;
    int closed = sock_closed(s);
    do {
        if (STATE_EPOCH(old) != epoch)
            return closed ? -EBADF : result;  /* counted before a fork: stale */
        users = STATE_USERS(old) - 1;
        new = STATE_PACK(epoch, users);
    } while (!__atomic_compare_exchange_n(&s->state, &old, new, 0,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    if (users == 0)
        finish_pending_close(s);
    /* Closed by another thread during the call: whatever the call saw (EOF from
       the shutdown, EINVAL from a listener), report the socket as closed. */
    return closed ? -EBADF : result;
}

ssize_t sock_leave_fd(ps_sock *s, ssize_t new_fd)
{
    ssize_t r = sock_leave(s, new_fd);
    if (r < 0 && new_fd >= 0)
        close((int)new_fd);  /* accepted just as the listener was closed */
    return r;
}

int ps_sock_close(ps_sock *s)
{
    int fd = __atomic_exchange_n(&s->fd, -1, __ATOMIC_SEQ_CST);
    if (fd < 0)
        return 0;
    if (ps_sock_in_flight(s) == 0) {
        /* Not retried on EINTR: Linux has released the descriptor already.
           ECONNRESET only says the peer went first (as CPython, bpo-30319). */
        if (close(fd) < 0 && errno != ECONNRESET && errno != EINTR)
            return -errno;
        return 0;
    }
    shutdown(fd, SHUT_RDWR);  /* wakes the blocked calls; errors don't matter */
    __atomic_store_n(&s->pending_fd, fd, __ATOMIC_SEQ_CST);
    if (ps_sock_in_flight(s) == 0)
        finish_pending_close(s);  /* the last call left before we published */
    return 0;
}

int ps_sock_detach(ps_sock *s)
{
    return __atomic_exchange_n(&s->fd, -1, __ATOMIC_SEQ_CST);
}
