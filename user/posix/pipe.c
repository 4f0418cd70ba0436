/*
 * Pipes: pipe and pipe2 over the "pipes" PipeFactory, and reading and
 * writing their ends (the kernel's Pipe object, docs/posix-kernel.md).
 *
 * A read moves what the pipe holds, up to the length asked, straight into
 * the caller's buffer; it waits for data unless the description is
 * O_NONBLOCK (EAGAIN), and returns 0 at end of file.  readv reads its
 * first non-empty segment that way, then the next ones without waiting,
 * while each was filled.
 *
 * A write of at most PIPE_BUF bytes goes in whole or not at all (the
 * kernel's pipeAtomicWrite); writev gathers a vector of at most PIPE_BUF
 * bytes into one write so that it stays atomic.  A blocking write of more
 * loops until every byte is in; a non-blocking one returns what fit, or
 * EAGAIN if nothing did.  Once every read end is gone a write raises
 * SIGPIPE and fails with EPIPE (after the bytes that went in, if any).
 *
 * Without a "pipes" capability pipe() fails with ENFILE: the process may
 * make no pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>

#include "abi/errors.h"
#include "capos.rpc.h"
#include "fd.h"
#include "posix.h"
#include "ring.h"
#include "rpc/flat.h"

/* The most one kernel call moves (a read's or write's UInt32 length). */
#define CALL_MAX (1u << 30)

long sys_pipe2(long fds, long flags, long a3, long a4, long a5, long a6)
{
    if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    if (!posix_caps.pipes)
        return -ENFILE;
    uint64_t buf[capos_PipeFactory_create_RESULT_BYTES / 8];
    struct capos_rpc_opts o = {.buf = buf, .buf_len = sizeof(buf)};
    capos_PipeFactory_create_results r;
    int err = capos_PipeFactory_create_call(posix_caps.pipes, 0, &r, &o);
    if (err != CAPOS_OK)
        return err == CAPOS_ERR_QUOTA_EXCEEDED || err == CAPOS_ERR_NO_MEMORY ? -ENFILE
                                                                             : posix_errno(err);
    uint32_t nb = (flags & O_NONBLOCK) ? O_NONBLOCK : 0;
    struct ofd *rd = ofd_new(OFD_PIPE_READ, O_RDONLY | nb, r.reader);
    struct ofd *wr = rd ? ofd_new(OFD_PIPE_WRITE, O_WRONLY | nb, r.writer) : NULL;
    if (!wr) {
        /* No description free: the ends go back (a description releases
         * its own capability). */
        if (rd)
            ofd_put(rd);
        else
            capos_release(r.reader);
        capos_release(r.writer);
        return -EMFILE;
    }
    int fr = fd_install(rd, 0, flags & O_CLOEXEC);
    if (fr < 0) {
        ofd_put(wr);
        return fr;
    }
    int fw = fd_install(wr, 0, flags & O_CLOEXEC);
    if (fw < 0) {
        sys_close(fr, 0, 0, 0, 0, 0);
        return fw;
    }
    ((int *)fds)[0] = fr;
    ((int *)fds)[1] = fw;
    return 0;
}

long sys_pipe(long fds, long a2, long a3, long a4, long a5, long a6)
{
    return sys_pipe2(fds, 0, 0, 0, 0, 0);
}

/*
 * One kernel read or write of up to n bytes at p: bytes moved (0: end of
 * file) or -errno.  The parameters go in their flat form and a flat result
 * is read in place (rpc/flat.h); a result in any other encoding goes
 * through the generated decoder.
 */
static long pipe_call(struct ofd *o, bool write, void *p, size_t n, bool nonblocking)
{
    uint64_t msg[CAPOS_PIPE_IO_BYTES / 8], res[CAPOS_PIPE_RESULT_BYTES / 8];
    capos_pipe_io_encode(msg, (uint64_t)(uintptr_t)p, n > CALL_MAX ? CALL_MAX : (uint32_t)n,
                         nonblocking);
    uint64_t cookie;
    struct capos_cqe c;
    int err =
        write
            ? capos_rpc_submit(o->cap, capos_PipeWriter_INTERFACE_ID, capos_PipeWriter_method_write,
                               msg, sizeof(msg), res, sizeof(res), 0, 0, &cookie)
            : capos_rpc_submit(o->cap, capos_PipeReader_INTERFACE_ID, capos_PipeReader_method_read,
                               msg, sizeof(msg), res, sizeof(res), 0, 0, &cookie);
    if (err == CAPOS_OK)
        err = capos_rpc_wait(cookie, &c);
    if (err != CAPOS_OK)
        return posix_errno(err);
    uint32_t done;
    if (c.result == CAPOS_OK && c.ncaps == 0 && capos_pipe_result_decode(res, c.result_len, &done))
        return done;
    struct capos_rpc_opts opts = {.buf = res, .buf_len = sizeof(res)};
    capos_PipeWriter_write_results w = {0};
    capos_PipeReader_read_results r = {0};
    err = write ? capos_PipeWriter_write_complete(&c, &w, &opts)
                : capos_PipeReader_read_complete(&c, &r, &opts);
    if (err == CAPOS_OK)
        return write ? w.n : r.n;
    return err == CAPOS_ERR_BAD_ADDRESS ? -EFAULT : posix_errno(err);
}

/* A blocking read that a signal handler without SA_RESTART must be able to
 * interrupt (EINTR): non-blocking reads, and in between a wait for data
 * that can be taken back (posix_pipe_wait).  Only when such a handler is
 * installed: otherwise one read waits in the kernel. */
static long pipe_read_interruptible(struct ofd *o, void *p, size_t n)
{
    for (;;) {
        long r = pipe_call(o, false, p, n, true);
        if (r != -EAGAIN)
            return r;
        long e = posix_pipe_wait(o);
        if (e)
            return e;
    }
}

long pipe_read(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    bool nonblocking = __atomic_load_n(&o->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
    if (!nonblocking && iovcnt == 1 && iov[0].iov_len && posix_sig_may_interrupt())
        return pipe_read_interruptible(o, iov[0].iov_base, iov[0].iov_len);
    if (iovcnt == 1) /* read() */
        return iov[0].iov_len ? pipe_call(o, false, iov[0].iov_base, iov[0].iov_len, nonblocking)
                              : 0;
    long total = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0)
            continue;
        long r = pipe_call(o, false, iov[i].iov_base, iov[i].iov_len, nonblocking || total > 0);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((size_t)r < iov[i].iov_len)
            break;
    }
    return total;
}

/* Writes n bytes: all of them, unless non-blocking (what fits). */
static long write_all(struct ofd *o, const char *p, size_t n, bool nonblocking)
{
    size_t done = 0;
    while (done < n) {
        long r = pipe_call(o, true, (void *)(p + done), n - done, nonblocking);
        if (r < 0)
            return done ? (long)done : r;
        done += (size_t)r;
        if (nonblocking)
            break;
    }
    return (long)done;
}

/* A vector of at most PIPE_BUF bytes in all, gathered into one write so
 * that it stays atomic (out of line: other writes keep the buffer off
 * their stack). */
static __attribute__((noinline)) long write_gathered(struct ofd *o, const struct iovec *iov,
                                                     int iovcnt, bool nonblocking)
{
    char buf[PIPE_BUF];
    size_t at = 0;
    for (int i = 0; i < iovcnt; i++) {
        memcpy(buf + at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    return write_all(o, buf, at, nonblocking);
}

/* A longer vector, one segment after the other. */
static long write_each(struct ofd *o, const struct iovec *iov, int iovcnt, bool nonblocking)
{
    long done = 0, r = 0;
    for (int i = 0; i < iovcnt && r >= 0; i++) {
        if (iov[i].iov_len == 0)
            continue;
        r = write_all(o, iov[i].iov_base, iov[i].iov_len, nonblocking);
        if (r > 0)
            done += r;
        if (r >= 0 && (size_t)r < iov[i].iov_len)
            break;
    }
    return done ? done : r;
}

long pipe_write(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    bool nonblocking = __atomic_load_n(&o->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
    long r;
    if (iovcnt == 1) {
        r = write_all(o, iov[0].iov_base, iov[0].iov_len, nonblocking);
    } else {
        size_t total = 0;
        for (int i = 0; i < iovcnt; i++)
            total += iov[i].iov_len;
        r = iovcnt > 1 && total <= PIPE_BUF ? write_gathered(o, iov, iovcnt, nonblocking)
                                            : write_each(o, iov, iovcnt, nonblocking);
    }
    if (r == -EPIPE)
        posix_raise(SIGPIPE);
    return r;
}
