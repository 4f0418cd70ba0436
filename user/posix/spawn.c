/*
 * posix_spawn and posix_spawnp: starting a program from its file, and
 * execve, execveat and fexecve: replacing this process's program with one
 * (docs/processes.md).  musl's posix_spawn comes here (ports/musl, patch
 * 0004) instead of cloning a child that would exec.  Both find, read and
 * hand over a program the same way; exec is described at posix_exec.
 *
 * The child's start is worked out here, in the parent, before anything is
 * started: its fd table (a copy of the parent's that only holds
 * references, so the parent's own table never changes, with the file
 * actions applied in the order they were added, and then the descriptors
 * with FD_CLOEXEC left out), its working directory (the parent's, then the chdir and
 * fchdir actions), and its program: the path resolved against that
 * directory (posix_spawnp searches PATH for a name without a slash), the
 * file read whole into memory, and a "#!" line resolved to its
 * interpreter with at most one argument.  The image goes to the kernel
 * with ProcessSpawner.spawnImage, which copies and checks it.
 *
 * The child receives: a fresh set of the kernel objects the parent holds
 * (timer, entropy, memory, threads, park, pipes), copies of the parent's
 * "root" and "spawner", and for each fd it inherits the capability behind
 * it as "fdN", described by the inheritance list (POSIX_FDS_ENV, read by
 * fd.c at start-up); its working directory travels as CAPOS_POSIX_CWD and
 * a POSIX_SPAWN_SETSIGMASK mask as POSIX_SIGMASK_ENV.  A description two
 * inherited fds share stays one description in the child.  A file's
 * offset is copied, not shared (the child moving it does not move the
 * parent's): sharing would need a file description object outside both
 * processes.
 *
 * Errors are returned, as posix_spawn does, as Linux reports them: ENOENT,
 * ENOTDIR, EACCES (not a regular file with an execute bit, or a directory),
 * ENOEXEC (not an ELF the kernel runs, or a "#!" whose interpreter is a
 * script), E2BIG (over 64 argv or environment strings, or the CapSet's 16
 * KiB), ENOMEM, EMFILE (more than 14 distinct capabilities behind the
 * inherited fds: a call carries at most 16), EPERM (no "spawner"), EAGAIN
 * (POSIX_CHILD_MAX children not yet waited for), and ENOSYS for the
 * attributes that need process groups or sessions, which do not exist yet
 * (POSIX_SPAWN_SETPGROUP, POSIX_SPAWN_SETSID) or scheduling a child
 * (POSIX_SPAWN_SETSCHEDPARAM, POSIX_SPAWN_SETSCHEDULER).
 * Signals the parent ignores stay ignored in the child (POSIX_SIGIGN_ENV)
 * unless POSIX_SPAWN_SETSIGDEF names them; caught ones start at their
 * default.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capos.h"
#include "capos.rpc.h"
#include "fd.h"
#include "inherit/inherit.h"
#include "posix.h"

/* musl's file actions (src/process/fdop.h): posix_spawn_file_actions_add*
 * push each onto the front of this list, so the oldest is last. */
struct fdop {
    struct fdop *next, *prev;
    int cmd, fd, srcfd, oflag;
    mode_t mode;
    char path[];
};
#define FDOP_CLOSE      1
#define FDOP_DUP2       2
#define FDOP_OPEN       3
#define FDOP_CHDIR      4
#define FDOP_FCHDIR     5

#define SPAWN_PATH_MAX  4096
#define SPAWN_IMAGE_MAX (16u << 20) /* ProcessSpawner.spawnImage's limit */
#define SPAWN_ARGS_MAX  64          /* maxSpawnArgs: argv, and env */
#define SPAWN_XFER_MAX  16          /* CAPOS_MAX_XFER */
#define SPAWN_HASHBANG  256         /* the most of a "#!" line read, as Linux */
#define SPAWN_MSG_BYTES (24 * 1024) /* room for a CapSet's worth of strings */
#define SPAWN_KNOWN_FLAGS                                                                          \
    (POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |                        \
     POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER |               \
     POSIX_SPAWN_USEVFORK | POSIX_SPAWN_SETSID)

/* One spawn's state: the child's fd table and working directory as the
 * file actions leave them, and the program read. */
struct spawn {
    struct ofd *fds[POSIX_FD_MAX];
    bool cloexec[POSIX_FD_MAX]; /* closed when the program starts */
    char cwd[SPAWN_PATH_MAX];
    char prog[SPAWN_PATH_MAX];   /* the file started (after "#!": the interpreter) */
    char script[SPAWN_PATH_MAX]; /* the program's path as given, or as found on PATH */
    uint8_t *image;              /* image_cap bytes, kept from one spawn to the next */
    size_t image_len, image_cap;
    const char *interp_argv[3]; /* interpreter, its argument, the script */
    unsigned interp_argc;
    char interp[SPAWN_HASHBANG], interp_arg[SPAWN_HASHBANG];
    char abs[SPAWN_PATH_MAX];
    char at[SPAWN_PATH_MAX]; /* execveat: the path made from its directory's */
    /* execve: the children not yet reaped, whose handles the new program
     * gets as "child<pid>" (none for posix_spawn). */
    int child_pids[POSIX_CHILD_MAX];
    uint32_t child_handles[POSIX_CHILD_MAX];
    char child_names[POSIX_CHILD_MAX][CAPOS_CAPSET_NAME_MAX];
    unsigned nchildren;
    char children_env[POSIX_CHILD_MAX * 12 + 32];
    char fds_env[8192];
    uint64_t arena[SPAWN_MSG_BYTES / 8];
};

/* One spawn at a time, in this state: its buffers, the image's above all,
 * stay mapped from one spawn to the next instead of being allocated and
 * faulted in afresh each time (an image of more than SPAWN_IMAGE_KEEP
 * bytes is given back). */
#define SPAWN_IMAGE_KEEP (1u << 20)
static struct posix_lock spawn_lock;

void posix_spawn_forked(void)
{
    spawn_lock.state = 0;
}
static struct spawn spawn_state;

/* path made absolute against dir (when relative) into out; 0 or -errno. */
static int spawn_abs(const char *dir, const char *path, char *out)
{
    size_t pl = strlen(path);
    if (pl == 0)
        return -ENOENT;
    if (path[0] == '/') {
        if (pl >= SPAWN_PATH_MAX)
            return -ENAMETOOLONG;
        memcpy(out, path, pl + 1);
        return 0;
    }
    size_t dl = strlen(dir);
    if (dl + 1 + pl >= SPAWN_PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(out, dir, dl);
    out[dl] = '/';
    memcpy(out + dl + 1, path, pl + 1);
    return 0;
}

static void spawn_release(struct spawn *s)
{
    for (int i = 0; i < POSIX_FD_MAX; i++) {
        if (s->fds[i])
            ofd_put(s->fds[i]);
        s->fds[i] = NULL;
    }
    if (s->image_cap > SPAWN_IMAGE_KEEP) {
        free(s->image);
        s->image = NULL;
        s->image_cap = 0;
    }
}

/* s->image with room for `want` bytes, the first `keep` kept; 0 or
 * -ENOMEM. */
static int spawn_room(struct spawn *s, size_t want, size_t keep)
{
    if (want <= s->image_cap)
        return 0;
    uint8_t *b = malloc(want);
    if (!b)
        return -ENOMEM;
    memcpy(b, s->image, keep);
    free(s->image);
    s->image = b;
    s->image_cap = want;
    return 0;
}

/* The file actions, oldest first, on the child's table and directory. */
static int spawn_actions(struct spawn *s, const posix_spawn_file_actions_t *fa)
{
    struct fdop *op = fa ? fa->__actions : NULL;
    char *abs = s->prog; /* scratch until the program is looked up */
    while (op && op->next)
        op = op->next;
    for (; op; op = op->prev) {
        bool has_fd = op->cmd != FDOP_CHDIR;
        if (has_fd && (op->fd < 0 || op->fd >= POSIX_FD_MAX))
            return -EBADF;
        struct ofd **slot = has_fd ? &s->fds[op->fd] : NULL;
        switch (op->cmd) {
        case FDOP_CLOSE:
            /* As the child's close(2) would, ignoring an fd not open. */
            if (*slot)
                ofd_put(*slot);
            *slot = NULL;
            break;
        case FDOP_DUP2: {
            if (op->srcfd < 0 || op->srcfd >= POSIX_FD_MAX || !s->fds[op->srcfd])
                return -EBADF;
            s->cloexec[op->fd] = false; /* even onto itself */
            if (op->srcfd == op->fd)
                break;
            struct ofd *o = s->fds[op->srcfd];
            ofd_ref(o);
            if (*slot)
                ofd_put(*slot);
            *slot = o;
            break;
        }
        case FDOP_OPEN: {
            long r = spawn_abs(s->cwd, op->path, abs);
            if (r == 0)
                r = sys_openat(AT_FDCWD, (long)abs, op->oflag | O_CLOEXEC, op->mode, 0, 0);
            if (r < 0)
                return (int)r;
            struct ofd *o = fd_get((int)r);
            sys_close(r, 0, 0, 0, 0, 0);
            if (*slot)
                ofd_put(*slot);
            *slot = o;
            s->cloexec[op->fd] = (op->oflag & O_CLOEXEC) != 0;
            break;
        }
        case FDOP_CHDIR: {
            struct stat st;
            long r = spawn_abs(s->cwd, op->path, abs);
            if (r == 0)
                r = sys_newfstatat(AT_FDCWD, (long)abs, (long)&st, 0, 0, 0);
            if (r < 0)
                return (int)r;
            if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
            memcpy(s->cwd, abs, strlen(abs) + 1);
            break;
        }
        case FDOP_FCHDIR: {
            struct ofd *o = *slot;
            if (!o)
                return -EBADF;
            if (o->kind != OFD_DIR || !o->path)
                return -ENOTDIR;
            if (o->path_len >= SPAWN_PATH_MAX)
                return -ENAMETOOLONG;
            memcpy(s->cwd, o->path, o->path_len);
            s->cwd[o->path_len] = '\0';
            if (o->path_len == 0)
                strcpy(s->cwd, "/");
            break;
        }
        default: return -EINVAL;
        }
    }
    return 0;
}

/* How much of an image of `size` bytes whose first `have` bytes are at
 * `head` the kernel reads: an ELF's headers, program headers and what its
 * segments load and note (it never reads section headers, so the debug
 * information and symbol tables a static program ends with need not be
 * read and copied); anything else, or an ELF whose headers do not say,
 * whole.  This only sizes the read: the kernel checks the image. */
static size_t spawn_extent(const uint8_t *head, size_t have, size_t size)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)head;
    if (have < sizeof(*eh) || memcmp(head, ELFMAG, SELFMAG) != 0 ||
        eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > have ||
        eh->e_phnum > (have - eh->e_phoff) / sizeof(Elf64_Phdr))
        return size;
    uint64_t end = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    const uint8_t *ph = head + eh->e_phoff;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr p;
        memcpy(&p, ph + i * sizeof(p), sizeof(p));
        if (p.p_offset > size || p.p_filesz > size - p.p_offset)
            return size; /* the kernel refuses it, having read it all */
        if (p.p_offset + p.p_filesz > end)
            end = p.p_offset + p.p_filesz;
    }
    return end < size ? (size_t)end : size;
}

/* Reads the file open as fd into s->image (as much of it as spawn_extent
 * says), from its start and without moving its offset; 0 or -errno. */
static int spawn_read_fd(struct spawn *s, long fd)
{
    struct stat st;
    long r = sys_fstat(fd, (long)&st, 0, 0, 0, 0);
    if (r == 0 && !S_ISREG(st.st_mode))
        r = -EACCES;
    else if (r == 0 && !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
        r = -EACCES;
    else if (r == 0 && st.st_size == 0)
        r = -ENOEXEC;
    size_t size = r == 0 ? (size_t)st.st_size : 0, want = size < 4096 ? size : 4096, got = 0;
    if (r == 0)
        r = spawn_room(s, want, 0);
    for (bool sized = false; r == 0 && got < want;) {
        long n = sys_pread(fd, (long)(s->image + got), (long)(want - got), (long)got, 0, 0);
        if (n <= 0) {
            r = n < 0 ? n : -ENOEXEC; /* shrank under us: not a whole image */
            break;
        }
        got += (size_t)n;
        if (got == want && !sized) {
            /* The headers are in: the rest of what the kernel reads. */
            sized = true;
            want = spawn_extent(s->image, got, size);
            r = want > SPAWN_IMAGE_MAX ? -ENOMEM : spawn_room(s, want, got);
        }
    }
    s->image_len = r < 0 ? 0 : got;
    return (int)r;
}

/* Reads the file at absolute path p into s->image; 0 or -errno. */
static int spawn_read(struct spawn *s, const char *p)
{
    long fd = sys_openat(AT_FDCWD, (long)p, O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return fd == -EISDIR ? -EACCES : (int)fd;
    int r = spawn_read_fd(s, fd);
    sys_close(fd, 0, 0, 0, 0, 0);
    return r;
}

/* A "#!" image: its interpreter and optional argument (the first line,
 * at most SPAWN_HASHBANG bytes, as Linux reads it), which is read in the
 * image's place, with the script's path (s->script: as the caller gave
 * it, or as the PATH search made it) after them in argv. */
static int spawn_hashbang(struct spawn *s)
{
    size_t n = s->image_len < SPAWN_HASHBANG ? s->image_len : SPAWN_HASHBANG;
    char line[SPAWN_HASHBANG + 1];
    memcpy(line, s->image + 2, n - 2);
    line[n - 2] = '\0';
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    else if (s->image_len > SPAWN_HASHBANG)
        return -ENOEXEC; /* a first line longer than Linux reads */
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    char *name = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (p == name)
        return -ENOEXEC;
    if (*p)
        *p++ = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    strcpy(s->interp, name);
    strcpy(s->interp_arg, p);
    s->interp_argc = 0;
    s->interp_argv[s->interp_argc++] = s->interp;
    if (*s->interp_arg)
        s->interp_argv[s->interp_argc++] = s->interp_arg;
    s->interp_argv[s->interp_argc++] = s->script;
    int r = spawn_abs(s->cwd, s->interp, s->prog);
    if (r == 0)
        r = spawn_read(s, s->prog);
    if (r == 0 && s->image_len >= 2 && s->image[0] == '#' && s->image[1] == '!')
        r = -ENOEXEC; /* an interpreter that is itself a script */
    return r;
}

/* What the image read is: a "#!" script (its interpreter read in its
 * place), an ELF (for the kernel to check), or -ENOEXEC. */
static int spawn_classify(struct spawn *s)
{
    s->interp_argc = 0;
    if (s->image_len >= 2 && s->image[0] == '#' && s->image[1] == '!')
        return spawn_hashbang(s);
    if (s->image_len < 4 || memcmp(s->image, "\177ELF", 4) != 0)
        return -ENOEXEC;
    return 0;
}

/* Looks up and reads the program `path` names (for execvp's rules, `search`
 * PATH when it has no slash); 0 or -errno. */
static int spawn_find(struct spawn *s, const char *path, bool search)
{
    char *abs = s->abs;
    int r;
    if (!*path) {
        r = -ENOENT;
    } else if (!search || strchr(path, '/')) {
        r = spawn_abs(s->cwd, path, abs);
        if (r == 0)
            r = spawn_read(s, abs);
        if (r == 0 && strlen(path) < sizeof(s->script))
            strcpy(s->script, path);
    } else {
        const char *dirs = getenv("PATH");
        bool denied = false;
        if (!dirs)
            dirs = "/usr/local/bin:/bin:/usr/bin";
        r = -ENOENT;
        for (const char *d = dirs;; d++) {
            const char *e = strchrnul(d, ':');
            size_t dl = (size_t)(e - d);
            char *cand = s->prog; /* scratch */
            if (dl + 1 + strlen(path) < SPAWN_PATH_MAX) {
                memcpy(cand, d, dl);
                cand[dl] = '/';
                strcpy(cand + dl + 1, path);
                r = spawn_abs(s->cwd, dl ? cand : path, abs);
                if (r == 0)
                    r = spawn_read(s, abs);
                if (r == 0) {
                    strcpy(s->script, dl ? cand : path);
                    break;
                }
                if (r == -EACCES)
                    denied = true;
                else if (r != -ENOENT && r != -ENOTDIR && r != -ENAMETOOLONG)
                    break;
            }
            if (!*e) {
                r = denied ? -EACCES : -ENOENT;
                break;
            }
            d = e;
        }
    }
    if (r == 0) {
        strcpy(s->prog, abs);
        r = spawn_classify(s);
    }
    return r;
}

/* The process name: the program's last path component, with anything a
 * CapSet name cannot hold made '_'. */
static void spawn_name(const char *path, char *name)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = 0;
    for (; b[n] && n < CAPOS_CAPSET_NAME_MAX - 1; n++)
        name[n] = (b[n] > ' ' && b[n] <= '~') ? b[n] : '_';
    if (n == 0)
        name[n++] = '_';
    name[n] = '\0';
}

/* The grants of the child and the inheritance list; *nx the capabilities
 * sent.  0 or -errno. */
static int spawn_grants(struct spawn *s, struct capos_grant *g, uint32_t *ng, char *fds_env,
                        size_t fds_cap, char (*names)[8])
{
    static const struct {
        const char *name;
        enum capos_KernelCapKind kind;
        size_t off;
    } kernel[] = {
        {"timer", capos_KernelCapKind_timer, offsetof(struct posix_caps, timer)},
        {"entropy", capos_KernelCapKind_entropy, offsetof(struct posix_caps, entropy)},
        {"memory", capos_KernelCapKind_virtualMemory, offsetof(struct posix_caps, memory)},
        {"threads", capos_KernelCapKind_threadSpawner, offsetof(struct posix_caps, threads)},
        {"park", capos_KernelCapKind_parkSpace, offsetof(struct posix_caps, park)},
        {"pipes", capos_KernelCapKind_pipeFactory, offsetof(struct posix_caps, pipes)},
    };
    uint32_t n = 0, nx = 0;
    for (unsigned i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
        if (!*(const uint32_t *)((const char *)&posix_caps + kernel[i].off))
            continue;
        g[n++] =
            (struct capos_grant){.name = kernel[i].name, .kernel = true, .kind = kernel[i].kind};
    }
    if (posix_caps.root) {
        g[n++] = (struct capos_grant){.name = "root",
                                      .cap = posix_caps.root,
                                      .mode = CAPOS_XFER_COPY,
                                      .interface_id = capos_Directory_INTERFACE_ID};
        nx++;
    }
    g[n++] = (struct capos_grant){.name = "spawner",
                                  .cap = posix_caps.spawner,
                                  .mode = CAPOS_XFER_COPY,
                                  .interface_id = capos_ProcessSpawner_INTERFACE_ID};
    nx++;
    for (unsigned i = 0; i < s->nchildren; i++) {
        if (nx == SPAWN_XFER_MAX)
            return -EMFILE;
        snprintf(s->child_names[i], sizeof(s->child_names[i]), "child%d", s->child_pids[i]);
        g[n++] = (struct capos_grant){.name = s->child_names[i],
                                      .cap = s->child_handles[i],
                                      .mode = CAPOS_XFER_COPY,
                                      .interface_id = capos_ProcessHandle_INTERFACE_ID};
        nx++;
    }
    size_t at = 0;
    fds_env[0] = '\0';
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        struct ofd *o = s->fds[fd];
        char k = o ? ofd_inherit_kind(o) : 0;
        if (!k)
            continue;
        int same = -1;
        for (int e = 0; e < fd && same < 0; e++) {
            if (s->fds[e] == o)
                same = e;
        }
        struct inherit_rec rec = {
            .fd = (uint32_t)fd, .kind = INHERIT_SAME, .other = (uint32_t)same};
        if (same < 0) {
            /* A capability goes once per call: a second description
             * behind one (fds 1 and 2 on one console) names the first's
             * grant. */
            int by = -1;
            for (int e = 0; e < fd && by < 0 && o->cap && k != 'i'; e++) {
                if (s->fds[e] && s->fds[e]->cap == o->cap && names[e][0])
                    by = e;
            }
            rec = (struct inherit_rec){.fd = (uint32_t)fd,
                                       .kind = k,
                                       .flags = o->flags,
                                       .pos = *ofd_pos(o),
                                       .other = (uint32_t)(by >= 0 ? by : fd)};
            if (o->cap && k != 'i' && by < 0) {
                if (nx == SPAWN_XFER_MAX)
                    return -EMFILE;
                snprintf(names[fd], sizeof(names[fd]), "fd%d", fd);
                g[n++] =
                    (struct capos_grant){.name = names[fd], .cap = o->cap, .mode = CAPOS_XFER_COPY};
                nx++;
            }
        }
        if (at && at + 1 < fds_cap)
            fds_env[at++] = ',';
        int w = inherit_format(fds_env + at, fds_cap - at, &rec);
        if (w < 0)
            return -E2BIG;
        at += (size_t)w;
    }
    *ng = n;
    return 0;
}

/* exec's parameters are spawnImage's, field for field: one message
 * serves both (spawn_call). */
_Static_assert(
    capos_ProcessSpawner_exec_field_image == capos_ProcessSpawner_spawnImage_field_image &&
        capos_ProcessSpawner_exec_field_size == capos_ProcessSpawner_spawnImage_field_size &&
        capos_ProcessSpawner_exec_field_name == capos_ProcessSpawner_spawnImage_field_name &&
        capos_ProcessSpawner_exec_field_grants == capos_ProcessSpawner_spawnImage_field_grants &&
        capos_ProcessSpawner_exec_field_argv == capos_ProcessSpawner_spawnImage_field_argv &&
        capos_ProcessSpawner_exec_field_env == capos_ProcessSpawner_spawnImage_field_env,
    "ProcessSpawner.exec and spawnImage take the same parameters");

/* The spawnImage call (returns 0 and the child's handle and pid), or with
 * `exec` the exec call, which returns only if it failed; else -errno. */
static int spawn_call(struct spawn *s, char *const argv[], char *const envp[], const char *name,
                      const char *const *extra_env, unsigned nextra, bool exec, uint32_t *handle,
                      uint32_t *pid)
{
    struct capos_grant g[SPAWN_XFER_MAX + 8]; /* at most 6 kernel grants */
    char names[POSIX_FD_MAX][8] = {{0}};
    char *fds_env = s->fds_env;
    uint64_t *arena = s->arena;
    uint32_t ng = 0;
    memcpy(fds_env, POSIX_FDS_ENV, sizeof(POSIX_FDS_ENV) - 1);
    int r = spawn_grants(s, g, &ng, fds_env + sizeof(POSIX_FDS_ENV) - 1,
                         sizeof(s->fds_env) - sizeof(POSIX_FDS_ENV), names);
    unsigned argc = 0, envc = 0;
    while (argv && argv[argc])
        argc++;
    while (envp && envp[envc])
        envc++;
    /* A script: argv[0] gives way to the interpreter, its argument and
     * the script's path. */
    unsigned total_argc = s->interp_argc ? s->interp_argc + (argc ? argc - 1 : 0) : argc;
    if (r == 0 && (total_argc > SPAWN_ARGS_MAX || envc + nextra + 1 > SPAWN_ARGS_MAX))
        r = -E2BIG;
    /* Strings the CapSet cannot hold whatever else it holds (the kernel
     * checks the exact size) do not go into the message either. */
    size_t bytes = strlen(fds_env);
    for (unsigned i = 0; r == 0 && i < argc + envc; i++) {
        bytes += strnlen(i < argc ? argv[i] : envp[i - argc], CAPOS_CAPSET_MAX_BYTES) + 1;
        if (bytes > CAPOS_CAPSET_MAX_BYTES)
            r = -E2BIG;
    }
    if (r < 0)
        return r;

    struct capnp_builder b;
    capnp_builder_init(&b, arena, SPAWN_MSG_BYTES);
    capos_ProcessSpawner_spawnImage_args a = {
        .image = (uint64_t)(uintptr_t)s->image,
        .size = s->image_len,
        .name = {name, (uint32_t)strlen(name)},
    };
    capos_ProcessSpawner_spawnImage_Params_builder p =
        capos_ProcessSpawner_spawnImage_encode_args(&b, &a);
    struct capos_xfer xfer[SPAWN_XFER_MAX];
    uint16_t nx = 0;
    capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawnImage_Params_init_grants(p, ng);
    for (uint32_t i = 0; i < ng; i++) {
        capos_SpawnGrant_builder gb = capos_SpawnGrant_list_at(gl, i);
        capos_SpawnGrant_set_name(gb, g[i].name, strlen(g[i].name));
        if (g[i].kernel) {
            capos_KernelCap_set_kind(capos_SpawnGrant_init_kernel(gb), g[i].kind);
        } else {
            xfer[nx].cap = g[i].cap;
            xfer[nx].mode = g[i].mode;
            capos_SpawnGrant_set_cap(gb, nx++);
            capos_SpawnGrant_set_interfaceId(gb, g[i].interface_id);
        }
    }
    struct capnp_list_builder al = capos_ProcessSpawner_spawnImage_Params_init_argv(p, total_argc);
    unsigned k = 0;
    for (unsigned i = 0; i < s->interp_argc; i++, k++)
        capnp_lb_set_text(al, k, s->interp_argv[i], strlen(s->interp_argv[i]));
    for (unsigned i = s->interp_argc ? 1 : 0; i < argc; i++, k++)
        capnp_lb_set_text(al, k, argv[i], strlen(argv[i]));
    struct capnp_list_builder el =
        capos_ProcessSpawner_spawnImage_Params_init_env(p, envc + nextra + 1);
    for (unsigned i = 0; i < envc; i++)
        capnp_lb_set_text(el, i, envp[i], strlen(envp[i]));
    for (unsigned i = 0; i < nextra; i++)
        capnp_lb_set_text(el, envc + i, extra_env[i], strlen(extra_env[i]));
    capnp_lb_set_text(el, envc + nextra, fds_env, strlen(fds_env));

    struct capos_rpc_opts o = {.xfer = xfer, .nxfer = nx};
    capos_ProcessSpawner_spawnImage_results res;
    capos_ProcessSpawner_exec_results none;
    int err = exec ? capos_ProcessSpawner_exec_call_built(posix_caps.spawner, &b, &none, &o)
                   : capos_ProcessSpawner_spawnImage_call_built(posix_caps.spawner, &b, &res, &o);
    if (exec && err == CAPOS_OK)
        return -EIO; /* exec never completes when it succeeds */
    switch (err) {
    case CAPOS_OK:
        *handle = res.handle;
        *pid = res.pid;
        return 0;
    case CAPOS_ERR_INVALID_ARGUMENT:
        /* The image is not one the kernel runs; anything else it refuses
         * here is what the strings make of the CapSet. */
        return (o.detail & 0xffffff) == capos_ProcessSpawner_spawnImage_field_image ? -ENOEXEC
                                                                                    : -E2BIG;
    case CAPOS_ERR_TOO_MANY_CAPS: return -EMFILE;
    /* exec: another thread's exec is ending this one (never seen: the
     * thread ends before it returns to user mode). */
    case CAPOS_ERR_UNSUPPORTED: return -EBUSY;
    default: return (int)posix_errno(err);
    }
}

/* The start of a spawn or an exec: the caller's fds (a reference each)
 * and working directory; 0 or -errno. */
static int spawn_begin(struct spawn *s)
{
    s->interp_argc = 0;
    fd_get_all(s->fds, s->cloexec);
    return getcwd(s->cwd, sizeof(s->cwd)) ? 0 : -errno;
}

/* The descriptors marked FD_CLOEXEC left out. */
static void spawn_drop_cloexec(struct spawn *s)
{
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        if (s->fds[fd] && s->cloexec[fd]) {
            ofd_put(s->fds[fd]);
            s->fds[fd] = NULL;
        }
    }
}

/* The personality's own environment entries for the program started: its
 * working directory (none for "/", where a process without one starts
 * anyway), and the signal mask and ignored signals when not 0. */
struct spawn_env {
    char cwd[SPAWN_PATH_MAX + 32], mask[48], ign[48];
    const char *extra[4];
    unsigned n;
};

static void spawn_env(const struct spawn *s, struct spawn_env *e, uint64_t mask, uint64_t ign)
{
    e->n = 0;
    if (strcmp(s->cwd, "/") != 0) {
        snprintf(e->cwd, sizeof(e->cwd), "CAPOS_POSIX_CWD=%s", s->cwd);
        e->extra[e->n++] = e->cwd;
    }
    if (mask) {
        snprintf(e->mask, sizeof(e->mask), "%sx%llx", POSIX_SIGMASK_ENV, (unsigned long long)mask);
        e->extra[e->n++] = e->mask;
    }
    if (ign) {
        snprintf(e->ign, sizeof(e->ign), "%sx%llx", POSIX_SIGIGN_ENV, (unsigned long long)ign);
        e->extra[e->n++] = e->ign;
    }
}

int __capos_posix_spawn(pid_t *res, const char *path, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);

static int spawn(pid_t *res, const char *path, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);

/* musl calls this directly, not as a system call: bracketed the same way,
 * so that a signal handler never runs in the middle of its ring calls. */
int __capos_posix_spawn(pid_t *res, const char *path, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    long e = posix_syscall_enter();
    int r = spawn(res, path, fa, attr, argv, envp);
    posix_syscall_leave(e);
    return r;
}

static int spawn(pid_t *res, const char *path, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    short flags = attr ? (short)attr->__flags : 0;
    if (flags & ~SPAWN_KNOWN_FLAGS)
        return EINVAL;
    if (flags & (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSCHEDPARAM |
                 POSIX_SPAWN_SETSCHEDULER))
        return ENOSYS;
    if (!posix_caps.spawner)
        return EPERM;
    posix_lock(&spawn_lock);
    struct spawn *s = &spawn_state;
    s->nchildren = 0;
    int r = spawn_begin(s);
    if (r == 0)
        r = spawn_actions(s, fa);
    spawn_drop_cloexec(s);
    if (r == 0)
        r = spawn_find(s, path, attr && attr->__fn);
    char name[CAPOS_CAPSET_NAME_MAX];
    struct spawn_env env;
    int slot = -1;
    if (r == 0) {
        spawn_name(s->script, name);
        uint64_t m = 0, ign, def = 0;
        if (flags & POSIX_SPAWN_SETSIGMASK)
            memcpy(&m, &attr->__mask, sizeof(m));
        /* Ignored signals stay ignored, unless POSIX_SPAWN_SETSIGDEF
         * names them. */
        (void)posix_sig_exec_state(&ign);
        if (flags & POSIX_SPAWN_SETSIGDEF)
            memcpy(&def, &attr->__def, sizeof(def));
        spawn_env(s, &env, m, ign & ~def);
        slot = posix_child_reserve();
        if (slot < 0)
            r = -EAGAIN;
    }
    uint32_t handle = 0, pid = 0;
    if (r == 0)
        r = spawn_call(s, argv, envp, name, env.extra, env.n, false, &handle, &pid);
    if (slot >= 0) {
        if (r == 0)
            posix_child_add(slot, (int)pid, handle);
        else
            posix_child_unreserve(slot);
    }
    spawn_release(s);
    posix_unlock(&spawn_lock);
    if (r < 0)
        return -r;
    if (res)
        *res = (pid_t)pid;
    return 0;
}

/*
 * execve, execveat and fexecve (execveat with AT_EMPTY_PATH and an empty
 * path): the program found and read as posix_spawn finds it (without a
 * PATH search: execvp's is musl's, which calls execve for each candidate),
 * relative to dirfd for execveat, or the file open as dirfd; then
 * ProcessSpawner.exec replaces this process's program with it, handing it
 * what posix_spawn hands a child -- the fds without FD_CLOEXEC (their
 * descriptions, offsets copied), the working directory -- and what exec
 * keeps of the caller: the signal mask and the ignored signals (caught
 * ones revert to their default, as a new process has them).  Returns
 * only on failure, with the caller as it was.
 */
static long posix_exec(long dirfd, const char *path, char *const argv[], char *const envp[],
                       long flags)
{
    if (!path)
        return -EFAULT;
    if (flags & ~(long)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
        return -EINVAL;
    bool by_fd = (flags & AT_EMPTY_PATH) && !*path;
    posix_lock(&spawn_lock);
    struct spawn *s = &spawn_state;
    int r = spawn_begin(s);
    spawn_drop_cloexec(s);
    if (r == 0 && by_fd) {
        /* Linux names such a program (and a script's path) /dev/fd/N. */
        r = spawn_read_fd(s, dirfd);
        snprintf(s->script, sizeof(s->script), "/dev/fd/%ld", dirfd);
        strcpy(s->prog, s->script);
        if (r == 0)
            r = spawn_classify(s);
    } else if (r == 0) {
        const char *p = path;
        if (dirfd != AT_FDCWD && path[0] != '/' && *path) {
            struct ofd *o = dirfd >= 0 && dirfd < POSIX_FD_MAX ? fd_get((int)dirfd) : NULL;
            if (!o)
                r = -EBADF;
            else if (o->kind != OFD_DIR || !o->path)
                r = -ENOTDIR;
            else if (o->path_len + 1 + strlen(path) >= SPAWN_PATH_MAX)
                r = -ENAMETOOLONG;
            if (r == 0) {
                memcpy(s->at, o->path, o->path_len);
                s->at[o->path_len] = '/';
                strcpy(s->at + o->path_len + 1, path);
                p = s->at;
            }
            if (o)
                ofd_put(o);
        }
        if (r == 0)
            r = spawn_find(s, p, false);
    }
    if (r == 0 && !posix_caps.spawner)
        r = -EPERM;
    if (r == 0) {
        char name[CAPOS_CAPSET_NAME_MAX];
        struct spawn_env env;
        uint64_t ign, mask = posix_sig_exec_state(&ign);
        spawn_name(s->script, name);
        spawn_env(s, &env, mask, ign);
        /* The children, which stay this process's. */
        s->nchildren = (unsigned)posix_children(s->child_pids, s->child_handles, POSIX_CHILD_MAX);
        if (s->nchildren) {
            size_t at = (size_t)snprintf(s->children_env, sizeof(s->children_env), "%s",
                                         POSIX_CHILDREN_ENV);
            for (unsigned i = 0; i < s->nchildren && at < sizeof(s->children_env); i++)
                at += (size_t)snprintf(s->children_env + at, sizeof(s->children_env) - at, "%s%d",
                                       i ? "," : "", s->child_pids[i]);
            env.extra[env.n++] = s->children_env;
        }
        r = spawn_call(s, argv, envp, name, env.extra, env.n, true, NULL, NULL);
        s->nchildren = 0;
    }
    spawn_release(s);
    posix_unlock(&spawn_lock);
    return r;
}

long sys_execve(long path, long argv, long envp, long a4, long a5, long a6)
{
    return posix_exec(AT_FDCWD, (const char *)path, (char *const *)argv, (char *const *)envp, 0);
}

long sys_execveat(long dirfd, long path, long argv, long envp, long flags, long a6)
{
    return posix_exec(dirfd, (const char *)path, (char *const *)argv, (char *const *)envp, flags);
}
