/*
 * posixrun: runs POSIX programs one after another in one boot, for
 * `tools/capos-run --batch` (docs/posix.md).
 *
 *   argv: posixrun [-s] [-x DIR]... NONCE TIMEOUT_MS PROGRAM...
 *   each PROGRAM: fields separated by 0x1f: binary, a mask of grants to
 *                 leave out, the initial working directory (empty: the
 *                 root), argc, argv[0..argc), then the environment
 *
 * Each program is spawned from its manifest binary with the grants a POSIX
 * program gets from capos-run (stdout on COM2, stderr on COM3, timer,
 * entropy, memory, threads, park, pipes, spawner, root: bit i of the mask leaves out
 * the i-th), waited for, and killed if it is still running after
 * TIMEOUT_MS.
 *
 * The root: posixrun holds the file service's root directory ("files") and
 * gives program INDEX a tree of its own, the directory "run.INDEX" (made
 * for it, or made by the file service with a copy of the root tree: a
 * DIR "+run.INDEX" of filesrv) with a writable "tmp" (mode 01777), as a Directory
 * capability confined to it (Directory.sub) with its own quota account
 * (Directory.limit: PROGRAM_BYTES and PROGRAM_ENTRIES), granted as "root".
 * So programs never see each other's files, and one that fills its quota
 * leaves room for the next.  The working directory, if given, is made in
 * that tree and passed in the environment entry CAPOS_POSIX_CWD, which the
 * POSIX start-up takes out before main (docs/posix.md).  After the last
 * program, a call through "files-stop" (the service's stop badge) ends the
 * file service so that the machine can halt.
 *
 * With -s (a tree given to capos-run with --file or --dir) every program
 * gets the service's whole root instead, shared, so that it sees the tree
 * and what the programs before it wrote.  After the last program each DIR
 * (a path below the root, "/" for the root itself) is exported: written
 * to the system log in framed lines that tools/capos-run turns back into
 * host files (docs/posix.md, "Files"), every line
 *   "capos-export:" NONCE ":" SEQ ":" RECORD
 * with SEQ counting lines from 0 and RECORD one of
 *   B:INDEX                      an export begins
 *   D:HEXPATH:MODE               a directory (path relative to DIR, hex)
 *   F:HEXPATH:MODE:SIZE          a file, whose bytes follow in
 *   C:HEX                        pieces of at most 1 KiB
 *   E:INDEX:ENTRIES:BYTES        the export ended whole
 *   X:INDEX:REASON               the export stopped (a limit, an error)
 * with MODE octal.  An export holds at most EXPORT_MAX_ENTRIES entries,
 * EXPORT_MAX_BYTES bytes of contents, EXPORT_MAX_DEPTH levels and paths of
 * EXPORT_MAX_PATH bytes.  The exports come before the service is stopped.
 *
 * After each program a marker line goes to COM2 and to COM3 after
 * everything the program wrote there:
 *   0x1e "capos-batch:" NONCE ":" INDEX ":" HOW ":" VALUE "\n"
 * with HOW one of exited (VALUE the exit code), killed, faulted (VALUE the
 * CPU exception's vector), timeout, or failed (VALUE the ErrorCode of the
 * spawn).  A program's Console writes complete before it exits, so its
 * bytes precede its marker; the host splits the streams at the markers,
 * and the nonce keeps a program from forging one.  The system log (COM1)
 * gets a line per program.
 */
#include "capos.h"
#include "ipc.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define FIELD_SEP       '\x1f'
#define MAX_FIELDS      64
#define SPEC_MAX        1024 /* the manifest's limit on one argv string */

#define PROGRAM_BYTES   (8u << 20)
#define PROGRAM_ENTRIES 1024

static uint32_t console, out, err, spawner, timer, files, files_stop;
static bool shared_root; /* -s */

/* The grants of a POSIX program (tools/capos-run's grants()). */
static const struct capos_grant program_grants[] = {
    {.name = "stdout",
     .kernel = true,
     .kind = capos_KernelCapKind_console,
     .port = capos_ConsolePort_com2},
    {.name = "stderr",
     .kernel = true,
     .kind = capos_KernelCapKind_console,
     .port = capos_ConsolePort_com3},
    {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
    {.name = "entropy", .kernel = true, .kind = capos_KernelCapKind_entropy},
    {.name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory},
    {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
    {.name = "park", .kernel = true, .kind = capos_KernelCapKind_parkSpace},
    {.name = "pipes", .kernel = true, .kind = capos_KernelCapKind_pipeFactory},
    {.name = "spawner", .kernel = true, .kind = capos_KernelCapKind_processSpawner},
};
#define NKERNEL_GRANTS (sizeof(program_grants) / sizeof(program_grants[0]))
#define ROOT_GRANT_BIT NKERNEL_GRANTS /* "root" follows the kernel grants */

static struct capnp_text text_of(const char *s, size_t len)
{
    return (struct capnp_text){s, (uint32_t)len};
}

/* mkdir `name` in `dir` (an existing one is fine) and sub it into *out. */
static int enter_dir(uint32_t dir, struct capnp_text name, uint32_t mode, uint32_t *sub)
{
    int e = capos_Directory_mkdir_call(
        dir, &(capos_Directory_mkdir_args){.name = name, .mode = mode}, NULL, NULL);
    if (e != CAPOS_OK && e != CAPOS_ERR_ALREADY_EXISTS)
        return e;
    capos_Directory_sub_results r;
    e = capos_Directory_sub_call(dir, &(capos_Directory_sub_args){.name = name}, &r, NULL);
    if (e == CAPOS_OK)
        *sub = r.directory;
    return e;
}

/* Program idx's own tree (above) as a capability in *root, with the
 * directories of `cwd` ('/'-separated names below it) made. */
static int make_root(unsigned idx, const char *cwd, uint32_t *root)
{
    char name[32];
    uint32_t run;
    int e;
    capos_Directory_limit_results lr;
    if (shared_root) {
        /* The whole root, with an account of its own like the others. */
        e = capos_Directory_limit_call(
            files,
            &(capos_Directory_limit_args){.bytes = PROGRAM_BYTES, .entries = PROGRAM_ENTRIES}, &lr,
            NULL);
        if (e != CAPOS_OK)
            return e;
    } else {
        int n = fmt_snprintf(name, sizeof(name), "run.%u", idx);
        e = enter_dir(files, text_of(name, (size_t)n), 0755, &run);
        if (e != CAPOS_OK)
            return e;
        e = capos_Directory_limit_call(
            run, &(capos_Directory_limit_args){.bytes = PROGRAM_BYTES, .entries = PROGRAM_ENTRIES},
            &lr, NULL);
        capos_release(run);
        if (e != CAPOS_OK)
            return e;
        /* The tree the service may have copied there has a tmp already. */
        e = capos_Directory_mkdir_call(
            lr.directory, &(capos_Directory_mkdir_args){.name = text_of("tmp", 3), .mode = 01777},
            NULL, NULL);
        if (e == CAPOS_ERR_ALREADY_EXISTS)
            e = CAPOS_OK;
    }
    uint32_t at = lr.directory;
    for (const char *p = cwd; e == CAPOS_OK && *p;) {
        const char *end = p;
        while (*end && *end != '/')
            end++;
        if (end > p) {
            uint32_t next;
            e = enter_dir(at, text_of(p, (size_t)(end - p)), 0755, &next);
            if (at != lr.directory)
                capos_release(at);
            at = e == CAPOS_OK ? next : lr.directory;
        }
        p = *end ? end + 1 : end;
    }
    if (at != lr.directory)
        capos_release(at);
    if (e != CAPOS_OK) {
        capos_release(lr.directory);
        return e;
    }
    *root = lr.directory;
    return CAPOS_OK;
}

static uint64_t parse_u64(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

/* Waits for the program behind `handle`, killing it after timeout_ns. */
static int wait_for(uint32_t handle, uint64_t timeout_ns, struct capos_exit *st, bool *timed_out)
{
    uint64_t res[64];
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    uint64_t cookie, start, now;
    *timed_out = false;
    int e = capos_ProcessHandle_wait_submit(handle, 0, 0, &o, &cookie);
    if (e != CAPOS_OK || (e = capos_timer_now(timer, &start)) != CAPOS_OK)
        return e;
    for (;;) {
        struct capos_cqe c;
        while (capos_ring_next(&c)) {
            if (c.user_data != cookie)
                continue;
            if (c.result != CAPOS_OK)
                return c.result;
            return capos_exit_decode(res, c.result_len, st) ? CAPOS_OK : CAPOS_ERR_INVALID_ARGUMENT;
        }
        if (capos_timer_now(timer, &now) != CAPOS_OK)
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (!*timed_out && now - start >= timeout_ns) {
            *timed_out = true;
            capos_process_kill(handle);
        }
        int64_t r =
            capos_ring_enter(1, *timed_out ? CAPOS_WAIT_FOREVER : timeout_ns - (now - start));
        if (r < 0)
            return (int)r;
    }
}

static void marker(const char *nonce, unsigned idx, const char *how, long value)
{
    char line[128];
    int n = fmt_snprintf(line, sizeof(line),
                         "\x1e"
                         "capos-batch:%s:%u:%s:%ld\n",
                         nonce, idx, how, value);
    capos_console_write(out, line, (size_t)n);
    capos_console_write(err, line, (size_t)n);
}

/* Runs program `idx` described by `desc` (an argv string, read-only). */
static void run_one(const char *nonce, unsigned idx, const char *desc, uint64_t timeout_ns)
{
    static char spec[SPEC_MAX];
    char *f[MAX_FIELDS];
    uint32_t nf = 0;
    size_t len = strlen(desc);
    if (len >= sizeof(spec)) {
        capos_printf("posixrun: program %u: description too long\n", idx);
        marker(nonce, idx, "failed", CAPOS_ERR_INVALID_ARGUMENT);
        return;
    }
    memcpy(spec, desc, len + 1);
    for (char *p = spec; nf < MAX_FIELDS;) {
        f[nf++] = p;
        char *sep = p;
        while (*sep && *sep != FIELD_SEP)
            sep++;
        if (!*sep)
            break;
        *sep = 0;
        p = sep + 1;
    }
    uint32_t argc = nf >= 4 ? (uint32_t)parse_u64(f[3]) : 0;
    uint64_t mask = nf >= 4 ? parse_u64(f[1]) : 0;
    if (nf < 4 || argc > nf - 4) {
        capos_printf("posixrun: program %u: malformed description\n", idx);
        marker(nonce, idx, "failed", CAPOS_ERR_INVALID_ARGUMENT);
        return;
    }
    const char *cwd = f[2];
    const char **argv = (const char **)&f[4];
    const char *env[MAX_FIELDS + 1];
    uint32_t envc = nf - 4 - argc, handle, ng = 0;
    memcpy(env, &f[4 + argc], envc * sizeof(env[0]));
    static char cwd_env[SPEC_MAX + 32];
    if (*cwd) {
        fmt_snprintf(cwd_env, sizeof(cwd_env), "CAPOS_POSIX_CWD=/%s", cwd);
        env[envc++] = cwd_env;
    }
    struct capos_grant g[NKERNEL_GRANTS + 1];
    for (uint32_t i = 0; i < NKERNEL_GRANTS; i++) {
        if (!(mask & (1ULL << i)))
            g[ng++] = program_grants[i];
    }
    int e = CAPOS_OK;
    if (!(mask & (1ULL << ROOT_GRANT_BIT)) && files) {
        uint32_t root;
        e = make_root(idx, cwd, &root);
        if (e == CAPOS_OK)
            g[ng++] = (struct capos_grant){.name = "root",
                                           .cap = root,
                                           .mode = CAPOS_XFER_MOVE,
                                           .interface_id = capos_Directory_INTERFACE_ID};
    }
    if (e == CAPOS_OK)
        e = capos_spawn(spawner, f[0], argc ? argv[0] : f[0], g, ng, (const char *const *)argv,
                        argc, env, envc, &handle);
    if (e != CAPOS_OK) {
        capos_printf("posixrun: program %u (%s): spawn failed: %s\n", idx, f[0],
                     capos_error_name(e));
        marker(nonce, idx, "failed", e);
        return;
    }
    struct capos_exit st;
    bool timed_out;
    e = wait_for(handle, timeout_ns, &st, &timed_out);
    capos_release(handle);
    if (e != CAPOS_OK) {
        capos_printf("posixrun: program %u (%s): wait failed: %s\n", idx, f[0],
                     capos_error_name(e));
        marker(nonce, idx, "failed", e);
    } else if (timed_out) {
        capos_printf("posixrun: program %u (%s): killed after the timeout\n", idx, f[0]);
        marker(nonce, idx, "timeout", 0);
    } else if (st.kind == capos_ExitStatus_which_exited) {
        capos_printf("posixrun: program %u (%s): exited with status %d\n", idx, f[0], st.code);
        marker(nonce, idx, "exited", st.code);
    } else if (st.kind == capos_ExitStatus_which_faulted) {
        capos_printf("posixrun: program %u (%s): faulted: %s\n", idx, f[0], st.reason);
        marker(nonce, idx, "faulted", st.vector);
    } else {
        capos_printf("posixrun: program %u (%s): killed\n", idx, f[0]);
        marker(nonce, idx, "killed", 0);
    }
}

/* --- Exports --------------------------------------------------------- */

#define EXPORT_MAX_ENTRIES 4096
#define EXPORT_MAX_BYTES   (2u << 20) /* about 20 s of the system log under TCG */
#define EXPORT_MAX_DEPTH   16
#define EXPORT_PIECE       1024
#define EXPORT_MAX_PATH    1023 /* hex-encoded, a record stays one Console.write */

static const char *ex_nonce;
static unsigned long ex_seq;
static uint64_t ex_res[capos_File_read_RESULT_BYTES / 8 + 1];
static uint8_t ex_data[capos_maxFileIo];

/* One framed line on the system log. */
static void ex_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ex_line(const char *fmt, ...)
{
    static char line[EXPORT_PIECE * 2 + 256];
    int n = fmt_snprintf(line, sizeof(line), "capos-export:%s:%lu:", ex_nonce, ex_seq++);
    va_list ap;
    va_start(ap, fmt);
    n += fmt_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    capos_console_write(console, line, (size_t)n);
}

static void hex(char *dst, const void *src, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = src;
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = digits[p[i] >> 4];
        dst[2 * i + 1] = digits[p[i] & 15];
    }
    dst[2 * n] = 0;
}

static int ex_open(uint32_t dir, const char *name, uint32_t len, bool directory, uint32_t *cap)
{
    capos_Directory_open_results r;
    capos_Directory_open_args a = {.name = {name, len}, .directory = directory, .readOnly = true};
    int e = capos_Directory_open_call(dir, &a, &r, NULL);
    if (e == CAPOS_OK)
        *cap = directory ? r.directory : r.file;
    return e;
}

static int ex_stat(uint32_t cap, bool directory, uint32_t *mode, uint64_t *size)
{
    struct capos_rpc_opts o = {.buf = ex_res, .buf_len = sizeof(ex_res)};
    capos_File_stat_results fr;
    capos_Directory_stat_results dr;
    int e = directory ? capos_Directory_stat_call(cap, NULL, &dr, &o)
                      : capos_File_stat_call(cap, NULL, &fr, &o);
    if (e == CAPOS_OK) {
        capos_Stat_reader st = directory ? dr.stat : fr.stat;
        *mode = capos_Stat_get_mode(st);
        *size = capos_Stat_get_size(st);
    }
    return e;
}

/* Sends one file's record and contents; false after an X record. */
static bool ex_file(unsigned idx, uint32_t f, const char *path, uint64_t *bytes)
{
    static char line[EXPORT_PIECE * 2 + 1], hpath[EXPORT_MAX_PATH * 2 + 1];
    uint32_t mode;
    uint64_t size;
    if (ex_stat(f, false, &mode, &size) != CAPOS_OK) {
        ex_line("X:%u:cannot stat a file", idx);
        return false;
    }
    if (size > EXPORT_MAX_BYTES - *bytes) {
        ex_line("X:%u:more than %u bytes", idx, EXPORT_MAX_BYTES);
        return false;
    }
    hex(hpath, path, strlen(path));
    ex_line("F:%s:%o:%lu", hpath, (unsigned)mode, (unsigned long)size);
    for (uint64_t off = 0; off < size;) {
        capos_File_read_results r;
        struct capos_rpc_opts o = {.buf = ex_res, .buf_len = sizeof(ex_res)};
        uint32_t want = size - off > sizeof(ex_data) ? sizeof(ex_data) : (uint32_t)(size - off);
        if (capos_File_read_call(f, &(capos_File_read_args){.offset = off, .count = want}, &r,
                                 &o) != CAPOS_OK ||
            r.data.len == 0 || r.data.len > want) {
            ex_line("X:%u:cannot read a file", idx);
            return false;
        }
        memcpy(ex_data, r.data.ptr, r.data.len);
        for (uint32_t p = 0; p < r.data.len; p += EXPORT_PIECE) {
            uint32_t n = r.data.len - p > EXPORT_PIECE ? EXPORT_PIECE : r.data.len - p;
            hex(line, ex_data + p, n);
            ex_line("C:%s", line);
        }
        off += r.data.len;
    }
    *bytes += size;
    return true;
}

/*
 * Exports the directory `path` below root: a depth-first walk with one
 * open directory per level, listing one entry per call so that the
 * cursor of each level stays valid while the levels below it are walked.
 */
static void export_dir(unsigned idx, const char *path)
{
    static char rel[EXPORT_MAX_PATH + 1], hrel[EXPORT_MAX_PATH * 2 + 1];
    struct level {
        uint32_t dir;
        uint64_t cursor;
        size_t rel_len;
    } st[EXPORT_MAX_DEPTH + 1];
    uint32_t depth = 0, entries = 0, d = files, next;
    uint64_t bytes = 0;
    ex_line("B:%u", idx);
    /* Walk down to `path` from the root, name by name. */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        if (e == p)
            break;
        if (ex_open(d, p, (uint32_t)(e - p), true, &next) != CAPOS_OK) {
            ex_line("X:%u:%s is not a directory", idx, path);
            if (d != files)
                capos_release(d);
            return;
        }
        if (d != files)
            capos_release(d);
        d = next;
        p = e;
    }
    st[0] = (struct level){.dir = d, .cursor = 0, .rel_len = 0};
    rel[0] = 0;
    bool ok = true;
    while (ok) {
        struct level *l = &st[depth];
        capos_Directory_list_results r;
        struct capos_rpc_opts o = {.buf = ex_res, .buf_len = sizeof(ex_res)};
        if (capos_Directory_list_call(l->dir,
                                      &(capos_Directory_list_args){.cursor = l->cursor, .max = 1},
                                      &r, &o) != CAPOS_OK) {
            ex_line("X:%u:cannot list a directory", idx);
            ok = false;
            break;
        }
        if (capos_DirEntry_list_len(r.entries) == 0) {
            /* This level is done: back to the one above. */
            if (l->dir != files)
                capos_release(l->dir);
            if (depth == 0)
                break;
            depth--;
            continue;
        }
        capos_DirEntry_reader ent = capos_DirEntry_list_get(r.entries, 0);
        struct capnp_text name = capos_DirEntry_get_name(ent);
        bool is_dir = capos_DirEntry_get_kind(ent) == capos_NodeKind_directory;
        l->cursor = r.next;
        if (++entries > EXPORT_MAX_ENTRIES) {
            ex_line("X:%u:more than %u entries", idx, EXPORT_MAX_ENTRIES);
            ok = false;
            break;
        }
        if (l->rel_len + 1 + name.len >= sizeof(rel)) {
            ex_line("X:%u:a path longer than %u bytes", idx, (unsigned)sizeof(rel) - 1);
            ok = false;
            break;
        }
        size_t len = l->rel_len;
        if (len)
            rel[len++] = '/';
        memcpy(rel + len, name.str, name.len);
        len += name.len;
        rel[len] = 0;
        uint32_t cap;
        if (ex_open(l->dir, name.str, name.len, is_dir, &cap) != CAPOS_OK) {
            ex_line("X:%u:cannot open an entry", idx);
            ok = false;
            break;
        }
        if (!is_dir) {
            ok = ex_file(idx, cap, rel, &bytes);
            capos_release(cap);
            continue;
        }
        uint32_t mode;
        uint64_t size;
        if (depth == EXPORT_MAX_DEPTH || ex_stat(cap, true, &mode, &size) != CAPOS_OK) {
            ex_line("X:%u:%s", idx,
                    depth == EXPORT_MAX_DEPTH ? "more than 16 levels" : "cannot stat a directory");
            capos_release(cap);
            ok = false;
            break;
        }
        hex(hrel, rel, len);
        ex_line("D:%s:%o", hrel, (unsigned)mode);
        st[++depth] = (struct level){.dir = cap, .cursor = 0, .rel_len = len};
    }
    if (!ok) {
        for (uint32_t i = 0; i <= depth; i++) {
            if (st[i].dir != files)
                capos_release(st[i].dir);
        }
        return;
    }
    ex_line("E:%u:%u:%lu", idx, entries, (unsigned long)bytes);
}

int main(int argc, char **argv)
{
    console = capos_capset_require("console", capos_Console_INTERFACE_ID);
    out = capos_capset_require("out", capos_Console_INTERFACE_ID);
    err = capos_capset_require("err", capos_Console_INTERFACE_ID);
    spawner = capos_capset_require("spawner", capos_ProcessSpawner_INTERFACE_ID);
    timer = capos_capset_require("timer", capos_Timer_INTERFACE_ID);
    capos_capset_find("files", capos_Directory_INTERFACE_ID, &files);
    capos_capset_find("files-stop", 0, &files_stop);
    int first = 1, nexports = 0;
    const char *exports[16];
    for (; first < argc; first++) {
        if (strcmp(argv[first], "-s") == 0)
            shared_root = true;
        else if (strcmp(argv[first], "-x") == 0 && first + 1 < argc && nexports < 16)
            exports[nexports++] = argv[++first];
        else
            break;
    }
    if (argc - first < 2 || ((shared_root || nexports) && !files)) {
        capos_printf("posixrun: usage: posixrun [-s] [-x DIR]... NONCE TIMEOUT_MS PROGRAM... "
                     "(-s and -x need files)\n");
        return 2;
    }
    const char *nonce = argv[first];
    uint64_t timeout_ns = parse_u64(argv[first + 1]) * 1000000;
    for (int i = first + 2; i < argc; i++)
        run_one(nonce, (unsigned)(i - first - 2), argv[i], timeout_ns);
    capos_printf("posixrun: %d programs run\n", argc - first - 2);
    ex_nonce = nonce;
    for (int i = 0; i < nexports; i++)
        export_dir((unsigned)i, exports[i]);
    if (files_stop)
        capos_Directory_stat_call(files_stop, NULL, &(capos_Directory_stat_results){0}, NULL);
    return 0;
}
