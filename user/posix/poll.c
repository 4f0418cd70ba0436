/*
 * poll, ppoll, select and pselect6 over the descriptors that exist: the
 * console (always writable; fd 0 always readable, at end of file) and pipe
 * ends, whose readiness the kernel reports through PipeReader.wait and
 * PipeWriter.wait.
 *
 * A call first asks every pipe end for its state without waiting (one
 * non-blocking wait each).  If nothing is ready and there is time left, it
 * submits a blocking wait on each pipe end (at most WAIT_MAX at once;
 * with more ends, the wait is cut into WAIT_SLICE_NS slices and all are
 * asked again after each), waits on the ring for the first completion or
 * the deadline, takes the waits back with cancelWaits, drains their
 * completions, and asks again: a wait says only that data was there, and
 * another thread may have read it since.
 *
 * Readiness as Linux reports it: a read end is POLLIN with data and POLLHUP
 * once every write end is gone; a write end is POLLOUT with room for
 * PIPE_BUF bytes and POLLERR once every read end is gone; a descriptor that
 * is not open is POLLNVAL (poll) or EBADF (select).  A signal that arrives
 * while poll waits ends the wait (EINTR).  Signal masks (ppoll, pselect6)
 * are accepted and not applied.
 *
 * posix_pipe_wait is the same wait for one pipe end alone, for a blocking
 * read that a signal handler may interrupt (pipe.c).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

#include "abi/errors.h"
#include "capos.rpc.h"
#include "fd.h"
#include "posix.h"
#include "ring.h"

#define NFDS_MAX      POSIX_FD_MAX
#define WAIT_MAX      32 /* blocking waits in flight (of 64 submission slots) */
#define WAIT_SLICE_NS 10000000ULL
#define NS            1000000000ULL

static bool is_pipe(const struct ofd *o)
{
    return o->kind == OFD_PIPE_READ || o->kind == OFD_PIPE_WRITE;
}

/* The kernel's events for what a pollfd asks of a pipe end. */
static uint32_t pipe_events(const struct ofd *o, short events)
{
    if (o->kind == OFD_PIPE_READ)
        return (events & POLLIN) ? capos_pipeReadable : 0;
    return (events & POLLOUT) ? capos_pipeWritable : 0;
}

/* poll bits from the kernel's ready bits of a pipe end. */
static short pipe_revents(const struct ofd *o, uint32_t ready)
{
    if (o->kind == OFD_PIPE_READ)
        return (short)(((ready & capos_pipeReadable) ? POLLIN : 0) |
                       ((ready & capos_pipeHangup) ? POLLHUP : 0));
    return (short)(((ready & capos_pipeWritable) ? POLLOUT : 0) |
                   ((ready & capos_pipeHangup) ? POLLERR : 0));
}

/* What a pipe end's state is now, without waiting. */
static uint32_t pipe_ready_now(const struct ofd *o, uint32_t events)
{
    int err;
    uint32_t ready = 0;
    if (o->kind == OFD_PIPE_READ) {
        capos_PipeReader_wait_args a = {.events = events, .nonBlocking = true};
        capos_PipeReader_wait_results r;
        err = capos_PipeReader_wait_call(o->cap, &a, &r, 0);
        ready = r.ready;
    } else {
        capos_PipeWriter_wait_args a = {.events = events, .nonBlocking = true};
        capos_PipeWriter_wait_results r;
        err = capos_PipeWriter_wait_call(o->cap, &a, &r, 0);
        ready = r.ready;
    }
    return err == CAPOS_OK ? ready : 0;
}

/* One pass over fds: sets revents, returns how many are non-zero. */
static int scan(struct pollfd *fds, unsigned n)
{
    int count = 0;
    for (unsigned i = 0; i < n; i++) {
        short ev = fds[i].events, rev = 0;
        if (fds[i].fd < 0) {
            fds[i].revents = 0;
            continue;
        }
        struct ofd *o = fd_get(fds[i].fd);
        if (!o) {
            rev = POLLNVAL;
        } else if (o->kind == OFD_CONSOLE_IN) {
            rev = POLLIN; /* end of file is always there to read */
        } else if (o->kind == OFD_CONSOLE_OUT) {
            rev = POLLOUT;
        } else if (o->kind == OFD_TTY) {
            /* Whether the discipline has input is the service's to say:
             * a read may still wait. */
            rev = POLLIN | POLLOUT;
        } else {
            rev = pipe_revents(o, pipe_ready_now(o, pipe_events(o, ev)));
        }
        if (o)
            ofd_put(o);
        rev &= (short)(ev | POLLHUP | POLLERR | POLLNVAL);
        fds[i].revents = rev;
        count += rev != 0;
    }
    return count;
}

/* A blocking wait in flight. */
struct waiting {
    struct ofd *o;
    uint64_t cookie;
    bool done;
    uint64_t arena[capos_PipeReader_wait_ARENA_WORDS];
    uint64_t res[capos_PipeReader_wait_RESULT_BYTES / 8];
    struct capos_rpc_opts opts;
};

/* The cancelWaits call for one end, in flight. */
struct cancelling {
    uint64_t cookie;
    bool done;
    uint64_t res[capos_PipeReader_cancelWaits_RESULT_BYTES / 8];
    struct capos_rpc_opts opts;
};

/* Marks the completion c as one of ours; false if it is nobody's here. */
static bool take(const struct capos_cqe *c, struct waiting *w, unsigned nw, struct cancelling *k,
                 unsigned nk)
{
    for (unsigned i = 0; i < nw; i++) {
        if (!w[i].done && w[i].cookie == c->user_data)
            return w[i].done = true;
    }
    for (unsigned i = 0; i < nk; i++) {
        if (!k[i].done && k[i].cookie == c->user_data)
            return k[i].done = true;
    }
    return false;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    if (posix_clock(CLOCK_MONOTONIC, &t) < 0)
        return 0;
    return (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec;
}

/*
 * Waits until one of the pipe ends in fds may be ready, or `until`
 * (monotonic ns; UINT64_MAX: no deadline) has passed.
 */
static void wait_some(struct pollfd *fds, unsigned n, uint64_t until)
{
    struct waiting w[WAIT_MAX];
    struct cancelling k[WAIT_MAX];
    unsigned nw = 0, nk = 0;
    bool all = true;
    for (unsigned i = 0; i < n; i++) {
        struct ofd *o = fds[i].fd >= 0 ? fd_get(fds[i].fd) : NULL;
        if (!o)
            continue;
        uint32_t ev = is_pipe(o) ? pipe_events(o, fds[i].events) : 0;
        if (!is_pipe(o) || nw == WAIT_MAX) {
            all = all && !is_pipe(o);
            ofd_put(o);
            continue;
        }
        struct waiting *x = &w[nw];
        struct capnp_builder b;
        x->o = o;
        x->done = false;
        x->opts = (struct capos_rpc_opts){.buf = x->res, .buf_len = sizeof(x->res)};
        capnp_builder_init(&b, x->arena, sizeof(x->arena));
        int err;
        if (o->kind == OFD_PIPE_READ) {
            capos_PipeReader_wait_args a = {.events = ev};
            err = capos_PipeReader_wait_submit(o->cap, &a, &b, &x->opts, &x->cookie);
        } else {
            capos_PipeWriter_wait_args a = {.events = ev};
            err = capos_PipeWriter_wait_submit(o->cap, &a, &b, &x->opts, &x->cookie);
        }
        if (err != CAPOS_OK) {
            ofd_put(o);
            all = false;
            continue;
        }
        nw++;
    }
    if (!all && until - now_ns() > WAIT_SLICE_NS)
        until = now_ns() + WAIT_SLICE_NS;
    /* Until one completes, or the deadline. */
    bool any = false;
    while (!any) {
        uint64_t now = now_ns();
        if ((until != UINT64_MAX && now >= until) || posix_sig_due_now())
            break;
        int64_t r = capos_ring_enter(1, until == UINT64_MAX ? CAPOS_WAIT_FOREVER : until - now);
        if (r < 0)
            break;
        struct capos_cqe c;
        while (capos_ring_next(&c))
            any |= take(&c, w, nw, k, nk);
        if (posix_sig_due_now())
            break; /* poll_ns returns EINTR */
    }
    /* Take back the waits still pending, and see every completion. */
    for (unsigned i = 0; i < nw; i++) {
        if (w[i].done)
            continue;
        struct cancelling *x = &k[nk];
        x->done = false;
        x->opts = (struct capos_rpc_opts){.buf = x->res, .buf_len = sizeof(x->res)};
        int err =
            w[i].o->kind == OFD_PIPE_READ
                ? capos_PipeReader_cancelWaits_submit(w[i].o->cap, 0, 0, &x->opts, &x->cookie)
                : capos_PipeWriter_cancelWaits_submit(w[i].o->cap, 0, 0, &x->opts, &x->cookie);
        if (err == CAPOS_OK)
            nk++;
    }
    for (;;) {
        struct capos_cqe c;
        while (capos_ring_next(&c))
            take(&c, w, nw, k, nk);
        bool pending = false;
        for (unsigned i = 0; i < nw; i++)
            pending |= !w[i].done;
        for (unsigned i = 0; i < nk; i++)
            pending |= !k[i].done;
        if (!pending || capos_ring_enter(1, CAPOS_WAIT_FOREVER) < 0)
            break;
    }
    for (unsigned i = 0; i < nw; i++)
        ofd_put(w[i].o);
}

long posix_pipe_wait(struct ofd *o)
{
    struct waiting x;
    struct capnp_builder b;
    struct capos_cqe c;
    x.opts = (struct capos_rpc_opts){.buf = x.res, .buf_len = sizeof(x.res)};
    capnp_builder_init(&b, x.arena, sizeof(x.arena));
    capos_PipeReader_wait_args a = {.events = capos_pipeReadable};
    if (capos_PipeReader_wait_submit(o->cap, &a, &b, &x.opts, &x.cookie) != CAPOS_OK)
        return 0; /* the read will wait in the kernel instead */
    capos_ring_enter(0, 0);
    for (;;) {
        /* False: a handler ran (the ring wait hook), or cap_enter failed. */
        if (capos_ring_next_tagged(~0ULL, x.cookie, true, &c))
            return 0;
        long e = posix_sig_wait_result();
        if (e == 0)
            continue; /* SA_RESTART: wait on */
        uint64_t res[capos_PipeReader_cancelWaits_RESULT_BYTES / 8];
        struct capos_rpc_opts ko = {.buf = res, .buf_len = sizeof(res)};
        uint64_t kc;
        if (capos_PipeReader_cancelWaits_submit(o->cap, 0, 0, &ko, &kc) == CAPOS_OK)
            capos_rpc_wait(kc, &c);
        /* The wait's completion (cancelled, or ready) came first. */
        capos_ring_next_tagged(~0ULL, x.cookie, true, &c);
        return e;
    }
}

/* poll with a timeout in nanoseconds (negative: none). */
static long poll_ns(struct pollfd *fds, unsigned long n, int64_t timeout)
{
    if (n > NFDS_MAX)
        return -EINVAL;
    uint64_t until = timeout < 0 ? UINT64_MAX : 0;
    if (timeout > 0) {
        uint64_t now = now_ns();
        until = (uint64_t)timeout > UINT64_MAX - 1 - now ? UINT64_MAX : now + (uint64_t)timeout;
    }
    for (;;) {
        int count = scan(fds, (unsigned)n);
        if (count || timeout == 0)
            return count;
        if (until != UINT64_MAX && now_ns() >= until)
            return 0;
        if (!posix_caps.timer && until != UINT64_MAX)
            return -EPERM; /* no way to keep a deadline */
        if (posix_sig_due_now())
            return -EINTR; /* the handler runs as the call returns */
        wait_some(fds, (unsigned)n, until);
    }
}

/* The timeout of ppoll and pselect6: a timespec, or none (NULL: -1). */
static long ts_timeout(long tsp, int64_t *ns)
{
    const struct timespec *ts = (const struct timespec *)tsp;
    *ns = -1;
    if (!ts)
        return 0;
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (long)NS)
        return -EINVAL;
    *ns = ts->tv_sec > INT64_MAX / (int64_t)NS - 1 ? INT64_MAX
                                                   : ts->tv_sec * (int64_t)NS + ts->tv_nsec;
    return 0;
}

long sys_poll(long fds, long n, long timeout_ms, long a4, long a5, long a6)
{
    int64_t t = (int)timeout_ms < 0 ? -1 : (int64_t)(int)timeout_ms * 1000000;
    return poll_ns((struct pollfd *)fds, (unsigned long)n, t);
}

long sys_ppoll(long fds, long n, long tsp, long sigmask, long sigsetsize, long a6)
{
    int64_t t;
    long r = ts_timeout(tsp, &t);
    return r < 0 ? r : poll_ns((struct pollfd *)fds, (unsigned long)n, t);
}

/* select's fd_sets through poll; the sets keep only the ready bits. */
static long select_ns(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, int64_t timeout)
{
    struct pollfd p[NFDS_MAX];
    unsigned n = 0;
    if (nfds < 0)
        return -EINVAL;
    if (nfds > NFDS_MAX)
        nfds = NFDS_MAX;
    for (int fd = 0; fd < nfds; fd++) {
        short ev =
            (short)((rd && FD_ISSET(fd, rd) ? POLLIN : 0) | (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
                    (ex && FD_ISSET(fd, ex) ? POLLPRI : 0));
        if (ev)
            p[n++] = (struct pollfd){.fd = fd, .events = ev};
    }
    long r = poll_ns(p, n, timeout);
    if (r < 0)
        return r;
    for (unsigned i = 0; i < n; i++) {
        if (p[i].revents & POLLNVAL)
            return -EBADF;
    }
    int count = 0;
    for (unsigned i = 0; i < n; i++) {
        int fd = p[i].fd;
        short rev = p[i].revents;
        bool r_ = (p[i].events & POLLIN) && (rev & (POLLIN | POLLHUP | POLLERR));
        bool w_ = (p[i].events & POLLOUT) && (rev & (POLLOUT | POLLERR));
        if (rd && FD_ISSET(fd, rd) && !r_)
            FD_CLR(fd, rd);
        if (wr && FD_ISSET(fd, wr) && !w_)
            FD_CLR(fd, wr);
        if (ex && FD_ISSET(fd, ex))
            FD_CLR(fd, ex); /* no exceptional conditions here */
        count += r_ + w_;
    }
    return count;
}

long sys_select(long nfds, long rd, long wr, long ex, long tvp, long a6)
{
    int64_t t = -1;
    struct timeval *tv = (struct timeval *)tvp;
    if (tv) {
        if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
            return -EINVAL;
        t = tv->tv_sec > INT64_MAX / (int64_t)NS - 1
                ? INT64_MAX
                : tv->tv_sec * (int64_t)NS + tv->tv_usec * 1000;
    }
    uint64_t start = tv ? now_ns() : 0;
    long r = select_ns((int)nfds, (fd_set *)rd, (fd_set *)wr, (fd_set *)ex, t);
    if (tv && r >= 0) {
        /* Linux leaves the time not slept in the timeval. */
        uint64_t spent = now_ns() - start;
        uint64_t left = (uint64_t)t > spent ? (uint64_t)t - spent : 0;
        tv->tv_sec = (time_t)(left / NS);
        tv->tv_usec = (suseconds_t)(left % NS / 1000);
    }
    return r;
}

long sys_pselect6(long nfds, long rd, long wr, long ex, long tsp, long sig)
{
    int64_t t;
    long r = ts_timeout(tsp, &t);
    return r < 0 ? r : select_ns((int)nfds, (fd_set *)rd, (fd_set *)wr, (fd_set *)ex, t);
}
