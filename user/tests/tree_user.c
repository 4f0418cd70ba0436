/*
 * tree_user: a program for the tests of capos-run's file options
 * (tests/capos-run-files.sh).  It works on the "root" Directory it is
 * given, through the File and Directory interfaces, and writes to the
 * "stdout" and "stderr" Consoles a POSIX program gets:
 *
 *   tree_user cat PATH...        each file's contents to stdout
 *   tree_user put PATH TEXT      creates (or empties) PATH, writes TEXT
 *   tree_user mkdir PATH MODE    makes a directory (MODE octal)
 *   tree_user stat PATH          "file|dir MODE SIZE" on stdout
 *
 * PATH is absolute; every name but the last must be a directory.  Exit
 * status 0, or 1 after a line on stderr.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

static uint32_t root, out = CAPNP_NO_CAP, err = CAPNP_NO_CAP;
static uint64_t res[capos_File_read_RESULT_BYTES / 8 + 1];
static uint64_t arena[capos_maxFileIo / 8 + 64];

static int say(uint32_t con, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(uint32_t con, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (con != CAPNP_NO_CAP)
        capos_console_write(con, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    return 1;
}

/* Opens the directory holding PATH's last name; *name gets that name. */
static int parent_of(const char *path, uint32_t *dir, const char **name)
{
    uint32_t d = root;
    const char *p = path;
    for (;;) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        if (!*e) {
            *dir = d;
            *name = p;
            return CAPOS_OK;
        }
        capos_Directory_open_results r;
        int rc = capos_Directory_open_call(
            d, &(capos_Directory_open_args){.name = {p, (uint32_t)(e - p)}, .directory = true}, &r,
            NULL);
        if (d != root)
            capos_release(d);
        if (rc != CAPOS_OK)
            return rc;
        d = r.directory;
        p = e;
    }
}

static int open_path(const char *path, capos_Directory_open_args a, uint32_t *file, uint32_t *dir)
{
    uint32_t d;
    const char *name;
    int rc = parent_of(path, &d, &name);
    if (rc != CAPOS_OK)
        return rc;
    if (!*name) { /* the root itself */
        *dir = root;
        *file = CAPNP_NO_CAP;
        return CAPOS_OK;
    }
    capos_Directory_open_results r;
    a.name = (struct capnp_text){name, (uint32_t)strlen(name)};
    rc = capos_Directory_open_call(d, &a, &r, NULL);
    if (d != root)
        capos_release(d);
    if (rc == CAPOS_OK) {
        *file = r.file;
        *dir = r.directory;
    }
    return rc;
}

static int cat(const char *path)
{
    uint32_t f, d;
    int rc = open_path(path, (capos_Directory_open_args){.readOnly = true}, &f, &d);
    if (rc != CAPOS_OK || f == CAPNP_NO_CAP)
        return say(err, "tree_user: cat %s: %s\n", path,
                   rc != CAPOS_OK ? capos_error_name(rc) : "a directory");
    for (uint64_t off = 0;;) {
        capos_File_read_results r;
        struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
        rc = capos_File_read_call(f, &(capos_File_read_args){.offset = off, .count = 4096}, &r, &o);
        if (rc != CAPOS_OK)
            return say(err, "tree_user: read %s: %s\n", path, capos_error_name(rc));
        if (r.data.len == 0)
            break;
        capos_console_write(out, r.data.ptr, r.data.len);
        off += r.data.len;
    }
    capos_release(f);
    return 0;
}

static int put(const char *path, const char *text)
{
    uint32_t f, d;
    int rc = open_path(
        path, (capos_Directory_open_args){.create = true, .truncate = true, .mode = 0644}, &f, &d);
    if (rc != CAPOS_OK || f == CAPNP_NO_CAP)
        return say(err, "tree_user: put %s: %s\n", path,
                   rc != CAPOS_OK ? capos_error_name(rc) : "a directory");
    capos_File_write_results w;
    struct capos_rpc_opts o = {.arena = arena, .arena_len = sizeof(arena)};
    rc = capos_File_write_call(
        f, &(capos_File_write_args){.data = {(const uint8_t *)text, (uint32_t)strlen(text)}}, &w,
        &o);
    capos_release(f);
    return rc == CAPOS_OK ? 0 : say(err, "tree_user: write %s: %s\n", path, capos_error_name(rc));
}

static int mkdir_at(const char *path, const char *mode)
{
    uint32_t d, m = 0;
    const char *name;
    for (const char *p = mode; *p >= '0' && *p <= '7'; p++)
        m = m * 8 + (uint32_t)(*p - '0');
    int rc = parent_of(path, &d, &name);
    if (rc == CAPOS_OK)
        rc = capos_Directory_mkdir_call(
            d, &(capos_Directory_mkdir_args){.name = {name, (uint32_t)strlen(name)}, .mode = m},
            NULL, NULL);
    return rc == CAPOS_OK ? 0 : say(err, "tree_user: mkdir %s: %s\n", path, capos_error_name(rc));
}

static int stat_path(const char *path)
{
    uint32_t f, d;
    int rc = open_path(path, (capos_Directory_open_args){.readOnly = true}, &f, &d);
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_File_stat_results fr;
    capos_Directory_stat_results dr;
    if (rc == CAPOS_OK)
        rc = f != CAPNP_NO_CAP ? capos_File_stat_call(f, NULL, &fr, &o)
                               : capos_Directory_stat_call(d, NULL, &dr, &o);
    if (rc != CAPOS_OK)
        return say(err, "tree_user: stat %s: %s\n", path, capos_error_name(rc));
    capos_Stat_reader st = f != CAPNP_NO_CAP ? fr.stat : dr.stat;
    return say(out, "%s %o %lu\n", f != CAPNP_NO_CAP ? "file" : "dir",
               (unsigned)capos_Stat_get_mode(st), (unsigned long)capos_Stat_get_size(st)) -
           1;
}

int main(int argc, char **argv)
{
    capos_capset_find("stdout", capos_Console_INTERFACE_ID, &out);
    capos_capset_find("stderr", capos_Console_INTERFACE_ID, &err);
    if (capos_capset_find("root", capos_Directory_INTERFACE_ID, &root) != CAPOS_OK)
        return say(err, "tree_user: no root directory granted\n");
    if (argc >= 3 && strcmp(argv[1], "cat") == 0) {
        int status = 0;
        for (int i = 2; i < argc; i++)
            status |= cat(argv[i]);
        return status;
    }
    if (argc == 4 && strcmp(argv[1], "put") == 0)
        return put(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "mkdir") == 0)
        return mkdir_at(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "stat") == 0)
        return stat_path(argv[2]);
    return say(err, "tree_user: usage: tree_user cat|put|mkdir|stat PATH...\n");
}
