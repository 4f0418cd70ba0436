/*
 * roottree: shows the boot root tree of the default system.  With the
 * file service's root Directory granted as "root" it lists the tree two
 * levels deep (name, kind, mode, size), prints /etc/motd's first line, writes a file
 * into /tmp and reads it back; with "stop" granted (the facet whose badge
 * ends the file service) it then ends the service, so the system can end.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

static uint64_t res_buf[capos_File_read_RESULT_BYTES / 8 + 1];

/* Directory.open of `name` in `dir`: the file or directory capability. */
static int open_in(uint32_t dir, const char *name, capos_Directory_open_args a, uint32_t *cap)
{
    capos_Directory_open_results r;
    a.name = capnp_text_of(name);
    int err = capos_Directory_open_call(dir, &a, &r, NULL);
    if (err == CAPOS_OK)
        *cap = a.directory || r.file == CAPNP_NO_CAP ? r.directory : r.file;
    return err;
}

/* One line per entry of `dir` (a page of up to 64), then the entries of
 * its subdirectories when `depth` allows. */
static void show(uint32_t dir, const char *path, int depth)
{
    capos_Directory_list_results r;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    if (capos_Directory_list_call(dir, &(capos_Directory_list_args){.max = 64}, &r, &o) !=
        CAPOS_OK) {
        capos_printf("roottree: cannot list %s\n", path);
        return;
    }
    char names[64][64];
    uint32_t n = capos_DirEntry_list_len(r.entries);
    bool is_dir[64];
    for (uint32_t i = 0; i < n && i < 64; i++) {
        struct capnp_text t = capos_DirEntry_get_name(capos_DirEntry_list_get(r.entries, i));
        uint32_t len = t.len < 63 ? t.len : 63;
        memcpy(names[i], t.str, len);
        names[i][len] = 0;
        is_dir[i] = capos_DirEntry_get_kind(capos_DirEntry_list_get(r.entries, i)) ==
                    capos_NodeKind_directory;
    }
    for (uint32_t i = 0; i < n && i < 64; i++) {
        uint32_t c;
        capos_Directory_open_args a = {.readOnly = true, .directory = is_dir[i]};
        if (open_in(dir, names[i], a, &c) != CAPOS_OK)
            continue;
        capos_Stat_reader st;
        capos_File_stat_results fr;
        capos_Directory_stat_results dr;
        struct capos_rpc_opts so = {.buf = res_buf, .buf_len = sizeof(res_buf)};
        int err = is_dir[i] ? capos_Directory_stat_call(c, NULL, &dr, &so)
                            : capos_File_stat_call(c, NULL, &fr, &so);
        if (err == CAPOS_OK) {
            st = is_dir[i] ? dr.stat : fr.stat;
            capos_printf("roottree: %s/%s %s %04o %lu\n", path, names[i],
                         is_dir[i] ? "dir" : "file", (unsigned)capos_Stat_get_mode(st),
                         (unsigned long)capos_Stat_get_size(st));
        }
        if (is_dir[i] && depth > 1) {
            char sub[160];
            fmt_snprintf(sub, sizeof(sub), "%s/%s", path, names[i]);
            show(c, sub, depth - 1);
        }
        capos_release(c);
    }
}

int main(int argc, char **argv)
{
    uint32_t root, etc, tmp, f, stop;
    (void)argc, (void)argv;
    if (capos_capset_find("root", capos_Directory_INTERFACE_ID, &root) != CAPOS_OK) {
        capos_printf("roottree: no root directory granted\n");
        return 1;
    }
    show(root, "", 2);
    int status = 1;
    if (open_in(root, "etc", (capos_Directory_open_args){.directory = true}, &etc) == CAPOS_OK &&
        open_in(etc, "motd", (capos_Directory_open_args){.readOnly = true}, &f) == CAPOS_OK) {
        capos_File_read_results r;
        struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
        if (capos_File_read_call(f, &(capos_File_read_args){.count = 200}, &r, &o) == CAPOS_OK) {
            /* Its first line. */
            uint32_t n = 0;
            while (n < r.data.len && r.data.ptr[n] != '\n')
                n++;
            capos_printf("roottree: /etc/motd: %.*s\n", (int)n, (const char *)r.data.ptr);
        }
        capos_release(f);
    }
    if (open_in(root, "tmp", (capos_Directory_open_args){.directory = true}, &tmp) == CAPOS_OK &&
        open_in(tmp, "note", (capos_Directory_open_args){.create = true, .mode = 0644}, &f) ==
            CAPOS_OK) {
        capos_File_write_results w;
        capos_File_read_results r;
        struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
        if (capos_File_write_call(f,
                                  &(capos_File_write_args){.data = {(const uint8_t *)"written", 7}},
                                  &w, NULL) == CAPOS_OK &&
            capos_File_read_call(f, &(capos_File_read_args){.count = 64}, &r, &o) == CAPOS_OK &&
            r.data.len == 7 && memcmp(r.data.ptr, "written", 7) == 0) {
            capos_printf("roottree: /tmp/note written and read back\n");
            status = 0;
        }
        capos_release(f);
    }
    if (capos_capset_find("stop", capos_Directory_INTERFACE_ID, &stop) == CAPOS_OK)
        capos_Directory_quota_call(stop, NULL, NULL, NULL);
    return status;
}
