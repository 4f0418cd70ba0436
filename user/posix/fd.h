/*
 * The fd table and open file descriptions.
 *
 * A descriptor (fd) is an index into a per-process table of POSIX_FD_MAX
 * slots; each used slot names an open file description (struct ofd) and
 * carries its own close-on-exec flag.  dup() makes two slots name one
 * description, which holds the status flags (O_NONBLOCK, the access mode)
 * and the capability behind it; a description lives while a slot or an
 * operation in progress holds a reference, and releasing its last
 * reference releases the capability.
 *
 * Locking: the table lock guards the slots and the reference counts; no
 * call is made with it held, so a read blocked on a pipe never stops another
 * thread's close or dup (the description outlives the slot until the read
 * returns, as on Linux).
 */
#ifndef CAPOS_POSIX_FD_H
#define CAPOS_POSIX_FD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#define POSIX_FD_MAX 256

enum ofd_kind {
    OFD_CONSOLE_IN,  /* fd 0 until a terminal exists: reads end of file */
    OFD_CONSOLE_OUT, /* a Console capability: writes go out byte for byte */
    OFD_PIPE_READ,   /* the read end of a Pipe (pipe.c) */
    OFD_PIPE_WRITE,  /* the write end */
    OFD_TTY,         /* a Terminal capability: fds 0-2 when granted, /dev/tty */
    /* From here on, kinds have a position (lseek, pread and pwrite work
     * on them): fd.c tests kind >= OFD_FILE. */
    OFD_FILE,       /* a File capability and an offset (file.c) */
    OFD_DIR,        /* a directory: its canonical path and list position */
    OFD_DEV_NULL,   /* /dev/null */
    OFD_DEV_ZERO,   /* /dev/zero */
    OFD_DEV_RANDOM, /* /dev/urandom, /dev/random: the EntropySource */
};

struct ofd {
    uint32_t refs;
    bool used;
    uint8_t kind;   /* enum ofd_kind */
    uint32_t flags; /* O_ACCMODE bits and O_NONBLOCK */
    uint32_t cap;   /* the capability behind it (0 for OFD_CONSOLE_IN) */
    uint64_t pos;   /* OFD_FILE: the offset; OFD_DIR: the getdents64 position */
    /* OFD_FILE: where the offset lives when it is shared with forked
     * processes (a slot of fd.c's shared page), else NULL and `pos`. */
    uint64_t *shared_pos;
    char *path; /* OFD_DIR: its canonical path (malloc'd) */
    uint32_t path_len;
    /* OFD_DIR: getdents64 records of the last Directory.list page not yet
     * returned, dents[dents_at..dents_len) (malloc'd, dents_cap bytes). */
    char *dents;
    uint32_t dents_cap, dents_len, dents_at;
};

/* The description fd names, with a reference taken; NULL if fd is not open. */
struct ofd *fd_get(int fd);
/* Takes another reference on o (one the caller holds). */
void ofd_ref(struct ofd *o);
/* Drops a reference from fd_get. */
void ofd_put(struct ofd *o);
/* A new description holding `cap` (its reference), or NULL if none is free. */
struct ofd *ofd_new(enum ofd_kind kind, uint32_t flags, uint32_t cap);
/* Installs o (taking over the caller's reference) at the lowest free fd >=
 * min; returns the fd or -EMFILE (and then drops the reference). */
int fd_install(struct ofd *o, int min, bool cloexec);

/* The offset of o: shared with the processes forked since it was opened
 * (docs/processes.md, "fork"), or its own. */
static inline uint64_t *ofd_pos(struct ofd *o)
{
    return o->shared_pos ? o->shared_pos : &o->pos;
}

/* Every fd's description (fd_get: a reference each, NULL where none is
 * open) and FD_CLOEXEC flag, at one moment. */
void fd_get_all(struct ofd **o, bool *cloexec);
/* The letter of o's kind in an inheritance record, 0 for a kind no child
 * inherits (a directory). */
char ofd_inherit_kind(const struct ofd *o);
/* The environment entry of a spawned process's inheritance list (fd.c
 * reads it at start-up, spawn.c writes it; hidden from main). */
#define POSIX_FDS_ENV "CAPOS_POSIX_FDS="

/* ---- console.c ---- */
long console_write(struct ofd *o, const struct iovec *iov, int iovcnt);
/* The terminal: read through its line discipline, write, and the
 * terminal ioctls (-ENOTTY for others). */
long tty_read(struct ofd *o, const struct iovec *iov, int iovcnt);
long tty_write(struct ofd *o, const struct iovec *iov, int iovcnt);
long tty_ioctl(struct ofd *o, unsigned long req, void *arg);

/* ---- pipe.c ---- */
long pipe_read(struct ofd *o, const struct iovec *iov, int iovcnt);
long pipe_write(struct ofd *o, const struct iovec *iov, int iovcnt);
/* poll.c: waits until read end o has data (or hangs up), or a signal handler
 * without SA_RESTART ran meanwhile (-EINTR); 0 otherwise. */
long posix_pipe_wait(struct ofd *o);

/* ---- file.c ---- */
/* Reads or writes at *at, or at the description's offset (moved) if NULL. */
long file_read(struct ofd *o, const struct iovec *iov, int iovcnt, const uint64_t *at);
long file_write(struct ofd *o, const struct iovec *iov, int iovcnt, const uint64_t *at);
long dev_read(struct ofd *o, const struct iovec *iov, int iovcnt);
long dev_write(struct ofd *o, const struct iovec *iov, int iovcnt);
long file_lseek(struct ofd *o, long off, long whence);
struct stat;
long file_fstat(struct ofd *o, struct stat *st);

#endif
