/*
 * Files and paths: the system calls that name files, and descriptors on
 * files, directories and the synthetic devices of /dev.
 *
 * Authority: the Directory capability granted as "root" is the process's
 * "/", and nothing else is reachable.  Paths are resolved here
 * (lib/path): from "/" or the working directory, a canonical path of names
 * below the root, with symbolic links read from the file service
 * (Directory.lstat) and followed here, never by the service.  ".." at the
 * root stays there and an absolute link starts again from the root, so no
 * path and no link leads out of the grant (docs/storage.md).  Without a
 * root every path but /dev's names nothing (ENOENT).
 *
 * A canonical path becomes a capability by walking it with Directory.sub
 * from the root, or from the deepest directory on the way that is kept.
 * Every directory walked is kept (its path and its capability, the few
 * used last), so that the calls of a program working in a few directories
 * cost one walk each, and a kept directory met while resolving needs no
 * lookup.  A rename or rmdir forgets them all, since a path may now name
 * another directory or none.
 *
 * The working directory is a canonical path.  It starts as the
 * environment entry CAPOS_POSIX_CWD that tools/capos-run and posixrun put
 * in the CapSet, which start.c takes out before main (so the program never
 * sees it), or "/".
 *
 * Open file descriptions: a file holds its File capability (read-only
 * facet for O_RDONLY) and the offset, shared by every descriptor dup()
 * made of it; a directory holds its canonical path, the list cursor of
 * getdents64 and the page of entries it read ahead; /dev/null, /dev/zero
 * and /dev/urandom are descriptions of their own, /dev/std{in,out,err}
 * duplicate fds 0-2, /dev/tty is ENXIO (there is no controlling
 * terminal).
 *
 * Locking: one lock guards the resolution state, the working directory,
 * the kept directories, offsets and the message buffers; file service calls
 * are made with it held (they never wait for another process's action).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "abi/errors.h"
#include "capos.capnp.h"
#include "capos.rpc.h"
#include "fd.h"
#include "fs/records.h"
#include "path/path.h"
#include "posix.h"
#include "ring.h"

#define CWD_ENV "CAPOS_POSIX_CWD="

static struct posix_lock fs_lock;

void posix_file_forked(void)
{
    fs_lock.state = 0;
}
static char cwd[PATH_MAX_LEN];
static uint32_t cwd_len;
static struct path_result pr;
static unsigned umask_bits = 022;

/* The kept directories (above): up to KEPT_DIRS, the one used longest
 * ago making room for a new one. */
#define KEPT_DIRS 8
static struct kept_dir {
    char path[PATH_MAX_LEN];
    uint32_t len, cap; /* cap 0: the slot is free */
    uint64_t used;     /* kept_clock when last used */
} kept[KEPT_DIRS];
static uint64_t kept_clock;

/* Message room for the largest File.read result, File.write parameters
 * and Directory.listRecords result. */
static uint64_t msg_buf[capos_Directory_listRecords_RESULT_BYTES / 8 + 8];
_Static_assert(capos_Directory_listRecords_RESULT_BYTES >= capos_File_read_RESULT_BYTES,
               "msg_buf holds a File.read result");
static uint64_t msg_arena[capos_File_write_PARAMS_BYTES / 8 + 8];

static struct capos_rpc_opts opts(void)
{
    return (struct capos_rpc_opts){.buf = msg_buf,
                                   .buf_len = sizeof(msg_buf),
                                   .arena = msg_arena,
                                   .arena_len = sizeof(msg_arena)};
}

static struct capnp_text txt(const char *s, uint32_t len)
{
    return (struct capnp_text){s, len};
}

/* The errno for a file service error. */
static long fs_errno(int err)
{
    switch (err) {
    case CAPOS_OK: return 0;
    case CAPOS_ERR_NOT_FOUND: return -ENOENT;
    case CAPOS_ERR_ALREADY_EXISTS: return -EEXIST;
    case CAPOS_ERR_NOT_EMPTY: return -ENOTEMPTY;
    case CAPOS_ERR_NOT_DIRECTORY: return -ENOTDIR;
    case CAPOS_ERR_IS_DIRECTORY: return -EISDIR;
    case CAPOS_ERR_NOT_PERMITTED: return -EACCES;
    case CAPOS_ERR_QUOTA_EXCEEDED: return -ENOSPC;
    case CAPOS_ERR_NO_MEMORY: return -ENOMEM;
    case CAPOS_ERR_TABLE_FULL: return -ENFILE;
    case CAPOS_ERR_INVALID_ARGUMENT: return -EINVAL;
    case CAPOS_ERR_CROSS_SERVICE: return -EXDEV;
    default: return -EIO;
    }
}

void posix_file_init(void)
{
    posix_caps.root = posix_capset_find("root", capos_Directory_INTERFACE_ID);
    const struct capos_capset_header *cs = posix_capset();
    for (uint32_t i = 0; i < cs->envc; i++) {
        const char *e = posix_capset_env(i);
        if (strncmp(e, CWD_ENV, sizeof(CWD_ENV) - 1) == 0) {
            /* Resolved like chdir's argument; a bad one leaves "/". */
            if (posix_caps.root && sys_chdir((long)(e + sizeof(CWD_ENV) - 1), 0, 0, 0, 0, 0) < 0)
                cwd_len = 0;
        }
    }
}

bool posix_env_hidden(const char *e)
{
    return strncmp(e, CWD_ENV, sizeof(CWD_ENV) - 1) == 0;
}

/* ---- canonical paths to capabilities ---- */

/* Forgets every kept directory: a rename or rmdir may have given its path
 * to another directory or to none. */
static void forget_kept(void)
{
    for (unsigned i = 0; i < KEPT_DIRS; i++) {
        if (kept[i].cap)
            capos_release(kept[i].cap);
        kept[i].cap = 0;
        kept[i].len = 0;
    }
}

/* The kept directory of canonical path p (len bytes), or NULL. */
static struct kept_dir *kept_find(const char *p, uint32_t len)
{
    for (unsigned i = 0; i < KEPT_DIRS; i++) {
        if (kept[i].cap && kept[i].len == len && memcmp(kept[i].path, p, len) == 0) {
            kept[i].used = ++kept_clock;
            return &kept[i];
        }
    }
    return NULL;
}

/* A kept directory capability that must outlive the next dir_cap (a
 * rename's source directory while its destination is resolved); 0: none. */
static uint32_t kept_pinned;

/* Keeps cap (taking the caller's reference) as the directory p, in place
 * of the one used longest ago that is not pinned. */
static void kept_add(const char *p, uint32_t len, uint32_t cap)
{
    struct kept_dir *k = NULL;
    for (unsigned i = 0; i < KEPT_DIRS; i++) {
        if (kept[i].cap && kept[i].cap == kept_pinned)
            continue;
        if (!k || !kept[i].cap || (k->cap && kept[i].used < k->used))
            k = &kept[i];
    }
    if (k->cap)
        capos_release(k->cap);
    memcpy(k->path, p, len);
    k->len = len;
    k->cap = cap;
    k->used = ++kept_clock;
}

/* The Directory capability for canonical path p (len bytes): the root's
 * own for "", else a kept one (the caller must not release it; it stays
 * valid until the next dir_cap or forget_kept).  Under fs_lock. */
static long dir_cap(const char *p, uint32_t len, uint32_t *cap)
{
    if (!posix_caps.root)
        return -ENOENT;
    if (len == 0) {
        *cap = posix_caps.root;
        return 0;
    }
    struct kept_dir *k = kept_find(p, len);
    if (k) {
        *cap = k->cap;
        return 0;
    }
    /* From the deepest kept directory on the way, else from the root;
     * every directory walked is kept, so resolving a/b/c (which looks in
     * a, then a/b) costs one step per name. */
    uint32_t at = posix_caps.root, i = 0;
    for (unsigned j = 0; j < KEPT_DIRS; j++) {
        uint32_t l = kept[j].len;
        if (kept[j].cap && l > i && l < len && p[l] == '/' && memcmp(kept[j].path, p, l) == 0) {
            at = kept[j].cap;
            i = l;
        }
    }
    while (i < len) {
        uint32_t s = ++i;
        while (i < len && p[i] != '/')
            i++;
        capos_Directory_sub_results r;
        int err = capos_Directory_sub_call(
            at, &(capos_Directory_sub_args){.name = txt(p + s, i - s)}, &r, NULL);
        if (err != CAPOS_OK)
            return fs_errno(err);
        at = r.directory;
        kept_add(p, i, at);
    }
    *cap = at;
    return 0;
}

/* /dev: a directory of the personality's own, whatever the root holds. */
static const char *const dev_names[] = {"null", "zero",  "urandom", "random",
                                        "tty",  "stdin", "stdout",  "stderr"};
#define NDEV (sizeof(dev_names) / sizeof(dev_names[0]))

static int dev_index(const char *name, uint32_t len)
{
    for (unsigned i = 0; i < NDEV; i++) {
        if (strlen(dev_names[i]) == len && memcmp(dev_names[i], name, len) == 0)
            return (int)i;
    }
    return -1;
}

static bool is_dev_dir(const char *p, uint32_t len)
{
    return len == 4 && memcmp(p, "/dev", 4) == 0;
}

static uint64_t lstat_buf[capos_Directory_lstat_RESULT_BYTES / 8 + 8];

/* The last Directory.lstat that lookup made, of the entry whose
 * canonical path is last_path, while its message in lstat_buf stands:
 * stat of a path is then answered by the lookup that found it. */
static char last_path[PATH_MAX_LEN];
static uint32_t last_len;
static bool last_valid;
static capos_Directory_lstat_results last_res;

/* Directory.lstat of (dir, name); *res valid until the next call. */
static long entry_stat(const char *dir, uint32_t dir_len, const char *name, uint32_t len,
                       capos_Directory_lstat_results *res)
{
    uint32_t cap;
    last_valid = false;
    long e = dir_cap(dir, dir_len, &cap);
    if (e < 0)
        return e;
    struct capos_rpc_opts o = {.buf = lstat_buf, .buf_len = sizeof(lstat_buf)};
    return fs_errno(capos_Directory_lstat_call(
        cap, &(capos_Directory_lstat_args){.name = txt(name, len)}, res, &o));
}

/* Whether dir/name is a kept directory. */
static bool kept_entry(const char *dir, uint32_t dir_len, const char *name, uint32_t len)
{
    uint32_t l = dir_len + 1 + len;
    for (unsigned i = 0; i < KEPT_DIRS; i++) {
        const char *k = kept[i].path;
        if (kept[i].cap && kept[i].len == l && k[dir_len] == '/' && memcmp(k, dir, dir_len) == 0 &&
            memcmp(k + dir_len + 1, name, len) == 0)
            return true;
    }
    return false;
}

/*
 * An open that does not truncate looks up the last name of its path with
 * the Directory.open itself (creating the file for O_CREAT), not an lstat
 * before it: resolve leaves the File capability (its reference) in
 * `file`, which do_open takes or releases.  With `exclusive` a file there
 * is one this open made.
 */
struct open_intent {
    bool on, create, exclusive, read_only;
    uint32_t mode;
    uint32_t file;
};
static struct open_intent intent;

/* lookup's Directory.open of the last name for `intent`: the kind, or
 * PATH_LINK with nothing looked up yet (the caller reads the link), or a
 * negative error. */
static int open_entry(const char *dir, uint32_t dir_len, const char *name, uint32_t len)
{
    uint32_t cap;
    long e = dir_cap(dir, dir_len, &cap);
    if (e < 0)
        return (int)e;
    capos_Directory_open_results r;
    int err = capos_Directory_open_call(cap,
                                        &(capos_Directory_open_args){.name = txt(name, len),
                                                                     .create = intent.create,
                                                                     .exclusive = intent.exclusive,
                                                                     .readOnly = intent.read_only,
                                                                     .mode = intent.mode},
                                        &r, NULL);
    if (err == CAPOS_ERR_NOT_FOUND)
        return PATH_NONE;
    if (err != CAPOS_OK)
        return (int)fs_errno(err);
    if (r.file && r.file != CAPNP_NO_CAP) {
        intent.file = r.file;
        return PATH_FILE;
    }
    if (r.directory && r.directory != CAPNP_NO_CAP) {
        /* A read-only facet is no kept directory (mkdir in it would
         * fail), and the open of a directory fails anyway unless read
         * only: it is not kept. */
        capos_release(r.directory);
        return PATH_DIR;
    }
    return PATH_LINK;
}

/*
 * A kept directory is taken to be a directory still, without asking the
 * service: this process's own renames and rmdirs forget every kept one,
 * and a capability held on a directory keeps naming that directory.  Any
 * other name is looked up with one Directory.lstat in its parent, or with
 * the Directory.open that an open wants (above).
 */
static int lookup(void *ctx, const char *dir, uint32_t dir_len, const char *name, uint32_t len,
                  char *target, uint32_t *target_len)
{
    (void)ctx;
    if (dir_len == 0 && len == 3 && memcmp(name, "dev", 3) == 0)
        return PATH_DIR;
    if (is_dev_dir(dir, dir_len))
        return dev_index(name, len) >= 0 ? PATH_FILE : PATH_NONE;
    if (kept_entry(dir, dir_len, name, len))
        return PATH_DIR;
    /* Only where resolution surely ends with this name, so that nothing
     * is made for an open that then fails. */
    if (intent.on && pr.at == pr.end && !pr.trailing_slash && !intent.file &&
        dir_len + 1 + len < PATH_MAX_LEN) {
        int k = open_entry(dir, dir_len, name, len);
        if (k != PATH_LINK)
            return k;
    }
    capos_Directory_lstat_results r;
    long e = entry_stat(dir, dir_len, name, len, &r);
    if (e == -ENOENT)
        return PATH_NONE;
    if (e < 0)
        return (int)e;
    memcpy(last_path, dir, dir_len);
    last_path[dir_len] = '/';
    memcpy(last_path + dir_len + 1, name, len);
    last_len = dir_len + 1 + len;
    last_res = r;
    last_valid = true;
    switch (capos_Stat_get_kind(r.stat)) {
    case capos_NodeKind_directory: return PATH_DIR;
    case capos_NodeKind_symlink:
        if (r.target.len == 0 || r.target.len >= PATH_MAX_LEN)
            return -EIO;
        memcpy(target, r.target.str, r.target.len);
        *target_len = r.target.len;
        return PATH_LINK;
    default: return PATH_FILE;
    }
}

/* Resolves `path` relative to dirfd (AT_FDCWD: the working directory)
 * into pr.  Under fs_lock. */
static long resolve(long dirfd, const char *path, unsigned flags)
{
    if (!path)
        return -EFAULT;
    const char *base = cwd;
    uint32_t base_len = cwd_len;
    struct ofd *d = NULL;
    if (path[0] != '/' && dirfd != AT_FDCWD) {
        d = fd_get((int)dirfd);
        if (!d)
            return -EBADF;
        if (d->kind != OFD_DIR) {
            ofd_put(d);
            return -ENOTDIR;
        }
        base = d->path;
        base_len = d->path_len;
    }
    last_valid = false;
    long e = path_resolve(lookup, 0, base, base_len, path, flags, &pr);
    if (d)
        ofd_put(d);
    if (e == 0 && !posix_caps.root &&
        !(pr.len >= 4 && memcmp(pr.path, "/dev", 4) == 0 && (pr.len == 4 || pr.path[4] == '/')))
        return -ENOENT;
    return e;
}

/* The parent directory and last name of the canonical path in pr. */
static uint32_t last_name(uint32_t *name_len)
{
    uint32_t i = pr.len;
    while (i && pr.path[i - 1] != '/')
        i--;
    *name_len = pr.len - i;
    return i; /* the name starts here; the parent is pr.path[0..i-1) */
}

/* ---- stat ---- */

static void fill_stat(struct stat *st, capos_Stat_reader s)
{
    memset(st, 0, sizeof(*st));
    uint32_t type = S_IFREG;
    switch (capos_Stat_get_kind(s)) {
    case capos_NodeKind_directory: type = S_IFDIR; break;
    case capos_NodeKind_symlink: type = S_IFLNK; break;
    default: break;
    }
    uint64_t a = capos_Stat_get_atimeNs(s), m = capos_Stat_get_mtimeNs(s),
             c = capos_Stat_get_ctimeNs(s);
    st->st_dev = 1;
    st->st_ino = capos_Stat_get_inode(s);
    st->st_mode = type | (capos_Stat_get_mode(s) & 07777);
    st->st_nlink = capos_Stat_get_links(s);
    st->st_size = type == S_IFDIR ? 4096 : (off_t)capos_Stat_get_size(s);
    st->st_blksize = 4096;
    st->st_blocks = type == S_IFREG ? (blkcnt_t)((capos_Stat_get_size(s) + 511) / 512) : 8;
    st->st_atim = (struct timespec){(time_t)(a / 1000000000), (long)(a % 1000000000)};
    st->st_mtim = (struct timespec){(time_t)(m / 1000000000), (long)(m % 1000000000)};
    st->st_ctim = (struct timespec){(time_t)(c / 1000000000), (long)(c % 1000000000)};
}

static void dev_stat(struct stat *st, uint64_t ino, bool dir)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = 2;
    st->st_ino = ino;
    st->st_mode = dir ? S_IFDIR | 0755 : S_IFCHR | 0666;
    st->st_nlink = dir ? 2 : 1;
    st->st_blksize = 4096;
}

/* stat of what pr names (it exists). */
static long stat_resolved(struct stat *st)
{
    uint32_t nl, at = last_name(&nl);
    if (is_dev_dir(pr.path, pr.len)) {
        dev_stat(st, 1, true);
        return 0;
    }
    if (at && is_dev_dir(pr.path, at - 1)) {
        dev_stat(st, 2 + (uint64_t)dev_index(pr.path + at, nl), false);
        return 0;
    }
    if (pr.len == 0) {
        capos_Directory_stat_results r;
        struct capos_rpc_opts o = opts();
        int err = capos_Directory_stat_call(posix_caps.root, NULL, &r, &o);
        if (err != CAPOS_OK)
            return fs_errno(err);
        fill_stat(st, r.stat);
        return 0;
    }
    if (last_valid && last_len == pr.len && memcmp(last_path, pr.path, pr.len) == 0) {
        fill_stat(st, last_res.stat);
        return 0;
    }
    capos_Directory_lstat_results r;
    long e = entry_stat(pr.path, at - 1, pr.path + at, nl, &r);
    if (e < 0)
        return e;
    fill_stat(st, r.stat);
    return 0;
}

static long do_fstatat(long dirfd, const char *path, struct stat *st, long flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
        return -EINVAL;
    if ((flags & AT_EMPTY_PATH) && path && !*path)
        return sys_fstat(dirfd, (long)st, 0, 0, 0, 0);
    posix_lock(&fs_lock);
    long e = resolve(dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : PATH_FOLLOW);
    if (e == 0 && pr.kind == PATH_NONE)
        e = -ENOENT;
    if (e == 0)
        e = stat_resolved(st);
    posix_unlock(&fs_lock);
    return e;
}

long sys_stat(long path, long st, long a3, long a4, long a5, long a6)
{
    return do_fstatat(AT_FDCWD, (const char *)path, (struct stat *)st, 0);
}

long sys_lstat(long path, long st, long a3, long a4, long a5, long a6)
{
    return do_fstatat(AT_FDCWD, (const char *)path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(long dirfd, long path, long st, long flags, long a5, long a6)
{
    return do_fstatat(dirfd, (const char *)path, (struct stat *)st, flags);
}

static long do_access(long dirfd, const char *path, long mode, long flags)
{
    if (mode & ~(long)(R_OK | W_OK | X_OK) ||
        flags & ~(long)(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
        return -EINVAL;
    posix_lock(&fs_lock);
    long e = resolve(dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : PATH_FOLLOW);
    if (e == 0 && pr.kind == PATH_NONE)
        e = -ENOENT;
    posix_unlock(&fs_lock);
    return e;
}

long posix_path_exists(long dirfd, const char *path)
{
    return do_access(dirfd, path, 0, 0);
}

long sys_access(long path, long mode, long a3, long a4, long a5, long a6)
{
    return do_access(AT_FDCWD, (const char *)path, mode, 0);
}

long sys_faccessat(long dirfd, long path, long mode, long flags, long a5, long a6)
{
    return do_access(dirfd, (const char *)path, mode, flags);
}

/* ---- open ---- */

static long open_dev(int idx, long flags)
{
    static const uint8_t kinds[] = {OFD_DEV_NULL, OFD_DEV_ZERO, OFD_DEV_RANDOM, OFD_DEV_RANDOM};
    if (idx == 4 && !posix_caps.tty)
        return -ENXIO; /* /dev/tty: no controlling terminal */
    if (idx == 4) {
        struct ofd *t = ofd_new(OFD_TTY, O_RDWR, posix_caps.tty);
        return t ? fd_install(t, 0, flags & O_CLOEXEC) : -ENFILE;
    }
    if (idx >= 5)
        return sys_dup(idx - 5, 0, 0, 0, 0, 0);
    struct ofd *o = ofd_new((enum ofd_kind)kinds[idx], (uint32_t)flags & (O_ACCMODE | O_APPEND), 0);
    return o ? fd_install(o, 0, flags & O_CLOEXEC) : -ENFILE;
}

static long open_dir(long flags)
{
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
        return -EISDIR;
    char *copy = malloc(pr.len + 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, pr.path, pr.len + 1);
    struct ofd *o = ofd_new(OFD_DIR, O_RDONLY | O_DIRECTORY, 0);
    if (!o) {
        free(copy);
        return -ENFILE;
    }
    o->path = copy;
    o->path_len = pr.len;
    return fd_install(o, 0, flags & O_CLOEXEC);
}

static long do_open(long dirfd, const char *path, long flags, long mode)
{
    int acc = (int)(flags & O_ACCMODE);
    if (acc == 3)
        return -EINVAL;
    posix_lock(&fs_lock);
    /* O_CREAT|O_EXCL never follows a last link: the link exists. */
    bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
    /* Not for O_DIRECTORY (opendir): an lstat is cheaper than handing
     * out a directory capability. */
    intent = (struct open_intent){.on = !(flags & (O_TRUNC | O_DIRECTORY)),
                                  .create = flags & O_CREAT,
                                  .exclusive = flags & O_EXCL,
                                  .read_only = acc == O_RDONLY,
                                  .mode = (uint32_t)mode & ~umask_bits & 07777};
    long e = resolve(dirfd, path, flags & O_NOFOLLOW || excl ? 0 : PATH_FOLLOW);
    intent.on = false;
    uint32_t nl, at = 0;
    if (e < 0)
        goto out;
    if (excl && pr.kind != PATH_NONE && !intent.file) {
        e = -EEXIST;
        goto out;
    }
    if (pr.kind == PATH_LINK) {
        e = -ELOOP;
        goto out;
    }
    if (pr.kind == PATH_DIR) {
        e = open_dir(flags);
        goto out;
    }
    if (pr.kind == PATH_NONE && !(flags & O_CREAT)) {
        e = -ENOENT;
        goto out;
    }
    if (pr.kind == PATH_NONE && pr.trailing_slash) {
        e = -EISDIR;
        goto out;
    }
    if (flags & O_DIRECTORY) {
        e = pr.kind == PATH_NONE ? -ENOENT : -ENOTDIR;
        goto out;
    }
    at = last_name(&nl);
    if (at && is_dev_dir(pr.path, at - 1)) {
        e = open_dev(dev_index(pr.path + at, nl), flags);
        goto out;
    }
    /* The file lookup opened, else a Directory.open now. */
    capos_Directory_open_results r = {.file = intent.file};
    intent.file = 0;
    if (!r.file) {
        uint32_t dcap;
        if ((e = dir_cap(pr.path, at - 1, &dcap)) < 0)
            goto out;
        int err = capos_Directory_open_call(
            dcap,
            &(capos_Directory_open_args){.name = txt(pr.path + at, nl),
                                         .create = flags & O_CREAT,
                                         .exclusive = flags & O_EXCL,
                                         .truncate = (flags & O_TRUNC) && acc != O_RDONLY,
                                         .readOnly = acc == O_RDONLY,
                                         .mode = (uint32_t)mode & ~umask_bits & 07777},
            &r, NULL);
        if (err != CAPOS_OK) {
            e = fs_errno(err);
            goto out;
        }
        if (r.file == CAPNP_NO_CAP || r.file == 0) {
            /* Changed under us: a directory or a link where a file was. */
            if (r.directory && r.directory != CAPNP_NO_CAP)
                capos_release(r.directory);
            e = -EAGAIN;
            goto out;
        }
    }
    struct ofd *o =
        ofd_new(OFD_FILE, (uint32_t)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK), r.file);
    if (!o) {
        capos_release(r.file);
        e = -ENFILE;
        goto out;
    }
    *ofd_pos(o) = 0;
    e = fd_install(o, 0, flags & O_CLOEXEC);
out:
    if (intent.file)
        capos_release(intent.file); /* opened, but the open failed after */
    intent.file = 0;
    posix_unlock(&fs_lock);
    return e;
}

long sys_open(long path, long flags, long mode, long a4, long a5, long a6)
{
    return do_open(AT_FDCWD, (const char *)path, flags, mode);
}

long sys_openat(long dirfd, long path, long flags, long mode, long a5, long a6)
{
    return do_open(dirfd, (const char *)path, flags, mode);
}

long sys_creat(long path, long mode, long a3, long a4, long a5, long a6)
{
    return do_open(AT_FDCWD, (const char *)path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* ---- descriptors on files ---- */

static long file_io(struct ofd *o, const struct iovec *iov, int iovcnt, bool write,
                    const uint64_t *at)
{
    long done = 0;
    posix_lock(&fs_lock);
    uint64_t off = at ? *at : *ofd_pos(o);
    if (write && !at && (o->flags & O_APPEND)) {
        capos_File_size_results sr;
        int err = capos_File_size_call(o->cap, NULL, &sr, NULL);
        if (err != CAPOS_OK) {
            posix_unlock(&fs_lock);
            return fs_errno(err);
        }
        off = sr.size;
    }
    long e = 0;
    for (int i = 0; i < iovcnt && e == 0; i++) {
        char *p = iov[i].iov_base;
        size_t left = iov[i].iov_len;
        while (left) {
            uint32_t n = left > capos_maxFileIo ? capos_maxFileIo : (uint32_t)left;
            struct capos_rpc_opts op = opts();
            int err;
            uint32_t got;
            if (write) {
                capos_File_write_results wr;
                err = capos_File_write_call(
                    o->cap,
                    &(capos_File_write_args){.offset = off, .data = {(const uint8_t *)p, n}}, &wr,
                    &op);
                got = n;
            } else {
                capos_File_read_results rr;
                err = capos_File_read_call(
                    o->cap, &(capos_File_read_args){.offset = off, .count = n}, &rr, &op);
                got = err == CAPOS_OK ? rr.data.len : 0;
                if (got > n)
                    got = n;
                if (got)
                    memcpy(p, rr.data.ptr, got);
            }
            if (err != CAPOS_OK) {
                e = err == CAPOS_ERR_NOT_PERMITTED               ? -EBADF
                    : err == CAPOS_ERR_INVALID_ARGUMENT && write ? -EFBIG
                                                                 : fs_errno(err);
                break;
            }
            done += got;
            off += got;
            p += got;
            left -= got;
            if (got < n) {
                e = 1; /* end of file */
                break;
            }
        }
    }
    if (!at)
        *ofd_pos(o) = off;
    posix_unlock(&fs_lock);
    return done ? done : e < 0 ? e : 0;
}

long file_read(struct ofd *o, const struct iovec *iov, int iovcnt, const uint64_t *at)
{
    return file_io(o, iov, iovcnt, false, at);
}

long file_write(struct ofd *o, const struct iovec *iov, int iovcnt, const uint64_t *at)
{
    return file_io(o, iov, iovcnt, true, at);
}

long dev_read(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    long done = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (o->kind == OFD_DEV_NULL)
            return 0;
        if (o->kind == OFD_DEV_ZERO) {
            memset(iov[i].iov_base, 0, iov[i].iov_len);
            done += (long)iov[i].iov_len;
            continue;
        }
        long r = posix_random(iov[i].iov_base, iov[i].iov_len);
        if (r < 0)
            return done ? done : r;
        done += r;
    }
    return done;
}

long dev_write(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    long done = 0;
    (void)o;
    for (int i = 0; i < iovcnt; i++)
        done += (long)iov[i].iov_len;
    return done;
}

long file_lseek(struct ofd *o, long off, long whence)
{
    long r;
    if (o->kind == OFD_DEV_NULL || o->kind == OFD_DEV_ZERO || o->kind == OFD_DEV_RANDOM)
        return 0;
    posix_lock(&fs_lock);
    if (o->kind == OFD_DIR) {
        /* Only back to the start (rewinddir), or where telldir said. */
        r = whence == SEEK_SET && off >= 0 ? (long)(*ofd_pos(o) = (uint64_t)off) : -EINVAL;
        if (r >= 0)
            o->dents_len = o->dents_at = 0; /* the page read ahead is not there */
        posix_unlock(&fs_lock);
        return r;
    }
    int64_t base = 0;
    switch (whence) {
    case SEEK_SET: break;
    case SEEK_CUR: base = (int64_t)*ofd_pos(o); break;
    case SEEK_END: {
        capos_File_size_results sr;
        int err = capos_File_size_call(o->cap, NULL, &sr, NULL);
        if (err != CAPOS_OK) {
            posix_unlock(&fs_lock);
            return fs_errno(err);
        }
        base = (int64_t)sr.size;
        break;
    }
    default: posix_unlock(&fs_lock); return -EINVAL;
    }
    if ((off < 0 && base + off < 0) || (off > 0 && base > INT64_MAX - off)) {
        posix_unlock(&fs_lock);
        return -EINVAL;
    }
    *ofd_pos(o) = (uint64_t)(base + off);
    r = (long)*ofd_pos(o);
    posix_unlock(&fs_lock);
    return r;
}

long file_fstat(struct ofd *o, struct stat *st)
{
    long e = 0;
    if (o->kind == OFD_DEV_NULL || o->kind == OFD_DEV_ZERO || o->kind == OFD_DEV_RANDOM) {
        dev_stat(st, 2 + (uint64_t)(o->kind - OFD_DEV_NULL), false);
        return 0;
    }
    posix_lock(&fs_lock);
    struct capos_rpc_opts op = opts();
    if (o->kind == OFD_FILE) {
        capos_File_stat_results r;
        int err = capos_File_stat_call(o->cap, NULL, &r, &op);
        if (err == CAPOS_OK)
            fill_stat(st, r.stat);
        e = fs_errno(err);
    } else if (is_dev_dir(o->path, o->path_len)) {
        dev_stat(st, 1, true);
    } else {
        uint32_t cap;
        e = dir_cap(o->path, o->path_len, &cap);
        capos_Directory_stat_results r;
        int err = e == 0 ? capos_Directory_stat_call(cap, NULL, &r, &op) : CAPOS_OK;
        if (e == 0 && err == CAPOS_OK)
            fill_stat(st, r.stat);
        if (e == 0)
            e = fs_errno(err);
    }
    posix_unlock(&fs_lock);
    return e;
}

/* ---- getdents64 ---- */

struct dirent64_hdr {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
} __attribute__((packed));

/* The size of the record of a name of len bytes: header, name, NUL,
 * padding to 8. */
static size_t dirent_rec(uint32_t len)
{
    return (sizeof(struct dirent64_hdr) + len + 1 + 7) & ~(size_t)7;
}

/* Puts one record at buf+*used if it fits; false if not. */
static bool put_dirent(char *buf, size_t size, size_t *used, uint64_t ino, int64_t off,
                       uint8_t type, const char *name, uint32_t len)
{
    size_t rec = dirent_rec(len);
    if (rec > size - *used)
        return false;
    struct dirent64_hdr h = {ino, off, (uint16_t)rec, type};
    memcpy(buf + *used, &h, sizeof(h));
    memcpy(buf + *used + sizeof(h), name, len);
    memset(buf + *used + sizeof(h) + len, 0, rec - sizeof(h) - len);
    *used += rec;
    return true;
}

/*
 * Reads the page of directory o from its position into o->dents, as
 * getdents64 records.  A whole page of Directory.list (its largest) is
 * asked for and kept, so that listing a directory costs one call per
 * page however small the caller's buffer.  Under fs_lock.
 */
static long read_page(struct ofd *o, uint32_t cap)
{
    capos_Directory_listRecords_results r;
    struct capos_rpc_opts op = opts();
    int err = capos_Directory_listRecords_call(
        cap, &(capos_Directory_listRecords_args){.cursor = o->pos - 2, .max = capos_maxDirList}, &r,
        &op);
    if (err != CAPOS_OK)
        return fs_errno(err);
    uint64_t next = r.end ? UINT64_MAX : 2 + r.next;
    size_t used = 0, at = 0;
    struct fs_rec d;
    uint32_t n = 0;
    enum fs_rec_err re;
    while ((re = fs_rec_next(r.records.ptr, r.records.len, &at, &d)) == FS_REC_OK) {
        uint8_t type = d.kind == FS_REC_DIR ? 4 : d.kind == FS_REC_LINK ? 10 : 8;
        /* The last record's d_off is the page's next (the end, after it). */
        int64_t off = at < r.records.len ? (int64_t)(2 + d.next) : (int64_t)next;
        size_t rec = dirent_rec(d.name_len);
        if (rec > o->dents_cap - used) {
            /* Grown by doubling: a page of records is at most 128 of 288
             * bytes, so it ends at a few tens of KiB at worst. */
            size_t room = o->dents_cap ? 2 * (size_t)o->dents_cap : 4096;
            char *b = realloc(o->dents, room);
            if (!b)
                return -ENOMEM;
            o->dents = b;
            o->dents_cap = (uint32_t)room;
        }
        put_dirent(o->dents, o->dents_cap, &used, d.ino, off, type, d.name, d.name_len);
        n++;
    }
    if (re != FS_REC_END || n > capos_maxDirList)
        return -EIO; /* the service sent what is not a page of records */
    o->dents_len = (uint32_t)used;
    o->dents_at = 0;
    if (n == 0)
        o->pos = next;
    return 0;
}

/*
 * A directory's position: 0 before ".", 1 before "..", then 2 + the list
 * cursor of the next entry, and UINT64_MAX at the end.  Every record's
 * d_off is the position after it (its DirEntry's `next`, the page's for
 * the last), so telldir and seekdir start again after any entry.
 */
long sys_getdents64(long fd, long bufp, long count, long a4, long a5, long a6)
{
    char *buf = (char *)bufp;
    size_t size = (size_t)count, used = 0;
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    if (o->kind != OFD_DIR) {
        ofd_put(o);
        return -ENOTDIR;
    }
    posix_lock(&fs_lock);
    long e = 0;
    bool dev = is_dev_dir(o->path, o->path_len);
    uint32_t cap = 0;
    if (!dev)
        e = dir_cap(o->path, o->path_len, &cap);
    while (e == 0 && o->pos < 2) {
        if (!put_dirent(buf, size, &used, 1, (int64_t)o->pos + 1, 4 /* DT_DIR */, "..",
                        (uint32_t)(2 - (o->pos == 0))))
            goto full;
        o->pos++;
    }
    while (e == 0 && o->pos != UINT64_MAX) {
        if (dev) {
            uint64_t i = o->pos - 2;
            if (i >= NDEV) {
                o->pos = UINT64_MAX;
                break;
            }
            if (!put_dirent(buf, size, &used, 2 + i, (int64_t)o->pos + 1, 2 /* DT_CHR */,
                            dev_names[i], (uint32_t)strlen(dev_names[i])))
                goto full;
            o->pos++;
            continue;
        }
        if (o->dents_at == o->dents_len) {
            e = read_page(o, cap);
            continue;
        }
        /* The records that fit, in one copy. */
        uint32_t at = o->dents_at;
        while (at < o->dents_len) {
            struct dirent64_hdr h;
            memcpy(&h, o->dents + at, sizeof(h));
            if (h.d_reclen > size - used - (at - o->dents_at))
                break;
            at += h.d_reclen;
            o->pos = (uint64_t)h.d_off;
        }
        memcpy(buf + used, o->dents + o->dents_at, at - o->dents_at);
        used += at - o->dents_at;
        o->dents_at = at;
        if (at < o->dents_len)
            goto full;
    }
full:
    posix_unlock(&fs_lock);
    ofd_put(o);
    if (e < 0 && !used)
        return e;
    if (!used && o->pos != UINT64_MAX && size)
        return -EINVAL; /* not even one record fits */
    return (long)used;
}

/* ---- calls that change the tree ---- */

/* Resolves path (not following a last link) to an existing entry's
 * parent capability and name; -ENOENT for a missing one, -EBUSY for the
 * root or /dev itself.  Under fs_lock. */
static long entry_of(long dirfd, const char *path, uint32_t *dcap, uint32_t *at, uint32_t *nl)
{
    long e = resolve(dirfd, path, 0);
    if (e < 0)
        return e;
    if (pr.len == 0 || (pr.len >= 4 && memcmp(pr.path, "/dev", 4) == 0))
        return pr.kind == PATH_NONE ? -ENOENT : pr.len == 0 ? -EBUSY : -EACCES;
    *at = last_name(nl);
    return dir_cap(pr.path, *at - 1, dcap);
}

/* entry_of for a name to be made: EEXIST if it exists (the root
 * included). */
static long new_entry_of(long dirfd, const char *path, uint32_t *dcap, uint32_t *at, uint32_t *nl)
{
    long e = entry_of(dirfd, path, dcap, at, nl);
    return e == -EBUSY || (e == 0 && pr.kind != PATH_NONE) ? -EEXIST : e;
}

static long do_mkdir(long dirfd, const char *path, long mode)
{
    uint32_t dcap, at, nl;
    posix_lock(&fs_lock);
    long e = new_entry_of(dirfd, path, &dcap, &at, &nl);
    if (e == 0)
        e = fs_errno(capos_Directory_mkdir_call(
            dcap,
            &(capos_Directory_mkdir_args){.name = txt(pr.path + at, nl),
                                          .mode = (uint32_t)mode & ~umask_bits & 07777},
            NULL, NULL));
    posix_unlock(&fs_lock);
    return e;
}

long sys_mkdir(long path, long mode, long a3, long a4, long a5, long a6)
{
    return do_mkdir(AT_FDCWD, (const char *)path, mode);
}

long sys_mkdirat(long dirfd, long path, long mode, long a4, long a5, long a6)
{
    return do_mkdir(dirfd, (const char *)path, mode);
}

static long do_unlink(long dirfd, const char *path, long flags)
{
    uint32_t dcap, at, nl;
    bool dir = flags & AT_REMOVEDIR;
    if (flags & ~(long)AT_REMOVEDIR)
        return -EINVAL;
    posix_lock(&fs_lock);
    long e = entry_of(dirfd, path, &dcap, &at, &nl);
    if (e == 0 && pr.kind == PATH_NONE)
        e = -ENOENT;
    else if (e == 0 && dir && pr.kind != PATH_DIR)
        e = -ENOTDIR;
    else if (e == 0 && !dir && (pr.kind == PATH_DIR || pr.trailing_slash))
        e = pr.kind == PATH_DIR ? -EISDIR : -ENOTDIR;
    else if (e == 0 && dir && pr.name_off == pr.len)
        e = -EINVAL; /* rmdir of "." or "..", as Linux */
    if (e == 0) {
        e = fs_errno(capos_Directory_remove_call(
            dcap, &(capos_Directory_remove_args){.name = txt(pr.path + at, nl)}, NULL, NULL));
        if (dir)
            forget_kept();
    }
    posix_unlock(&fs_lock);
    return e;
}

long sys_unlink(long path, long a2, long a3, long a4, long a5, long a6)
{
    return do_unlink(AT_FDCWD, (const char *)path, 0);
}

long sys_rmdir(long path, long a2, long a3, long a4, long a5, long a6)
{
    return do_unlink(AT_FDCWD, (const char *)path, AT_REMOVEDIR);
}

long sys_unlinkat(long dirfd, long path, long flags, long a4, long a5, long a6)
{
    return do_unlink(dirfd, (const char *)path, flags);
}

static long do_rename(long odir, const char *old, long ndir, const char *new_, long flags)
{
    static char from[PATH_MAX_LEN];
    uint32_t ocap, dcap, at, nl, from_at, from_nl, from_len;
    enum path_kind from_kind;
    if (flags)
        return -EINVAL;
    if (!new_)
        return -EFAULT;
    posix_lock(&fs_lock);
    long e = entry_of(odir, old, &ocap, &at, &nl);
    if (e == 0 && pr.kind == PATH_NONE)
        e = -ENOENT;
    if (e < 0)
        goto out;
    from_kind = pr.kind;
    from_len = pr.len;
    from_at = at;
    from_nl = nl;
    memcpy(from, pr.path, pr.len + 1);
    kept_pinned = ocap; /* resolving the destination must not drop it */
    e = entry_of(ndir, new_, &dcap, &at, &nl);
    kept_pinned = 0;
    if (e == -EBUSY)
        e = -EEXIST;
    if (e < 0)
        goto out;
    if (pr.trailing_slash && from_kind != PATH_DIR) {
        e = -ENOTDIR;
        goto out;
    }
    /* A directory into itself or below it. */
    if (from_kind == PATH_DIR && pr.len > from_len && memcmp(pr.path, from, from_len) == 0 &&
        pr.path[from_len] == '/') {
        e = -EINVAL;
        goto out;
    }
    if (from_at == at && memcmp(from, pr.path, at) == 0) {
        e = fs_errno(capos_Directory_rename_call(
            dcap,
            &(capos_Directory_rename_args){.from = txt(from + from_at, from_nl),
                                           .to = txt(pr.path + at, nl)},
            NULL, NULL));
    } else {
        /* Into another directory: the service recognises its own
         * capability for it (sent as a copy; ours stays kept). */
        struct capos_xfer x = {.cap = dcap, .mode = CAPOS_XFER_COPY};
        struct capos_rpc_opts o = {.xfer = &x, .nxfer = 1};
        e = fs_errno(capos_Directory_move_call(
            ocap,
            &(capos_Directory_move_args){
                .from = txt(from + from_at, from_nl), .to = txt(pr.path + at, nl), .toDir = 0},
            NULL, &o));
    }
    forget_kept();
out:
    posix_unlock(&fs_lock);
    return e;
}

long sys_rename(long old, long new_, long a3, long a4, long a5, long a6)
{
    return do_rename(AT_FDCWD, (const char *)old, AT_FDCWD, (const char *)new_, 0);
}

long sys_renameat(long odir, long old, long ndir, long new_, long a5, long a6)
{
    return do_rename(odir, (const char *)old, ndir, (const char *)new_, 0);
}

long sys_renameat2(long odir, long old, long ndir, long new_, long flags, long a6)
{
    return do_rename(odir, (const char *)old, ndir, (const char *)new_, flags);
}

static long do_symlink(const char *target, long dirfd, const char *path)
{
    uint32_t dcap, at, nl;
    if (!target)
        return -EFAULT;
    size_t tl = strnlen(target, PATH_MAX_LEN);
    if (tl == 0)
        return -ENOENT;
    if (tl >= PATH_MAX_LEN)
        return -ENAMETOOLONG;
    posix_lock(&fs_lock);
    long e = new_entry_of(dirfd, path, &dcap, &at, &nl);
    if (e == 0)
        e = fs_errno(capos_Directory_symlink_call(
            dcap,
            &(capos_Directory_symlink_args){.name = txt(pr.path + at, nl),
                                            .target = txt(target, (uint32_t)tl)},
            NULL, &(struct capos_rpc_opts){.arena = msg_arena, .arena_len = sizeof(msg_arena)}));
    posix_unlock(&fs_lock);
    return e;
}

long sys_symlink(long target, long path, long a3, long a4, long a5, long a6)
{
    return do_symlink((const char *)target, AT_FDCWD, (const char *)path);
}

long sys_symlinkat(long target, long dirfd, long path, long a4, long a5, long a6)
{
    return do_symlink((const char *)target, dirfd, (const char *)path);
}

static long do_readlink(long dirfd, const char *path, char *buf, long size)
{
    uint32_t dcap, at, nl;
    if (size <= 0)
        return -EINVAL;
    posix_lock(&fs_lock);
    long e = entry_of(dirfd, path, &dcap, &at, &nl);
    if (e == -EBUSY || e == -EACCES)
        e = -EINVAL;
    if (e == 0 && pr.kind != PATH_LINK)
        e = pr.kind == PATH_NONE ? -ENOENT : -EINVAL;
    if (e == 0) {
        capos_Directory_lstat_results r;
        e = entry_stat(pr.path, at - 1, pr.path + at, nl, &r);
        if (e == 0) {
            e = r.target.len < (uint64_t)size ? (long)r.target.len : size;
            memcpy(buf, r.target.str, (size_t)e);
        }
    }
    posix_unlock(&fs_lock);
    return e;
}

long sys_readlink(long path, long buf, long size, long a4, long a5, long a6)
{
    return do_readlink(AT_FDCWD, (const char *)path, (char *)buf, size);
}

long sys_readlinkat(long dirfd, long path, long buf, long size, long a5, long a6)
{
    return do_readlink(dirfd, (const char *)path, (char *)buf, size);
}

/* ---- the working directory ---- */

long sys_chdir(long path, long a2, long a3, long a4, long a5, long a6)
{
    posix_lock(&fs_lock);
    long e = resolve(AT_FDCWD, (const char *)path, PATH_FOLLOW);
    if (e == 0 && pr.kind != PATH_DIR)
        e = pr.kind == PATH_NONE ? -ENOENT : -ENOTDIR;
    if (e == 0) {
        memcpy(cwd, pr.path, pr.len);
        cwd_len = pr.len;
    }
    posix_unlock(&fs_lock);
    return e;
}

long sys_fchdir(long fd, long a2, long a3, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    long e = -ENOTDIR;
    if (o->kind == OFD_DIR) {
        posix_lock(&fs_lock);
        memcpy(cwd, o->path, o->path_len);
        cwd_len = o->path_len;
        posix_unlock(&fs_lock);
        e = 0;
    }
    ofd_put(o);
    return e;
}

long sys_getcwd(long buf, long size, long a3, long a4, long a5, long a6)
{
    char *b = (char *)buf;
    posix_lock(&fs_lock);
    uint32_t need = cwd_len ? cwd_len + 1 : 2;
    long e = (unsigned long)size < need ? -ERANGE : (long)need;
    if (e > 0) {
        if (cwd_len)
            memcpy(b, cwd, cwd_len);
        else
            b[0] = '/';
        b[need - 1] = 0;
    }
    posix_unlock(&fs_lock);
    return e;
}

long sys_umask(long mask, long a2, long a3, long a4, long a5, long a6)
{
    return (long)__atomic_exchange_n(&umask_bits, (unsigned)mask & 0777, __ATOMIC_RELAXED);
}

/* ---- sizes, sync, attributes ---- */

long sys_ftruncate(long fd, long len, long a3, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    long e = len < 0 ? -EINVAL : 0;
    if (e == 0 && (o->kind != OFD_FILE || (o->flags & O_ACCMODE) == O_RDONLY))
        e = o->kind == OFD_DIR ? -EISDIR : -EINVAL;
    if (e == 0) {
        posix_lock(&fs_lock);
        int err = capos_File_truncate_call(
            o->cap, &(capos_File_truncate_args){.size = (uint64_t)len}, NULL, NULL);
        posix_unlock(&fs_lock);
        e = err == CAPOS_ERR_INVALID_ARGUMENT ? -EFBIG : fs_errno(err);
    }
    ofd_put(o);
    return e;
}

long sys_truncate(long path, long len, long a3, long a4, long a5, long a6)
{
    if (len < 0)
        return -EINVAL;
    long fd = do_open(AT_FDCWD, (const char *)path, O_WRONLY, 0);
    if (fd == -EISDIR)
        return -EISDIR;
    if (fd < 0)
        return fd;
    long e = sys_ftruncate(fd, len, 0, 0, 0, 0);
    sys_close(fd, 0, 0, 0, 0, 0);
    return e;
}

long sys_fsync(long fd, long a2, long a3, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    long e = 0;
    if (o->kind == OFD_FILE) {
        posix_lock(&fs_lock);
        e = fs_errno(capos_File_sync_call(o->cap, NULL, NULL, NULL));
        posix_unlock(&fs_lock);
    } else if (o->kind != OFD_DIR) {
        e = -EINVAL; /* a console or a pipe cannot be synced */
    }
    ofd_put(o);
    return e;
}

/* The attribute changes of File.setAttr and Directory.setAttr, which share
 * them field for field (two generated argument types, one initializer). */
#define SET_ATTR_FIELDS                                                                            \
    .setMode = set_mode, .mode = mode, .setAtime = sa, .atimeNs = a, .setMtime = sm, .mtimeNs = m

/* setAttr on what (dirfd, path) names, or on fd itself for a NULL path. */
static long set_attr(long dirfd, const char *path, bool follow, bool set_mode, uint32_t mode,
                     bool sa, uint64_t a, bool sm, uint64_t m)
{
    long e;
    if (!path) {
        struct ofd *o = fd_get((int)dirfd);
        if (!o)
            return -EBADF;
        e = -EINVAL;
        if (o->kind == OFD_FILE) {
            posix_lock(&fs_lock);
            e = fs_errno(capos_File_setAttr_call(
                o->cap, &(capos_File_setAttr_args){SET_ATTR_FIELDS}, NULL, NULL));
            posix_unlock(&fs_lock);
            if (e == -EACCES)
                e = -EPERM; /* a read-only facet changes nothing, its attributes neither */
        }
        ofd_put(o);
        return e;
    }
    posix_lock(&fs_lock);
    e = resolve(dirfd, path, follow ? PATH_FOLLOW : 0);
    if (e == 0 && pr.kind == PATH_NONE)
        e = -ENOENT;
    if (e == 0 && pr.len == 0)
        e = -EACCES; /* the root's own entry is not ours to change */
    if (e == 0) {
        uint32_t nl, at = last_name(&nl), dcap;
        e = at && is_dev_dir(pr.path, at - 1) ? 0 : dir_cap(pr.path, at - 1, &dcap);
        if (e == 0 && !(at && is_dev_dir(pr.path, at - 1)))
            e = fs_errno(capos_Directory_setAttr_call(
                dcap,
                &(capos_Directory_setAttr_args){.name = txt(pr.path + at, nl), SET_ATTR_FIELDS},
                NULL, NULL));
    }
    posix_unlock(&fs_lock);
    return e;
}

long sys_chmod(long path, long mode, long a3, long a4, long a5, long a6)
{
    return set_attr(AT_FDCWD, (const char *)path, true, true, (uint32_t)mode & 07777, false, 0,
                    false, 0);
}

long sys_fchmod(long fd, long mode, long a3, long a4, long a5, long a6)
{
    return set_attr(fd, NULL, true, true, (uint32_t)mode & 07777, false, 0, false, 0);
}

long sys_fchmodat(long dirfd, long path, long mode, long flags, long a5, long a6)
{
    if (!path)
        return -EFAULT;
    return set_attr(dirfd, (const char *)path, true, true, (uint32_t)mode & 07777, false, 0, false,
                    0);
}

/* A utimensat time: *set and the nanoseconds, now for UTIME_NOW. */
static long time_of(const struct timespec *t, uint64_t now, bool *set, uint64_t *ns)
{
    *set = true;
    if (!t || t->tv_nsec == UTIME_NOW) {
        *ns = now;
        return 0;
    }
    if (t->tv_nsec == UTIME_OMIT) {
        *set = false;
        return 0;
    }
    if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000 || t->tv_sec < 0)
        return -EINVAL;
    *ns = (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
    return 0;
}

long sys_utimensat(long dirfd, long path, long times, long flags, long a5, long a6)
{
    const struct timespec *t = (const struct timespec *)times;
    struct timespec now_ts = {0};
    bool sa, sm;
    uint64_t a = 0, m = 0;
    if (flags & ~(long)AT_SYMLINK_NOFOLLOW)
        return -EINVAL;
    if (posix_clock(CLOCK_REALTIME, &now_ts) < 0)
        now_ts = (struct timespec){0};
    uint64_t now = (uint64_t)now_ts.tv_sec * 1000000000u + (uint64_t)now_ts.tv_nsec;
    long e = time_of(t ? &t[0] : NULL, now, &sa, &a);
    if (e == 0)
        e = time_of(t ? &t[1] : NULL, now, &sm, &m);
    if (e < 0)
        return e;
    return set_attr(dirfd, (const char *)path, !(flags & AT_SYMLINK_NOFOLLOW), false, 0, sa, a, sm,
                    m);
}
