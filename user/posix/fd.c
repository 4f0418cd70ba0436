/*
 * The fd table (fd.h) and the system calls on descriptors that do not
 * depend on what is behind them: read/write and their vector and
 * positioned forms, close, dup/dup2/dup3, fcntl, lseek, ioctl, fstat.
 * What a kind of description does is a switch on its kind here, carried
 * out in console.c, pipe.c and file.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "fd.h"
#include "inherit/inherit.h"
#include "capos.rpc.h"
#include "posix.h"
#include "ring.h"

struct fdent {
    struct ofd *ofd;
    bool cloexec;
};

static struct posix_lock fd_lock;
static struct fdent fds[POSIX_FD_MAX];
static struct ofd ofds[POSIX_FD_MAX];

/*
 * Shared offsets.  A file's offset belongs to its open file description,
 * which a fork gives to both processes (docs/processes.md, "fork"), so it
 * lives in a page both write: VirtualMemory.map with `shared`, which a
 * fork shares writable instead of copying.  The page (at SHARED_POS_VA)
 * is mapped the first
 * time a file is opened and holds POSIX_FD_MAX slots; a slot counts its
 * holders, one per process whose description uses it (atomically: the
 * processes of a fork tree take and give them back concurrently).  A fork
 * adds a holder to every slot in use for the child, under fd_lock, held
 * across the call so that the child's descriptions are exactly those
 * counted.  Without the page (no memory grant) or a free slot, the offset
 * is the description's own, and a fork copies it.
 */
struct shared_pos {
    uint32_t holders;
    uint32_t pad;
    uint64_t pos;
};
#define SHARED_POS_SLOTS (4096 / sizeof(struct shared_pos))
/* Below mem.c's area (its MMAP_BASE, 16 TiB), whose addresses it chooses
 * itself, and far above any program image and its brk window. */
#define SHARED_POS_VA 0x00000ffffff00000ULL
static struct shared_pos *shared_pos_page;
static uint32_t shared_pos_state; /* 0 not yet, 1 being mapped, 2 mapped, 3 failed */

static struct shared_pos *shared_pos_map(void)
{
    uint32_t s = 0;
    if (__atomic_compare_exchange_n(&shared_pos_state, &s, 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        capos_VirtualMemory_map_args a = {
            .addr = SHARED_POS_VA, .len = 4096, .prot = 3, .commit = true, .shared = true};
        capos_VirtualMemory_map_results r;
        bool ok = posix_caps.memory &&
                  capos_VirtualMemory_map_call(posix_caps.memory, &a, &r, 0) == CAPOS_OK;
        if (ok)
            shared_pos_page = (struct shared_pos *)(uintptr_t)r.addr;
        __atomic_store_n(&shared_pos_state, ok ? 2 : 3, __ATOMIC_RELEASE);
        return shared_pos_page;
    }
    /* Another thread maps it: until it has, this offset is private. */
    return s == 2 ? shared_pos_page : NULL;
}

/* Gives the new file description o a shared slot for its offset, if one
 * is free.  Not under fd_lock (it may map the page). */
static void ofd_share_pos(struct ofd *o)
{
    struct shared_pos *page = shared_pos_map();
    for (unsigned i = 0; page && i < SHARED_POS_SLOTS; i++) {
        uint32_t z = 0;
        if (__atomic_compare_exchange_n(&page[i].holders, &z, 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            page[i].pos = o->pos;
            o->shared_pos = &page[i].pos;
            return;
        }
    }
}

static void ofd_unshare_pos(struct ofd *o)
{
    if (!o->shared_pos)
        return;
    struct shared_pos *s =
        (struct shared_pos *)((char *)o->shared_pos - __builtin_offsetof(struct shared_pos, pos));
    o->shared_pos = NULL;
    __atomic_sub_fetch(&s->holders, 1, __ATOMIC_ACQ_REL);
}

/* Before fork: a holder for the child on every shared offset; fd_lock
 * stays held until posix_fd_fork_done (or, in the child, is reset). */
void posix_fd_fork_prepare(void)
{
    posix_lock(&fd_lock);
    for (int i = 0; i < POSIX_FD_MAX; i++) {
        if (ofds[i].used && ofds[i].shared_pos)
            __atomic_add_fetch(&((struct shared_pos *)((char *)ofds[i].shared_pos -
                                                       __builtin_offsetof(struct shared_pos, pos)))
                                    ->holders,
                               1, __ATOMIC_ACQ_REL);
    }
}

/* After fork, in the parent: the child's holders go back if there is no
 * child. */
void posix_fd_fork_done(bool forked)
{
    for (int i = 0; !forked && i < POSIX_FD_MAX; i++) {
        if (ofds[i].used && ofds[i].shared_pos)
            __atomic_sub_fetch(&((struct shared_pos *)((char *)ofds[i].shared_pos -
                                                       __builtin_offsetof(struct shared_pos, pos)))
                                    ->holders,
                               1, __ATOMIC_ACQ_REL);
    }
    posix_unlock(&fd_lock);
}

void posix_fd_exiting(void)
{
    for (int i = 0; i < POSIX_FD_MAX; i++) {
        if (ofds[i].used)
            ofd_unshare_pos(&ofds[i]);
    }
}

/* The descriptions are the parent's copies: the capabilities under the
 * same ids, the offsets shared (above). */
void posix_fd_forked(void)
{
    fd_lock.state = 0;
}

/* Under fd_lock. */
static void ofd_unref_locked(struct ofd *o, bool *last)
{
    *last = --o->refs == 0;
}

static void ofd_release(struct ofd *o)
{
    /* A pipe end goes with its last description (the other end sees end
     * of file or EPIPE once every copy of this one is gone).  Console
     * capabilities are shared by fds 1 and 2 and kept for the life of the
     * process. */
    if (o->kind == OFD_PIPE_READ || o->kind == OFD_PIPE_WRITE || o->kind == OFD_FILE)
        capos_release(o->cap);
    free(o->path);
    free(o->dents);
    ofd_unshare_pos(o);
    posix_lock(&fd_lock);
    o->path = NULL;
    o->dents = NULL;
    o->used = false;
    posix_unlock(&fd_lock);
}

struct ofd *fd_get(int fd)
{
    struct ofd *o = NULL;
    if (fd < 0 || fd >= POSIX_FD_MAX)
        return NULL;
    posix_lock(&fd_lock);
    o = fds[fd].ofd;
    if (o)
        o->refs++;
    posix_unlock(&fd_lock);
    return o;
}

void ofd_ref(struct ofd *o)
{
    posix_lock(&fd_lock);
    o->refs++;
    posix_unlock(&fd_lock);
}

void ofd_put(struct ofd *o)
{
    bool last;
    posix_lock(&fd_lock);
    ofd_unref_locked(o, &last);
    posix_unlock(&fd_lock);
    if (last)
        ofd_release(o);
}

struct ofd *ofd_new(enum ofd_kind kind, uint32_t flags, uint32_t cap)
{
    struct ofd *o = NULL;
    posix_lock(&fd_lock);
    for (int i = 0; i < POSIX_FD_MAX && !o; i++) {
        if (!ofds[i].used)
            o = &ofds[i];
    }
    if (o) {
        o->used = true;
        o->refs = 1;
        o->kind = (uint8_t)kind;
        o->flags = flags;
        o->cap = cap;
        o->pos = 0;
        o->shared_pos = NULL;
        o->path = NULL;
        o->path_len = 0;
        o->dents = NULL;
        o->dents_cap = o->dents_len = o->dents_at = 0;
    }
    posix_unlock(&fd_lock);
    if (o && kind == OFD_FILE)
        ofd_share_pos(o);
    return o;
}

int fd_install(struct ofd *o, int min, bool cloexec)
{
    int fd = -EMFILE;
    posix_lock(&fd_lock);
    for (int i = min; i < POSIX_FD_MAX; i++) {
        if (!fds[i].ofd) {
            fds[i].ofd = o;
            fds[i].cloexec = cloexec;
            fd = i;
            break;
        }
    }
    posix_unlock(&fd_lock);
    if (fd < 0)
        ofd_put(o);
    return fd;
}

/* The letters of the kinds a child inherits (spawn.c writes them). */
static const char inherit_kinds[] = {
    [OFD_CONSOLE_IN] = 'i', [OFD_CONSOLE_OUT] = 'o', [OFD_PIPE_READ] = 'r', [OFD_PIPE_WRITE] = 'w',
    [OFD_TTY] = 't',        [OFD_FILE] = 'f',        [OFD_DIR] = 0,         [OFD_DEV_NULL] = 'n',
    [OFD_DEV_ZERO] = 'z',   [OFD_DEV_RANDOM] = 'u',
};

char ofd_inherit_kind(const struct ofd *o)
{
    return o->kind < sizeof(inherit_kinds) ? inherit_kinds[o->kind] : 0;
}

void fd_get_all(struct ofd **o, bool *cloexec)
{
    posix_lock(&fd_lock);
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        o[fd] = fds[fd].ofd;
        cloexec[fd] = fds[fd].cloexec;
        if (o[fd])
            o[fd]->refs++;
    }
    posix_unlock(&fd_lock);
}

/*
 * One record of the inheritance list (lib/inherit/inherit.h,
 * docs/processes.md): a new description of the record's kind, flags and
 * offset on the capability of CapSet entry "fdM" (M the record's grant:
 * its own fd unless it names another), or the description of an fd
 * listed before it.  A record that does not parse, names a kind that needs
 * a capability the CapSet lacks, or an fd already set leaves that fd as it
 * is.
 */
static void inherit_one(const struct inherit_rec *r)
{
    if (r->kind == INHERIT_SAME) {
        struct ofd *o = fd_get((int)r->other);
        if (!o)
            return;
        posix_lock(&fd_lock);
        if (!fds[r->fd].ofd) {
            fds[r->fd].ofd = o; /* takes over fd_get's reference */
            o = NULL;
        }
        posix_unlock(&fd_lock);
        if (o)
            ofd_put(o);
        return;
    }
    int kind = -1;
    for (unsigned i = 0; i < sizeof(inherit_kinds); i++) {
        if (inherit_kinds[i] && inherit_kinds[i] == r->kind)
            kind = (int)i;
    }
    if (kind < 0)
        return;
    uint32_t cap = 0;
    if (kind == OFD_CONSOLE_OUT || kind == OFD_PIPE_READ || kind == OFD_PIPE_WRITE ||
        kind == OFD_TTY || kind == OFD_FILE) {
        char name[16];
        snprintf(name, sizeof(name), "fd%u", (unsigned)r->other);
        cap = posix_capset_find(name, 0);
        if (!cap)
            return;
    }
    struct ofd *o = ofd_new((enum ofd_kind)kind, r->flags, cap);
    if (!o)
        return;
    *ofd_pos(o) = r->pos;
    if (kind == OFD_TTY && !posix_caps.tty)
        posix_caps.tty = cap; /* /dev/tty: the terminal the parent passed on */
    posix_lock(&fd_lock);
    bool free_slot = !fds[r->fd].ofd;
    if (free_slot)
        fds[r->fd].ofd = o;
    posix_unlock(&fd_lock);
    if (!free_slot)
        ofd_put(o);
}

/* fds 0, 1, 2: the terminal if one is granted, else the console
 * (docs/posix.md, docs/terminal.md), unless the process was started by
 * posix_spawn, whose inheritance list (POSIX_FDS_ENV) says what each
 * inherited fd is. */
void posix_fd_init(void)
{
    const struct capos_capset_header *cs = posix_capset();
    for (uint32_t i = 0; i < cs->envc; i++) {
        const char *e = posix_capset_env(i);
        if (strncmp(e, POSIX_FDS_ENV, sizeof(POSIX_FDS_ENV) - 1) != 0)
            continue;
        const char *p = e + sizeof(POSIX_FDS_ENV) - 1;
        struct inherit_rec r;
        while (*p) {
            if (inherit_next(&p, POSIX_FD_MAX, &r))
                inherit_one(&r);
        }
        return;
    }
    if (posix_caps.tty) {
        for (int fd = 0; fd < 3; fd++)
            fd_install(ofd_new(OFD_TTY, O_RDWR, posix_caps.tty), fd, false);
        return;
    }
    struct ofd *in = ofd_new(OFD_CONSOLE_IN, O_RDONLY, 0);
    fd_install(in, 0, false);
    if (posix_caps.out)
        fd_install(ofd_new(OFD_CONSOLE_OUT, O_WRONLY, posix_caps.out), 1, false);
    if (posix_caps.err)
        fd_install(ofd_new(OFD_CONSOLE_OUT, O_WRONLY, posix_caps.err), 2, false);
}

long posix_fd_mappable(int fd)
{
    struct ofd *o = fd_get(fd);
    if (!o)
        return -EBADF;
    ofd_put(o);
    return -ENODEV;
}

/* The access-mode and status bits a description reports (F_GETFL). */
static uint32_t ofd_flags(const struct ofd *o)
{
    return o->flags;
}

static long do_read(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    if ((ofd_flags(o) & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    switch (o->kind) {
    case OFD_CONSOLE_IN: return 0;
    case OFD_PIPE_READ: return pipe_read(o, iov, iovcnt);
    case OFD_TTY: return tty_read(o, iov, iovcnt);
    case OFD_FILE: return file_read(o, iov, iovcnt, NULL);
    case OFD_DIR: return -EISDIR;
    case OFD_DEV_NULL:
    case OFD_DEV_ZERO:
    case OFD_DEV_RANDOM: return dev_read(o, iov, iovcnt);
    default: return -EBADF;
    }
}

static long do_write(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    if ((ofd_flags(o) & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    switch (o->kind) {
    case OFD_CONSOLE_OUT: return console_write(o, iov, iovcnt);
    case OFD_PIPE_WRITE: return pipe_write(o, iov, iovcnt);
    case OFD_TTY: return tty_write(o, iov, iovcnt);
    case OFD_FILE: return file_write(o, iov, iovcnt, NULL);
    case OFD_DEV_NULL:
    case OFD_DEV_ZERO:
    case OFD_DEV_RANDOM: return dev_write(o, iov, iovcnt);
    default: return -EBADF;
    }
}

/* Checks a vector as Linux does: a count in [0, IOV_MAX], a total that
 * fits ssize_t. */
static long iov_check(const struct iovec *iov, long iovcnt)
{
    size_t total = 0;
    if (iovcnt < 0 || iovcnt > IOV_MAX)
        return -EINVAL;
    for (long i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
            return -EINVAL;
        total += iov[i].iov_len;
    }
    return 0;
}

/* A read or write of a vector known to be valid. */
static long rw_valid(long fd, const struct iovec *iov, int iovcnt, bool write)
{
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    long r = write ? do_write(o, iov, iovcnt) : do_read(o, iov, iovcnt);
    ofd_put(o);
    return r;
}

static long rw(long fd, const struct iovec *iov, long iovcnt, bool write)
{
    long r = iov_check(iov, iovcnt);
    return r < 0 ? r : rw_valid(fd, iov, (int)iovcnt, write);
}

/* read and write: one buffer, its length cut to SSIZE_MAX as Linux does,
 * which makes a valid vector. */
static long rw_one(long fd, long buf, long n, bool write)
{
    struct iovec v = {(void *)buf, (size_t)n > SSIZE_MAX ? (size_t)SSIZE_MAX : (size_t)n};
    return rw_valid(fd, &v, 1, write);
}

long sys_read(long fd, long buf, long n, long a4, long a5, long a6)
{
    return rw_one(fd, buf, n, false);
}

long sys_write(long fd, long buf, long n, long a4, long a5, long a6)
{
    return rw_one(fd, buf, n, true);
}

long sys_readv(long fd, long iov, long cnt, long a4, long a5, long a6)
{
    return rw(fd, (const struct iovec *)iov, cnt, false);
}

long sys_writev(long fd, long iov, long cnt, long a4, long a5, long a6)
{
    return rw(fd, (const struct iovec *)iov, cnt, true);
}

/* Positioned I/O: files at the offset given (the description's stays);
 * the devices as read and write; a console or a pipe has no position
 * (ESPIPE). */
static long positioned(long fd, const struct iovec *iov, long cnt, long off, bool write)
{
    long r = iov_check(iov, cnt);
    if (r < 0)
        return r;
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    uint64_t at = (uint64_t)off;
    uint32_t acc = ofd_flags(o) & O_ACCMODE;
    bool seekable = o->kind >= OFD_FILE;
    if (off < 0)
        r = -EINVAL;
    else if (!seekable)
        r = -ESPIPE;
    else if (acc == (write ? O_RDONLY : O_WRONLY))
        r = -EBADF;
    else if (o->kind == OFD_FILE)
        r = write ? file_write(o, iov, (int)cnt, &at) : file_read(o, iov, (int)cnt, &at);
    else if (o->kind == OFD_DEV_NULL || o->kind == OFD_DEV_ZERO || o->kind == OFD_DEV_RANDOM)
        r = write ? dev_write(o, iov, (int)cnt) : dev_read(o, iov, (int)cnt);
    else
        r = -EISDIR;
    ofd_put(o);
    return r;
}

long sys_pread(long fd, long buf, long n, long off, long a5, long a6)
{
    struct iovec v = {(void *)buf, (size_t)n > SSIZE_MAX ? (size_t)SSIZE_MAX : (size_t)n};
    return positioned(fd, &v, 1, off, false);
}

long sys_pwrite(long fd, long buf, long n, long off, long a5, long a6)
{
    struct iovec v = {(void *)buf, (size_t)n > SSIZE_MAX ? (size_t)SSIZE_MAX : (size_t)n};
    return positioned(fd, &v, 1, off, true);
}

long sys_preadv(long fd, long iov, long cnt, long off, long a5, long a6)
{
    return positioned(fd, (const struct iovec *)iov, cnt, off, false);
}

long sys_pwritev(long fd, long iov, long cnt, long off, long a5, long a6)
{
    return positioned(fd, (const struct iovec *)iov, cnt, off, true);
}

long sys_lseek(long fd, long off, long whence, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    long r = -ESPIPE;
    if (o->kind >= OFD_FILE)
        r = file_lseek(o, off, whence);
    ofd_put(o);
    return r;
}

long sys_close(long fd, long a2, long a3, long a4, long a5, long a6)
{
    struct ofd *o = NULL;
    if (fd < 0 || fd >= POSIX_FD_MAX)
        return -EBADF;
    posix_lock(&fd_lock);
    o = fds[fd].ofd;
    fds[fd].ofd = NULL;
    posix_unlock(&fd_lock);
    if (!o)
        return -EBADF;
    ofd_put(o);
    return 0;
}

/* dup2/dup3 core: newfd takes oldfd's description; what newfd named is
 * closed (after the swap, so there is never a moment without either). */
static long dup_to(long oldfd, long newfd, bool cloexec)
{
    struct ofd *old = NULL;
    if (newfd < 0 || newfd >= POSIX_FD_MAX)
        return -EBADF;
    struct ofd *o = fd_get((int)oldfd);
    if (!o)
        return -EBADF;
    posix_lock(&fd_lock);
    old = fds[newfd].ofd;
    fds[newfd].ofd = o; /* takes over fd_get's reference */
    fds[newfd].cloexec = cloexec;
    posix_unlock(&fd_lock);
    if (old)
        ofd_put(old);
    return newfd;
}

long sys_dup(long fd, long a2, long a3, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    return o ? fd_install(o, 0, false) : -EBADF;
}

long sys_dup2(long oldfd, long newfd, long a3, long a4, long a5, long a6)
{
    if (oldfd == newfd) {
        struct ofd *o = fd_get((int)oldfd);
        if (!o)
            return -EBADF;
        ofd_put(o);
        return newfd;
    }
    return dup_to(oldfd, newfd, false);
}

long sys_dup3(long oldfd, long newfd, long flags, long a4, long a5, long a6)
{
    if (oldfd == newfd || (flags & ~O_CLOEXEC))
        return -EINVAL;
    return dup_to(oldfd, newfd, flags & O_CLOEXEC);
}

long sys_fcntl(long fd, long cmd, long arg, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    long r = 0;
    if (!o)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (arg < 0 || arg >= POSIX_FD_MAX) {
            r = -EINVAL;
            break;
        }
        return fd_install(o, (int)arg, cmd == F_DUPFD_CLOEXEC); /* keeps the reference */
    case F_GETFD:
        posix_lock(&fd_lock);
        r = fds[fd].cloexec ? FD_CLOEXEC : 0;
        posix_unlock(&fd_lock);
        break;
    case F_SETFD:
        posix_lock(&fd_lock);
        fds[fd].cloexec = arg & FD_CLOEXEC;
        posix_unlock(&fd_lock);
        break;
    case F_GETFL: r = ofd_flags(o); break;
    case F_SETFL:
        /* Only the status flags Linux lets F_SETFL change and we carry. */
        posix_lock(&fd_lock);
        o->flags = (o->flags & ~(uint32_t)(O_NONBLOCK | O_APPEND)) |
                   ((uint32_t)arg & (O_NONBLOCK | O_APPEND));
        posix_unlock(&fd_lock);
        break;
    default: r = -EINVAL;
    }
    ofd_put(o);
    return r;
}

long sys_ioctl(long fd, long req, long arg, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    long r = -ENOTTY; /* only a Terminal is a terminal (isatty()) */
    if (!o)
        return -EBADF;
    if (o->kind == OFD_TTY)
        r = tty_ioctl(o, (unsigned long)req, (void *)arg);
    switch (req) {
    case FIONBIO:
        posix_lock(&fd_lock);
        if (*(const int *)arg)
            o->flags |= O_NONBLOCK;
        else
            o->flags &= ~(uint32_t)O_NONBLOCK;
        posix_unlock(&fd_lock);
        r = 0;
        break;
    case FIOCLEX:
    case FIONCLEX:
        posix_lock(&fd_lock);
        fds[fd].cloexec = req == FIOCLEX;
        posix_unlock(&fd_lock);
        r = 0;
        break;
    }
    ofd_put(o);
    return r;
}

static long stat_ofd(struct ofd *o, struct stat *st)
{
    if (o->kind >= OFD_FILE)
        return file_fstat(o, st);
    memset(st, 0, sizeof(*st));
    st->st_nlink = 1;
    st->st_blksize = 4096;
    if (o->kind == OFD_PIPE_READ || o->kind == OFD_PIPE_WRITE)
        st->st_mode = S_IFIFO | 0600;
    else
        st->st_mode = S_IFCHR | 0620;
    return 0;
}

long sys_fstat(long fd, long st, long a3, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    long r = stat_ofd(o, (struct stat *)st);
    ofd_put(o);
    return r;
}
