/*
 * Smoke test of the file service (user/services/filesrv.c) through the
 * generated File and Directory stubs only: files (create, read, write,
 * truncate, stat, a 64 KiB sequential write), list paging over more than
 * 100 entries, mkdir, remove, rename and move, sub() confinement, read-only
 * facets, quota exhaustion, names the service refuses (naming the field);
 * through the Store and Namespace stubs: blobs named by their SHA-256
 * (checked against the FIPS 180-4 vector for "abc"), deduplication and who
 * pays, quota exhaustion, names bound, listed and unbound, realms and
 * read-only facets; that a client which exited in the middle of its calls
 * (user/tests/files_quitter.c) left the service serving and its file
 * whole; and, last, two processes it spawns writing one file at once
 * (user/tests/files_writer.c).
 */
#define TESTCASE_PREFIX "files"
#include "testcase.h"

#include "base/mem.h"
#include "crypto/sha256.h"
#include "fmt/fmt.h"
#include "fs/records.h"

static uint32_t root, store, nspace;
static uint64_t res_buf[capos_File_read_RESULT_BYTES / 8 + 1];
static uint8_t big[65536], back[65536];
/* Room for the largest parameter message (a write of maxFileIo bytes, a
 * name past the limit): the stubs' own arenas fit only small ones. */
static uint64_t arena[capos_maxFileIo / 8 + 64];

/* Directory.open: *file or *dir (each may be NULL) gets the capability. */
static int open_at(uint32_t dir, struct capnp_text name, capos_Directory_open_args a,
                   uint32_t *file, uint32_t *sub, uint32_t *detail)
{
    capos_Directory_open_results r;
    struct capos_rpc_opts o = {.arena = arena, .arena_len = sizeof(arena)};
    a.name = name;
    int err = capos_Directory_open_call(dir, &a, &r, &o);
    if (detail)
        *detail = o.detail;
    if (err != CAPOS_OK)
        return err;
    if (file)
        *file = r.file;
    if (sub)
        *sub = r.directory;
    return CAPOS_OK;
}

static int create(uint32_t dir, const char *name, uint32_t *file)
{
    return open_at(dir, capnp_text_of(name),
                   (capos_Directory_open_args){.create = true, .mode = 0640}, file, NULL, NULL);
}

static int write_at(uint32_t f, uint64_t off, const void *p, uint32_t len)
{
    capos_File_write_results r;
    struct capos_rpc_opts o = {.arena = arena, .arena_len = sizeof(arena)};
    int err =
        capos_File_write_call(f, &(capos_File_write_args){.offset = off, .data = {p, len}}, &r, &o);
    if (err == CAPOS_OK && r.count != len)
        return CAPOS_ERR_INVALID_ARGUMENT;
    return err;
}

/* File.read into dst; *n gets the count. */
static int read_at(uint32_t f, uint64_t off, void *dst, uint32_t len, uint32_t *n)
{
    capos_File_read_results r;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    int err = capos_File_read_call(f, &(capos_File_read_args){.offset = off, .count = len}, &r, &o);
    if (err != CAPOS_OK)
        return err;
    memcpy(dst, r.data.ptr, r.data.len);
    *n = r.data.len;
    return CAPOS_OK;
}

static uint64_t file_size(uint32_t f)
{
    capos_File_size_results r = {0};
    capos_File_size_call(f, NULL, &r, NULL);
    return r.size;
}

static void files(void)
{
    uint32_t f, n = 0, again;
    char buf[64];
    begin("files");
    expect("create hello", create(root, "hello", &f), CAPOS_OK);
    expect("write", write_at(f, 0, "hello, world", 12), CAPOS_OK);
    expect("read", read_at(f, 0, buf, sizeof(buf), &n), CAPOS_OK);
    CHECK(n == 12 && memcmp(buf, "hello, world", 12) == 0, "read back %u bytes", n);
    capos_File_stat_results st;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    expect("stat", capos_File_stat_call(f, NULL, &st, &o), CAPOS_OK);
    CHECK(capos_Stat_get_kind(st.stat) == capos_NodeKind_file &&
              capos_Stat_get_size(st.stat) == 12 && capos_Stat_get_mode(st.stat) == 0640 &&
              capos_Stat_get_links(st.stat) == 1 && capos_Stat_get_inode(st.stat) != 0 &&
              !capos_Stat_get_readOnly(st.stat) && capos_Stat_get_mtimeNs(st.stat) != 0,
          "stat: kind %u size %lu mode %o", capos_Stat_get_kind(st.stat),
          (unsigned long)capos_Stat_get_size(st.stat), capos_Stat_get_mode(st.stat));
    expect("truncate 5",
           capos_File_truncate_call(f, &(capos_File_truncate_args){.size = 5}, NULL, NULL),
           CAPOS_OK);
    CHECK(file_size(f) == 5, "size after truncate %lu", (unsigned long)file_size(f));
    expect("read after truncate", read_at(f, 0, buf, sizeof(buf), &n), CAPOS_OK);
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "read %u bytes after truncate", n);
    expect("read past the end", read_at(f, 100, buf, sizeof(buf), &n), CAPOS_OK);
    CHECK(n == 0, "read past the end gave %u bytes", n);
    expect("sync", capos_File_sync_call(f, NULL, NULL, NULL), CAPOS_OK);
    /* 64 KiB in two writes, read back in two reads. */
    for (uint32_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 13 + 5);
    expect("write 32 KiB", write_at(f, 0, big, 32768), CAPOS_OK);
    expect("write 32 KiB more", write_at(f, 32768, big + 32768, 32768), CAPOS_OK);
    uint32_t n1 = 0, n2 = 0;
    expect("read 32 KiB", read_at(f, 0, back, 32768, &n1), CAPOS_OK);
    expect("read 32 KiB more", read_at(f, 32768, back + 32768, 32768, &n2), CAPOS_OK);
    CHECK(n1 + n2 == sizeof(big) && memcmp(big, back, sizeof(big)) == 0, "64 KiB read back");
    /* Opening again: exclusive refuses, truncate empties. */
    expect("create exclusive over a file",
           open_at(root, capnp_text_of("hello"),
                   (capos_Directory_open_args){.create = true, .exclusive = true}, &again, NULL,
                   NULL),
           CAPOS_ERR_ALREADY_EXISTS);
    expect("open truncate",
           open_at(root, capnp_text_of("hello"), (capos_Directory_open_args){.truncate = true},
                   &again, NULL, NULL),
           CAPOS_OK);
    CHECK(file_size(f) == 0, "size after open truncate %lu", (unsigned long)file_size(f));
    expect(
        "open a missing file",
        open_at(root, capnp_text_of("missing"), (capos_Directory_open_args){0}, &again, NULL, NULL),
        CAPOS_ERR_NOT_FOUND);
    end();
}

/* Directory.listRecords gives the pages Directory.list gives, entry for
 * entry: name, kind, inode and next, and the same next and end. */
static void list_records(uint32_t dir)
{
    static uint64_t rec_res[capos_Directory_listRecords_RESULT_BYTES / 8 + 1];
    uint64_t cursor = 0;
    unsigned records = 0;
    for (int page = 0; page < 10; page++) {
        capos_Directory_list_results l;
        capos_Directory_listRecords_results r;
        struct capos_rpc_opts lo = {.buf = res_buf, .buf_len = sizeof(res_buf)};
        struct capos_rpc_opts ro = {.buf = rec_res, .buf_len = sizeof(rec_res)};
        int err = capos_Directory_list_call(
            dir, &(capos_Directory_list_args){.cursor = cursor, .max = 64}, &l, &lo);
        if (err == CAPOS_OK)
            err = capos_Directory_listRecords_call(
                dir, &(capos_Directory_listRecords_args){.cursor = cursor, .max = 64}, &r, &ro);
        if (err != CAPOS_OK) {
            fail("list and listRecords: %s", capos_error_name(err));
            return;
        }
        CHECK(l.next == r.next && l.end == r.end, "page %d: next or end differ", page);
        size_t at = 0;
        struct fs_rec rec;
        uint32_t n = capos_DirEntry_list_len(l.entries), i = 0;
        while (fs_rec_next(r.records.ptr, r.records.len, &at, &rec) == FS_REC_OK && i < n) {
            capos_DirEntry_reader e = capos_DirEntry_list_get(l.entries, i);
            struct capnp_text t = capos_DirEntry_get_name(e);
            CHECK(t.len == rec.name_len && memcmp(t.str, rec.name, t.len) == 0 &&
                      (uint32_t)capos_DirEntry_get_kind(e) == (uint32_t)rec.kind &&
                      capos_DirEntry_get_inode(e) == rec.ino &&
                      capos_DirEntry_get_next(e) == rec.next,
                  "record %u of page %d differs", i, page);
            i++;
        }
        CHECK(at == r.records.len && i == n, "page %d: %u records for %u entries", page, i, n);
        records += i;
        if (r.end)
            break;
        cursor = r.next;
    }
    CHECK(records == 150, "%u records", records);
}

static void list(void)
{
    uint32_t sub, f;
    char name[16];
    static bool seen[150];
    begin("list");
    expect("mkdir many",
           capos_Directory_mkdir_call(
               root, &(capos_Directory_mkdir_args){.name = capnp_text_of("many")}, NULL, NULL),
           CAPOS_OK);
    expect("open many",
           open_at(root, capnp_text_of("many"), (capos_Directory_open_args){.directory = true},
                   NULL, &sub, NULL),
           CAPOS_OK);
    for (int i = 0; i < 150; i++) {
        fmt_snprintf(name, sizeof(name), "f%03d", i);
        int err = create(sub, name, &f);
        if (err != CAPOS_OK) {
            fail("create %s: %s", name, capos_error_name(err));
            break;
        }
        capos_release(f);
    }
    uint64_t cursor = 0;
    unsigned pages = 0, entries = 0;
    for (;;) {
        capos_Directory_list_results r;
        struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
        int err = capos_Directory_list_call(
            sub, &(capos_Directory_list_args){.cursor = cursor, .max = 64}, &r, &o);
        if (err != CAPOS_OK) {
            fail("list: %s", capos_error_name(err));
            break;
        }
        pages++;
        for (uint32_t i = 0; i < capos_DirEntry_list_len(r.entries); i++) {
            capos_DirEntry_reader e = capos_DirEntry_list_get(r.entries, i);
            struct capnp_text t = capos_DirEntry_get_name(e);
            int id = t.len == 4 && t.str[0] == 'f'
                         ? (t.str[1] - '0') * 100 + (t.str[2] - '0') * 10 + (t.str[3] - '0')
                         : -1;
            if (id < 0 || id >= 150 || seen[id] ||
                capos_DirEntry_get_kind(e) != capos_NodeKind_file)
                fail("unexpected entry %.*s", (int)t.len, t.str);
            else
                seen[id] = true;
            entries++;
        }
        if (r.end)
            break;
        cursor = r.next;
        if (pages > 10) {
            fail("list does not end");
            break;
        }
    }
    CHECK(entries == 150 && pages == 3, "%u entries in %u pages", entries, pages);
    capos_printf("files: listed %u entries in %u pages\n", entries, pages);
    list_records(sub);
    end();
}

static void tree_ops(void)
{
    uint32_t f, d, gone;
    char buf[16];
    uint32_t n;
    begin("mkdir-remove-rename");
    expect("mkdir d",
           capos_Directory_mkdir_call(
               root, &(capos_Directory_mkdir_args){.name = capnp_text_of("d"), .mode = 0750}, NULL,
               NULL),
           CAPOS_OK);
    expect("mkdir d again",
           capos_Directory_mkdir_call(
               root, &(capos_Directory_mkdir_args){.name = capnp_text_of("d")}, NULL, NULL),
           CAPOS_ERR_ALREADY_EXISTS);
    capos_Directory_sub_results sr = {0};
    expect("sub d",
           capos_Directory_sub_call(root, &(capos_Directory_sub_args){.name = capnp_text_of("d")},
                                    &sr, NULL),
           CAPOS_OK);
    d = sr.directory;
    expect("create d/x", create(d, "x", &f), CAPOS_OK);
    expect("write d/x", write_at(f, 0, "xyz", 3), CAPOS_OK);
    expect("remove a non-empty directory",
           capos_Directory_remove_call(
               root, &(capos_Directory_remove_args){.name = capnp_text_of("d")}, NULL, NULL),
           CAPOS_ERR_NOT_EMPTY);
    expect(
        "rename a file over a directory",
        capos_Directory_rename_call(root,
                                    &(capos_Directory_rename_args){.from = capnp_text_of("hello"),
                                                                   .to = capnp_text_of("d")},
                                    NULL, NULL),
        CAPOS_ERR_IS_DIRECTORY);
    expect("rename a directory over a file",
           capos_Directory_rename_call(root,
                                       &(capos_Directory_rename_args){.from = capnp_text_of("d"),
                                                                      .to = capnp_text_of("hello")},
                                       NULL, NULL),
           CAPOS_ERR_NOT_DIRECTORY);
    /* A symbolic link: open gives its target and no capability; lstat
     * reports it; setAttr changes its times; remove takes it. */
    expect("symlink l",
           capos_Directory_symlink_call(
               d,
               &(capos_Directory_symlink_args){.name = capnp_text_of("l"),
                                               .target = capnp_text_of("../x")},
               NULL, NULL),
           CAPOS_OK);
    {
        capos_Directory_open_results orr;
        expect("open l",
               capos_Directory_open_call(
                   d, &(capos_Directory_open_args){.name = capnp_text_of("l")}, &orr, NULL),
               CAPOS_OK);
        CHECK(orr.file == CAPNP_NO_CAP && orr.directory == CAPNP_NO_CAP && orr.symlink,
              "open of a link says it is one, with no capability");
        expect("setAttr l",
               capos_Directory_setAttr_call(
                   d,
                   &(capos_Directory_setAttr_args){
                       .name = capnp_text_of("l"), .setMtime = true, .mtimeNs = 12345},
                   NULL, NULL),
               CAPOS_OK);
        capos_Directory_lstat_results lr;
        struct capos_rpc_opts lo = {.buf = res_buf, .buf_len = sizeof(res_buf)};
        expect("lstat l",
               capos_Directory_lstat_call(
                   d, &(capos_Directory_lstat_args){.name = capnp_text_of("l")}, &lr, &lo),
               CAPOS_OK);
        CHECK(capos_Stat_get_kind(lr.stat) == capos_NodeKind_symlink &&
                  capos_Stat_get_size(lr.stat) == 4 && capos_Stat_get_mtimeNs(lr.stat) == 12345 &&
                  lr.target.len == 4 && memcmp(lr.target.str, "../x", 4) == 0,
              "lstat of a link gives its target");
        expect("remove l",
               capos_Directory_remove_call(
                   d, &(capos_Directory_remove_args){.name = capnp_text_of("l")}, NULL, NULL),
               CAPOS_OK);
    }
    expect("rename d/x to y",
           capos_Directory_rename_call(
               d,
               &(capos_Directory_rename_args){.from = capnp_text_of("x"), .to = capnp_text_of("y")},
               NULL, NULL),
           CAPOS_OK);
    expect("open the old name",
           open_at(d, capnp_text_of("x"), (capos_Directory_open_args){0}, &gone, NULL, NULL),
           CAPOS_ERR_NOT_FOUND);
    expect("read through the renamed file's capability", read_at(f, 0, buf, sizeof(buf), &n),
           CAPOS_OK);
    CHECK(n == 3 && memcmp(buf, "xyz", 3) == 0, "renamed file reads %u bytes", n);
    expect("remove d/y",
           capos_Directory_remove_call(
               d, &(capos_Directory_remove_args){.name = capnp_text_of("y")}, NULL, NULL),
           CAPOS_OK);
    expect("read a removed file", read_at(f, 0, buf, sizeof(buf), &n), CAPOS_ERR_NOT_FOUND);
    expect("remove d",
           capos_Directory_remove_call(
               root, &(capos_Directory_remove_args){.name = capnp_text_of("d")}, NULL, NULL),
           CAPOS_OK);
    expect("list a removed directory",
           capos_Directory_list_call(
               d, &(capos_Directory_list_args){.max = 1}, &(capos_Directory_list_results){0},
               &(struct capos_rpc_opts){.buf = res_buf, .buf_len = sizeof(res_buf)}),
           CAPOS_ERR_NOT_FOUND);
    expect("remove a missing entry",
           capos_Directory_remove_call(
               root, &(capos_Directory_remove_args){.name = capnp_text_of("d")}, NULL, NULL),
           CAPOS_ERR_NOT_FOUND);
    end();
}

static void confinement(void)
{
    uint32_t box, f, detail;
    char why[64];
    begin("sub");
    capos_Directory_mkdir_call(root, &(capos_Directory_mkdir_args){.name = capnp_text_of("box")},
                               NULL, NULL);
    capos_Directory_sub_results sr;
    expect("sub box",
           capos_Directory_sub_call(root, &(capos_Directory_sub_args){.name = capnp_text_of("box")},
                                    &sr, NULL),
           CAPOS_OK);
    box = sr.directory;
    expect("create box/inner", create(box, "inner", &f), CAPOS_OK);
    /* Nothing outside box can be named from it. */
    expect("open hello from box",
           open_at(box, capnp_text_of("hello"), (capos_Directory_open_args){0}, &f, NULL, NULL),
           CAPOS_ERR_NOT_FOUND);
    const char *up[] = {"..", ".", "../hello", "/hello"};
    for (unsigned i = 0; i < 4; i++) {
        int err =
            open_at(box, capnp_text_of(up[i]), (capos_Directory_open_args){0}, &f, NULL, &detail);
        capos_detail_name(why, sizeof(why), detail, capos_Directory_INTERFACE_ID,
                          capos_Directory_method_open);
        CHECK(err == CAPOS_ERR_INVALID_ARGUMENT && strcmp(why, "params.name") == 0,
              "open %s from box: %s: %s", up[i], capos_error_name(err), why);
    }
    capos_Directory_list_results r;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    expect("list box",
           capos_Directory_list_call(box, &(capos_Directory_list_args){.max = 16}, &r, &o),
           CAPOS_OK);
    CHECK(capos_DirEntry_list_len(r.entries) == 1 && r.end, "box lists %u entries",
          capos_DirEntry_list_len(r.entries));
    capos_Directory_stat_results st;
    expect("stat box", capos_Directory_stat_call(box, NULL, &st, &o), CAPOS_OK);
    CHECK(capos_Stat_get_kind(st.stat) == capos_NodeKind_directory &&
              capos_Stat_get_size(st.stat) == 1,
          "box stat");
    expect("sub of a file",
           capos_Directory_sub_call(
               box, &(capos_Directory_sub_args){.name = capnp_text_of("inner")}, &sr, NULL),
           CAPOS_ERR_NOT_DIRECTORY);
    end();
}

static void read_only(void)
{
    uint32_t f, rof, x;
    char buf[16];
    uint32_t n;
    begin("read-only");
    capos_Directory_readOnly_results rr;
    expect("readOnly", capos_Directory_readOnly_call(root, NULL, &rr, NULL), CAPOS_OK);
    uint32_t ro = rr.directory;
    expect("create through a read-only facet", create(ro, "new", &x), CAPOS_ERR_NOT_PERMITTED);
    expect("mkdir through a read-only facet",
           capos_Directory_mkdir_call(
               ro, &(capos_Directory_mkdir_args){.name = capnp_text_of("nd")}, NULL, NULL),
           CAPOS_ERR_NOT_PERMITTED);
    expect("remove through a read-only facet",
           capos_Directory_remove_call(
               ro, &(capos_Directory_remove_args){.name = capnp_text_of("hello")}, NULL, NULL),
           CAPOS_ERR_NOT_PERMITTED);
    expect("sub through a read-only facet",
           capos_Directory_sub_call(ro, &(capos_Directory_sub_args){.name = capnp_text_of("box")},
                                    &(capos_Directory_sub_results){0}, NULL),
           CAPOS_OK);
    expect("create rw", create(root, "rw", &f), CAPOS_OK);
    expect("write rw", write_at(f, 0, "data", 4), CAPOS_OK);
    expect("open rw through the read-only facet",
           open_at(ro, capnp_text_of("rw"), (capos_Directory_open_args){0}, &rof, NULL, NULL),
           CAPOS_OK);
    expect("write through it", write_at(rof, 0, "evil", 4), CAPOS_ERR_NOT_PERMITTED);
    expect("truncate through it",
           capos_File_truncate_call(rof, &(capos_File_truncate_args){.size = 0}, NULL, NULL),
           CAPOS_ERR_NOT_PERMITTED);
    expect("read through it", read_at(rof, 0, buf, sizeof(buf), &n), CAPOS_OK);
    CHECK(n == 4 && memcmp(buf, "data", 4) == 0, "read-only read %u bytes", n);
    capos_File_readOnly_results fr;
    expect("File.readOnly", capos_File_readOnly_call(f, NULL, &fr, NULL), CAPOS_OK);
    expect("write through File.readOnly", write_at(fr.file, 0, "evil", 4), CAPOS_ERR_NOT_PERMITTED);
    capos_File_stat_results st;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    expect("stat read-only", capos_File_stat_call(fr.file, NULL, &st, &o), CAPOS_OK);
    CHECK(capos_Stat_get_readOnly(st.stat), "stat of a read-only facet says so");
    end();
}

/* The quota account's bytes: two pages and two page lists of 4 slots (8
 * bytes each), i.e. 8 KiB in one file, then the list of a second file but
 * no page for it. */
#define QUOTA_BYTES (8192 + 2 * 4 * 8)

static void quota(void)
{
    uint32_t q, f, g, x;
    static uint8_t page[8192];
    begin("quota");
    expect("mkdir q",
           capos_Directory_mkdir_call(
               root, &(capos_Directory_mkdir_args){.name = capnp_text_of("q")}, NULL, NULL),
           CAPOS_OK);
    capos_Directory_sub_results sr = {0};
    expect("sub q",
           capos_Directory_sub_call(root, &(capos_Directory_sub_args){.name = capnp_text_of("q")},
                                    &sr, NULL),
           CAPOS_OK);
    capos_Directory_limit_results lr;
    expect("limit",
           capos_Directory_limit_call(
               sr.directory, &(capos_Directory_limit_args){.bytes = QUOTA_BYTES, .entries = 2}, &lr,
               NULL),
           CAPOS_OK);
    q = lr.directory;
    expect("create a", create(q, "a", &f), CAPOS_OK);
    expect("create b", create(q, "b", &g), CAPOS_OK);
    expect("create c over the entry quota", create(q, "c", &x), CAPOS_ERR_QUOTA_EXCEEDED);
    expect("write 8 KiB", write_at(f, 0, page, 8192), CAPOS_OK);
    expect("write past the byte quota", write_at(g, 0, page, 1), CAPOS_ERR_QUOTA_EXCEEDED);
    expect("grow a past the byte quota", write_at(f, 8192, page, 100), CAPOS_ERR_QUOTA_EXCEEDED);
    CHECK(file_size(f) == 8192 && file_size(g) == 0, "sizes after refusals: %lu %lu",
          (unsigned long)file_size(f), (unsigned long)file_size(g));
    capos_Directory_quota_results qr;
    expect("quota", capos_Directory_quota_call(q, NULL, &qr, NULL), CAPOS_OK);
    CHECK(qr.bytesUsed == 8192 + 4 * 8 && qr.bytesLimit == QUOTA_BYTES && qr.entriesUsed == 2 &&
              qr.entriesLimit == 2,
          "quota: %lu/%lu bytes %lu/%lu entries", (unsigned long)qr.bytesUsed,
          (unsigned long)qr.bytesLimit, (unsigned long)qr.entriesUsed,
          (unsigned long)qr.entriesLimit);
    /* Giving back makes room again. */
    expect("truncate a",
           capos_File_truncate_call(f, &(capos_File_truncate_args){.size = 0}, NULL, NULL),
           CAPOS_OK);
    expect("write b now", write_at(g, 0, page, 4096), CAPOS_OK);
    expect("remove a",
           capos_Directory_remove_call(
               q, &(capos_Directory_remove_args){.name = capnp_text_of("a")}, NULL, NULL),
           CAPOS_OK);
    expect("create c now", create(q, "c", &x), CAPOS_OK);
    capos_printf("files: quota refused at %u bytes and 2 entries, tree intact\n", QUOTA_BYTES);
    end();
}

/* Directory.move with toDir one of: a sub facet, read-only and limited
 * facets, a file, another service's object; and the loop refusal. */
static int move(uint32_t from_dir, const char *from, uint32_t to_dir, const char *to,
                uint32_t *detail)
{
    struct capos_xfer x = {.cap = to_dir, .mode = CAPOS_XFER_COPY};
    struct capos_rpc_opts o = {.xfer = &x, .nxfer = 1};
    int err = capos_Directory_move_call(from_dir,
                                        &(capos_Directory_move_args){.from = capnp_text_of(from),
                                                                     .to = capnp_text_of(to),
                                                                     .toDir = 0},
                                        NULL, &o);
    if (detail)
        *detail = o.detail;
    return err;
}

static uint32_t sub_of(uint32_t dir, const char *name)
{
    capos_Directory_sub_results r = {0};
    expect("sub",
           capos_Directory_sub_call(dir, &(capos_Directory_sub_args){.name = capnp_text_of(name)},
                                    &r, NULL),
           CAPOS_OK);
    return r.directory;
}

static void moves(void)
{
    uint32_t f, g, detail = 0;
    begin("move");
    static const char *const dirs[] = {"m1", "m2", "m1/in"};
    for (unsigned i = 0; i < 3; i++) {
        const char *slash = dirs[i][2] == '/' ? dirs[i] + 3 : dirs[i];
        uint32_t parent = slash == dirs[i] ? root : sub_of(root, "m1");
        expect("mkdir",
               capos_Directory_mkdir_call(
                   parent, &(capos_Directory_mkdir_args){.name = capnp_text_of(slash)}, NULL, NULL),
               CAPOS_OK);
    }
    uint32_t m1 = sub_of(root, "m1"), m2 = sub_of(root, "m2"), in = sub_of(m1, "in");
    expect("create m1/f", create(m1, "f", &f), CAPOS_OK);
    expect("write m1/f", write_at(f, 0, "moved", 5), CAPOS_OK);
    expect("move m1/f to m2/g", move(m1, "f", m2, "g", NULL), CAPOS_OK);
    expect("open m2/g",
           open_at(m2, capnp_text_of("g"), (capos_Directory_open_args){0}, &g, NULL, NULL),
           CAPOS_OK);
    uint32_t n = 0;
    char got[8] = {0};
    expect("read m2/g", read_at(g, 0, got, 5, &n), CAPOS_OK);
    CHECK(n == 5 && memcmp(got, "moved", 5) == 0, "m2/g holds %u bytes '%s'", n, got);
    expect("the old capability still works", write_at(f, 5, "!", 1), CAPOS_OK);
    expect("m1/f is gone",
           open_at(m1, capnp_text_of("f"), (capos_Directory_open_args){0}, NULL, NULL, NULL),
           CAPOS_ERR_NOT_FOUND);
    /* The refusals, each leaving the tree as it was. */
    expect("m1 into itself", move(root, "m1", m1, "x", &detail), CAPOS_ERR_INVALID_ARGUMENT);
    CHECK(detail == CAPOS_RPC_DETAIL(CAPOS_DETAIL_PARAMS, capos_Directory_move_field_toDir),
          "the loop refusal names %#x, not toDir", detail);
    expect("m1 below itself", move(root, "m1", in, "x", NULL), CAPOS_ERR_INVALID_ARGUMENT);
    capos_Directory_readOnly_results ro;
    expect("readOnly", capos_Directory_readOnly_call(m1, NULL, &ro, NULL), CAPOS_OK);
    expect("into a read-only facet", move(m2, "g", ro.directory, "g", NULL),
           CAPOS_ERR_NOT_PERMITTED);
    expect("out of a read-only facet", move(ro.directory, "in", m2, "in", NULL),
           CAPOS_ERR_NOT_PERMITTED);
    capos_Directory_limit_results lr;
    expect("limit",
           capos_Directory_limit_call(
               in, &(capos_Directory_limit_args){.bytes = 1 << 20, .entries = 8}, &lr, NULL),
           CAPOS_OK);
    expect("into another quota", move(m2, "g", lr.directory, "g", NULL), CAPOS_ERR_CROSS_SERVICE);
    expect("into a file", move(m2, "g", g, "x", NULL), CAPOS_ERR_NOT_DIRECTORY);
    expect("into the Store", move(m2, "g", store, "x", NULL), CAPOS_ERR_NOT_DIRECTORY);
    uint32_t console = 0;
    expect("find the console", capos_capset_find("console", capos_Console_INTERFACE_ID, &console),
           CAPOS_OK);
    expect("into the console", move(m2, "g", console, "x", NULL), CAPOS_ERR_CROSS_SERVICE);
    expect("a missing entry", move(m2, "nope", m1, "x", NULL), CAPOS_ERR_NOT_FOUND);
    expect("a bad name", move(m2, "g", m1, "..", &detail), CAPOS_ERR_INVALID_ARGUMENT);
    CHECK(detail == CAPOS_RPC_DETAIL(CAPOS_DETAIL_PARAMS, capos_Directory_move_field_to),
          "the bad name refusal names %#x, not to", detail);
    /* A directory with what it holds, then back. */
    expect("move m1 into m2", move(root, "m1", m2, "m1", NULL), CAPOS_OK);
    uint32_t z;
    expect("the moved m1/in still works through its old capability", create(in, "z", &z), CAPOS_OK);
    uint32_t moved = sub_of(sub_of(m2, "m1"), "in");
    expect("m2/m1/in holds it",
           open_at(moved, capnp_text_of("z"), (capos_Directory_open_args){0}, NULL, NULL, NULL),
           CAPOS_OK);
    expect("move it back", move(m2, "m1", root, "m1", NULL), CAPOS_OK);
    capos_printf("files: move between directories, refusals left the tree intact\n");
    end();
}

static void bad_names(void)
{
    uint32_t f, detail;
    char why[64];
    static char long_name[257];
    begin("names");
    memset(long_name, 'n', 256);
    struct capnp_text names[] = {{"", 0},    {".", 1},    {"..", 2},
                                 {"a/b", 3}, {"a\0b", 3}, {long_name, 256}};
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int err =
            open_at(root, names[i], (capos_Directory_open_args){.create = true}, &f, NULL, &detail);
        capos_detail_name(why, sizeof(why), detail, capos_Directory_INTERFACE_ID,
                          capos_Directory_method_open);
        CHECK(err == CAPOS_ERR_INVALID_ARGUMENT && strcmp(why, "params.name") == 0,
              "name %u: %s: %s", i, capos_error_name(err), why);
    }
    struct capos_rpc_opts o = {0};
    int err = capos_Directory_rename_call(
        root,
        &(capos_Directory_rename_args){.from = capnp_text_of("hello"), .to = capnp_text_of("x/y")},
        NULL, &o);
    capos_detail_name(why, sizeof(why), o.detail, capos_Directory_INTERFACE_ID,
                      capos_Directory_method_rename);
    CHECK(err == CAPOS_ERR_INVALID_ARGUMENT && strcmp(why, "params.to") == 0,
          "rename to x/y: %s: %s", capos_error_name(err), why);
    capos_printf("files: rename to x/y: %s: %s\n", capos_error_name(err), why);
    end();
}

/* SHA-256("abc"), FIPS 180-4 example B.1. */
static const uint8_t abc_hash[SHA256_DIGEST] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

static int put(uint32_t st, const void *p, uint32_t len, uint8_t hash[SHA256_DIGEST])
{
    capos_Store_put_results r;
    struct capos_rpc_opts o = {
        .arena = arena, .arena_len = sizeof(arena), .buf = res_buf, .buf_len = sizeof(res_buf)};
    int err = capos_Store_put_call(st, &(capos_Store_put_args){.data = {p, len}}, &r, &o);
    if (err == CAPOS_OK) {
        if (r.hash.len != SHA256_DIGEST)
            return CAPOS_ERR_INVALID_ARGUMENT;
        memcpy(hash, r.hash.ptr, SHA256_DIGEST);
    }
    return err;
}

static bool has(uint32_t st, const uint8_t hash[SHA256_DIGEST])
{
    capos_Store_has_results r = {0};
    int err =
        capos_Store_has_call(st, &(capos_Store_has_args){.hash = {hash, SHA256_DIGEST}}, &r, NULL);
    return err == CAPOS_OK && r.present;
}

static capos_Store_quota_results store_quota(uint32_t st)
{
    capos_Store_quota_results q = {0};
    capos_Store_quota_call(st, NULL, &q, NULL);
    return q;
}

/* Store: put/get/has, the hash of a known vector, dedup and who pays,
 * quota exhaustion, the largest blob. */
static void blobs(void)
{
    uint8_t h[SHA256_DIGEST], h2[SHA256_DIGEST];
    char why[64];
    begin("store");
    expect("put abc", put(store, "abc", 3, h), CAPOS_OK);
    CHECK(memcmp(h, abc_hash, SHA256_DIGEST) == 0, "hash of abc is not the FIPS 180-4 vector");
    CHECK(has(store, h), "has abc");
    capos_Store_get_results g;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    expect("get abc",
           capos_Store_get_call(store, &(capos_Store_get_args){.hash = {h, SHA256_DIGEST}}, &g, &o),
           CAPOS_OK);
    CHECK(g.data.len == 3 && memcmp(g.data.ptr, "abc", 3) == 0, "get abc gave %u bytes",
          g.data.len);
    memcpy(h2, h, SHA256_DIGEST);
    h2[31] ^= 1;
    CHECK(!has(store, h2), "has an unknown hash");
    expect(
        "get unknown",
        capos_Store_get_call(store, &(capos_Store_get_args){.hash = {h2, SHA256_DIGEST}}, &g, &o),
        CAPOS_ERR_NOT_FOUND);
    o = (struct capos_rpc_opts){.buf = res_buf, .buf_len = sizeof(res_buf)};
    int err = capos_Store_get_call(store, &(capos_Store_get_args){.hash = {h, 31}}, &g, &o);
    capos_detail_name(why, sizeof(why), o.detail, capos_Store_INTERFACE_ID, capos_Store_method_get);
    CHECK(err == CAPOS_ERR_INVALID_ARGUMENT && strcmp(why, "params.hash") == 0,
          "get with a 31-byte hash: %s: %s", capos_error_name(err), why);

    /* Dedup: the same bytes through a small account cost it nothing; new
     * bytes cost it their length and one entry, and the parent sees it. */
    capos_Store_limit_results lr;
    expect("limit",
           capos_Store_limit_call(store, &(capos_Store_limit_args){.bytes = 48, .entries = 4}, &lr,
                                  NULL),
           CAPOS_OK);
    uint32_t small = lr.store;
    capos_Store_quota_results before = store_quota(store);
    expect("put abc again", put(small, "abc", 3, h2), CAPOS_OK);
    CHECK(memcmp(h, h2, SHA256_DIGEST) == 0, "abc put twice has two hashes");
    capos_Store_quota_results q = store_quota(small);
    CHECK(q.bytesUsed == 0 && q.entriesUsed == 0, "a dedup hit charged %lu bytes",
          (unsigned long)q.bytesUsed);
    memset(big, 'b', 32);
    expect("put 32 bytes", put(small, big, 32, h2), CAPOS_OK);
    q = store_quota(small);
    CHECK(q.bytesUsed == 32 && q.entriesUsed == 1, "32 bytes charged %lu bytes, %lu entries",
          (unsigned long)q.bytesUsed, (unsigned long)q.entriesUsed);
    capos_Store_quota_results after = store_quota(store);
    CHECK(after.bytesUsed == before.bytesUsed + 32, "the parent account did not see the blob");

    /* Quota exhaustion: refused, nothing stored, the account unchanged. */
    memset(big, 'c', 32);
    expect("put past the quota", put(small, big, 32, h2), CAPOS_ERR_QUOTA_EXCEEDED);
    sha256(big, 32, h2);
    CHECK(!has(store, h2), "a refused blob was stored");
    q = store_quota(small);
    CHECK(q.bytesUsed == 32 && q.entriesUsed == 1, "a refused put changed the account");

    /* Immutable: a blob is its bytes; another put leaves the first as it was. */
    for (uint32_t i = 0; i < capos_maxBlob; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    expect("put the largest blob", put(store, big, capos_maxBlob, h2), CAPOS_OK);
    o = (struct capos_rpc_opts){.buf = res_buf, .buf_len = sizeof(res_buf)};
    expect(
        "get it",
        capos_Store_get_call(store, &(capos_Store_get_args){.hash = {h2, SHA256_DIGEST}}, &g, &o),
        CAPOS_OK);
    CHECK(g.data.len == capos_maxBlob && memcmp(g.data.ptr, big, capos_maxBlob) == 0,
          "the largest blob came back different");
    o = (struct capos_rpc_opts){.buf = res_buf, .buf_len = sizeof(res_buf)};
    expect("get abc after",
           capos_Store_get_call(store, &(capos_Store_get_args){.hash = {h, SHA256_DIGEST}}, &g, &o),
           CAPOS_OK);
    CHECK(g.data.len == 3 && memcmp(g.data.ptr, "abc", 3) == 0, "abc changed");
    end();
}

static int bind(uint32_t ns, const char *name, const uint8_t hash[SHA256_DIGEST])
{
    return capos_Namespace_bind_call(
        ns,
        &(capos_Namespace_bind_args){.name = capnp_text_of(name), .hash = {hash, SHA256_DIGEST}},
        NULL, NULL);
}

static int resolve(uint32_t ns, const char *name, uint8_t hash[SHA256_DIGEST])
{
    capos_Namespace_resolve_results r;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    int err = capos_Namespace_resolve_call(
        ns, &(capos_Namespace_resolve_args){.name = capnp_text_of(name)}, &r, &o);
    if (err == CAPOS_OK && hash)
        memcpy(hash, r.hash.ptr, SHA256_DIGEST);
    return err;
}

/* Every binding of `ns` in pages of `max`: how many, and how many pages;
 * `want` (if not NULL) must be the first name listed. */
static uint32_t list_all(uint32_t ns, uint32_t max, uint32_t *pages, const char *want)
{
    uint64_t cursor = 0;
    uint32_t total = 0;
    *pages = 0;
    for (;;) {
        capos_Namespace_list_results r;
        struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
        if (capos_Namespace_list_call(
                ns, &(capos_Namespace_list_args){.cursor = cursor, .max = max}, &r, &o) != CAPOS_OK)
            return 0;
        uint32_t n = capos_NameBinding_list_len(r.bindings);
        if (want && total == 0 && n) {
            struct capnp_text t =
                capos_NameBinding_get_name(capos_NameBinding_list_get(r.bindings, 0));
            CHECK(t.len == strlen(want) && memcmp(t.str, want, t.len) == 0, "first listed: %.*s",
                  (int)t.len, t.str);
        }
        total += n;
        (*pages)++;
        cursor = r.next;
        if (r.end)
            return total;
    }
}

/* Namespace: bind/resolve/list/unbind, only stored hashes, a realm that
 * sees nothing outside itself, a read-only facet. */
static void namespaces(void)
{
    uint8_t h[SHA256_DIGEST], got[SHA256_DIGEST], unknown[SHA256_DIGEST] = {0};
    uint32_t pages;
    char name[16];
    begin("namespace");
    expect("put abc", put(store, "abc", 3, h), CAPOS_OK);
    expect("bind greeting", bind(nspace, "greeting", h), CAPOS_OK);
    expect("resolve greeting", resolve(nspace, "greeting", got), CAPOS_OK);
    CHECK(memcmp(got, abc_hash, SHA256_DIGEST) == 0, "greeting resolved to another hash");
    expect("bind an unknown hash", bind(nspace, "nothing", unknown), CAPOS_ERR_NOT_FOUND);
    expect("resolve nothing", resolve(nspace, "nothing", NULL), CAPOS_ERR_NOT_FOUND);
    expect("bind ..", bind(nspace, "..", h), CAPOS_ERR_INVALID_ARGUMENT);
    for (int i = 0; i < 10; i++) {
        fmt_snprintf(name, sizeof(name), "pkg.n%d", i);
        expect("bind pkg.n", bind(nspace, name, h), CAPOS_OK);
    }
    uint32_t n = list_all(nspace, 4, &pages, "greeting");
    CHECK(n == 11 && pages == 3, "listed %u bindings in %u pages", n, pages);

    /* The realm pkg.: names seen without the prefix, nothing else. */
    capos_Namespace_sub_results sr;
    expect("sub pkg.",
           capos_Namespace_sub_call(
               nspace, &(capos_Namespace_sub_args){.prefix = capnp_text_of("pkg.")}, &sr, NULL),
           CAPOS_OK);
    uint32_t pkg = sr.namespace;
    expect("resolve n3 in pkg.", resolve(pkg, "n3", NULL), CAPOS_OK);
    expect("resolve greeting in pkg.", resolve(pkg, "greeting", NULL), CAPOS_ERR_NOT_FOUND);
    expect("resolve .. in pkg.", resolve(pkg, "..", NULL), CAPOS_ERR_INVALID_ARGUMENT);
    expect("resolve pkg.n3 in pkg.", resolve(pkg, "pkg.n3", NULL), CAPOS_ERR_NOT_FOUND);
    expect("bind tool in pkg.", bind(pkg, "tool", h), CAPOS_OK);
    expect("resolve pkg.tool", resolve(nspace, "pkg.tool", NULL), CAPOS_OK);
    n = list_all(pkg, 128, &pages, "n0");
    CHECK(n == 11 && pages == 1, "pkg. lists %u bindings", n);
    expect("unbind greeting in pkg.",
           capos_Namespace_unbind_call(
               pkg, &(capos_Namespace_unbind_args){.name = capnp_text_of("greeting")}, NULL, NULL),
           CAPOS_ERR_NOT_FOUND);

    /* Read-only: resolves and lists, binds and unbinds nothing, and so do
     * its realms. */
    capos_Namespace_readOnly_results ro;
    expect("readOnly", capos_Namespace_readOnly_call(pkg, NULL, &ro, NULL), CAPOS_OK);
    expect("resolve through read-only", resolve(ro.namespace, "tool", NULL), CAPOS_OK);
    expect("bind through read-only", bind(ro.namespace, "x", h), CAPOS_ERR_NOT_PERMITTED);
    expect("unbind through read-only",
           capos_Namespace_unbind_call(
               ro.namespace, &(capos_Namespace_unbind_args){.name = capnp_text_of("tool")}, NULL,
               NULL),
           CAPOS_ERR_NOT_PERMITTED);
    expect("sub of read-only",
           capos_Namespace_sub_call(
               ro.namespace, &(capos_Namespace_sub_args){.prefix = capnp_text_of("n")}, &sr, NULL),
           CAPOS_OK);
    expect("bind in its realm", bind(sr.namespace, "9", h), CAPOS_ERR_NOT_PERMITTED);
    expect("resolve in its realm", resolve(sr.namespace, "9", NULL), CAPOS_OK);

    /* Unbind: gone, the blob stays. */
    expect(
        "unbind greeting",
        capos_Namespace_unbind_call(
            nspace, &(capos_Namespace_unbind_args){.name = capnp_text_of("greeting")}, NULL, NULL),
        CAPOS_OK);
    expect("resolve greeting after", resolve(nspace, "greeting", NULL), CAPOS_ERR_NOT_FOUND);
    CHECK(has(store, h), "unbinding took the blob");
    end();
}

/* The quitter made "quitter" and exited with a write in flight: the
 * service serves on, and the file holds whole writes only. */
static void quitter(void)
{
    uint32_t f = 0, n = 0;
    begin("quitter");
    int err = CAPOS_ERR_NOT_FOUND;
    for (int i = 0; i < 500 && err == CAPOS_ERR_NOT_FOUND; i++) {
        err = open_at(root, capnp_text_of("quitter.done"), (capos_Directory_open_args){0}, &f, NULL,
                      NULL);
        if (err == CAPOS_ERR_NOT_FOUND)
            sleep_ms(10);
    }
    expect("open quitter.done", err, CAPOS_OK);
    sleep_ms(50); /* the quitter's exit and its writes in flight */
    expect("open quitter",
           open_at(root, capnp_text_of("quitter"), (capos_Directory_open_args){0}, &f, NULL, NULL),
           CAPOS_OK);
    uint64_t size = file_size(f);
    CHECK(size >= 4096 && size <= 5 * 4096 && size % 4096 == 0, "quitter's file is %lu bytes",
          (unsigned long)size);
    expect("read it", read_at(f, 0, back, (uint32_t)size, &n), CAPOS_OK);
    for (uint32_t i = 0; i < n; i++) {
        if (back[i] != 'q') {
            fail("byte %u of quitter's file is %u", i, back[i]);
            break;
        }
    }
    end();
}

/* Two processes write one file at once (user/tests/files_writer.c), each
 * with a copy of the same File capability: every block of the file holds
 * whole writes only. */
static void two_writers(void)
{
    enum { BLOCK = 4096, BLOCKS = 32, SHARED = 2 * BLOCKS, SHARED_BYTES = 8 * BLOCK };
    uint32_t spawner, f = 0, n = 0, handle[2] = {0, 0};
    begin("two-writers");
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK) {
        fail("no spawner");
        end();
        return;
    }
    expect("create shared", create(root, "shared", &f), CAPOS_OK);
    for (int w = 0; w < 2; w++) {
        const char *argv[] = {"files-writer", w ? "B" : "A"};
        struct capos_grant g[] = {
            {.name = "file",
             .cap = f,
             .mode = CAPOS_XFER_COPY,
             .interface_id = capos_File_INTERFACE_ID},
        };
        expect("spawn a writer",
               capos_spawn(spawner, "files-writer", w ? "files-writer-b" : "files-writer-a", g, 1,
                           argv, 2, NULL, 0, &handle[w]),
               CAPOS_OK);
    }
    for (int w = 0; w < 2; w++) {
        struct capos_exit st;
        expect("wait for a writer", capos_process_wait(handle[w], &st), CAPOS_OK);
        CHECK(st.kind == capos_ExitStatus_which_exited && st.code == 0, "writer %c ended with %d",
              'A' + w, (int)st.code);
    }
    uint64_t size = file_size(f);
    CHECK(size == (uint64_t)SHARED * BLOCK + SHARED_BYTES, "the shared file is %lu bytes",
          (unsigned long)size);
    for (uint32_t b = 0; b < SHARED; b++) {
        expect("read a block", read_at(f, (uint64_t)b * BLOCK, back, BLOCK, &n), CAPOS_OK);
        for (uint32_t i = 0; i < n; i++) {
            if (back[i] != (b % 2 ? 'B' : 'A')) {
                fail("byte %u of block %u is %u", i, b, back[i]);
                break;
            }
        }
    }
    expect("read the shared block", read_at(f, (uint64_t)SHARED * BLOCK, back, SHARED_BYTES, &n),
           CAPOS_OK);
    CHECK(n == SHARED_BYTES && (back[0] == 'A' || back[0] == 'B'), "the shared block starts %u",
          back[0]);
    for (uint32_t i = 1; i < n; i++) {
        if (back[i] != back[0]) {
            fail("the shared block is torn at byte %u", i);
            break;
        }
    }
    end();
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (capos_capset_find("root", capos_Directory_INTERFACE_ID, &root) != CAPOS_OK ||
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("files: missing root or timer\n");
        return 1;
    }
    /* Granted through the same export, which the CapSet records as a
     * Directory: the badge, not the entry, says what they are. */
    if (capos_capset_find("store", 0, &store) != CAPOS_OK ||
        capos_capset_find("names", 0, &nspace) != CAPOS_OK) {
        capos_printf("files: missing store or names\n");
        return 1;
    }
    files();
    list();
    tree_ops();
    confinement();
    read_only();
    quota();
    moves();
    bad_names();
    blobs();
    namespaces();
    quitter();
    two_writers();
    capos_printf("files: %u cases, %u failed\n", ncases, nfailed);
    /* The test system ends with the service: a call through the "stop"
     * facet is its last (filesrv's argv). */
    uint32_t stop;
    if (capos_capset_find("stop", capos_Directory_INTERFACE_ID, &stop) == CAPOS_OK)
        capos_Directory_quota_call(stop, NULL, NULL, NULL);
    return nfailed ? 1 : 0;
}
