/*
 * The file service's calls as a client makes them through the generated
 * stubs, one at a time, for `make bench` (bench-posix.capnp, constant
 * fsCalls; docs/benchmarks.md, "Files").  They are the floor under the
 * POSIX file rows (bench/posix/posix_files.c): what one open, stat, read,
 * write, create and listing cost in messages to the service, before the
 * POSIX layer's own work (paths, the fd table, musl).
 *
 *   fs_open_release_call_insns        Directory.open of a file + release
 *   fs_stat_call_insns                File.stat
 *   fs_read_4k_call_insns             File.read of 4 KiB
 *   fs_read_64k_calls_insns_per_kib   64 KiB in two File.read of 32 KiB (the
 *                                     most one call carries), per KiB
 *   fs_write_64k_calls_insns_per_kib  the same with File.write, over the
 *                                     file's bytes
 *   fs_create_remove_calls_insns      Directory.open (create, exclusive) +
 *                                     release + Directory.remove
 *   fs_list_1000_calls_insns          the 1000 entries of a directory in
 *                                     pages of 128 (8 Directory.listRecords
 *                                     calls), each record read
 *
 * It ends the file service through its stop badge when done.  With
 * "profile open" or "profile list" (constants profileFsOpen and
 * profileFsList) it then sleeps briefly, the cue of bench/capos/profile.py,
 * and runs that operation four times between two calls of
 * bench_profile_mark, where the profiler traces every instruction.
 */
#include "benchlib.h"

#include "base/mem.h"
#include "fmt/fmt.h"
#include "fs/records.h"

static uint32_t root, many, file;
static uint64_t overhead;
static int failures;
static uint64_t res[capos_Directory_listRecords_RESULT_BYTES / 8 + 1];
_Static_assert(capos_Directory_listRecords_RESULT_BYTES >= capos_File_read_RESULT_BYTES,
               "res holds a File.read result");
static uint64_t arena[capos_maxFileIo / 8 + 64];
static uint8_t data[capos_maxFileIo];

static int open_in(uint32_t dir, const char *name, capos_Directory_open_args a, uint32_t *cap)
{
    capos_Directory_open_results r;
    a.name = capnp_text_of(name);
    int e = capos_Directory_open_call(dir, &a, &r, NULL);
    if (e == CAPOS_OK)
        *cap = a.directory ? r.directory : r.file;
    return e;
}

static void run_open(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f;
        if (open_in(root, "f64", (capos_Directory_open_args){.readOnly = true}, &f) != CAPOS_OK)
            failures++;
        else
            capos_release(f);
    }
}

static void run_stat(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        capos_File_stat_results r;
        struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
        if (capos_File_stat_call(file, NULL, &r, &o) != CAPOS_OK)
            failures++;
    }
}

static void read_at(uint64_t off, uint32_t len)
{
    capos_File_read_results r;
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    if (capos_File_read_call(file, &(capos_File_read_args){.offset = off, .count = len}, &r, &o) !=
            CAPOS_OK ||
        r.data.len != len)
        failures++;
    else
        memcpy(data, r.data.ptr, len); /* into the caller's buffer, as read() does */
}

static void run_read_4k(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        read_at(0, 4096);
}

static void run_read_64k(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        read_at(0, capos_maxFileIo);
        read_at(capos_maxFileIo, capos_maxFileIo);
    }
}

static void run_write_64k(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        for (uint64_t off = 0; off < 65536; off += capos_maxFileIo) {
            capos_File_write_results w;
            struct capos_rpc_opts o = {.arena = arena, .arena_len = sizeof(arena)};
            if (capos_File_write_call(
                    file, &(capos_File_write_args){.offset = off, .data = {data, capos_maxFileIo}},
                    &w, &o) != CAPOS_OK)
                failures++;
        }
    }
}

static void run_create_remove(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f;
        if (open_in(root, "new",
                    (capos_Directory_open_args){.create = true, .exclusive = true, .mode = 0644},
                    &f) != CAPOS_OK) {
            failures++;
            continue;
        }
        capos_release(f);
        if (capos_Directory_remove_call(
                root, &(capos_Directory_remove_args){.name = capnp_text_of("new")}, NULL, NULL) !=
            CAPOS_OK)
            failures++;
    }
}

static void run_list(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint64_t cursor = 0;
        uint32_t seen = 0;
        for (;;) {
            capos_Directory_listRecords_results r;
            struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
            if (capos_Directory_listRecords_call(
                    many, &(capos_Directory_listRecords_args){.cursor = cursor, .max = 128}, &r,
                    &o) != CAPOS_OK) {
                failures++;
                break;
            }
            size_t at = 0;
            struct fs_rec d;
            while (fs_rec_next(r.records.ptr, r.records.len, &at, &d) == FS_REC_OK)
                seen++;
            cursor = r.next;
            if (r.end)
                break;
        }
        if (seen != 1000)
            failures++;
    }
}

static void measure(const char *key, bench_run_fn run, uint32_t n, uint32_t per)
{
    failures = 0;
    bench_measure(key, run, n, per, overhead);
    if (failures)
        capos_printf("INFO error %s: %d calls failed\n", key, failures);
}

/* The profiler's breakpoint (bench/capos/profile.py). */
static __attribute__((noinline, used)) void bench_profile_mark(void)
{
    __asm__ volatile("" ::: "memory");
}

static void profile(const char *what)
{
    bench_run_fn run = !strcmp(what, "open") ? run_open : !strcmp(what, "list") ? run_list : 0;
    uint32_t timer;
    if (!run || capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("INFO error profile: cannot profile %s\n", what);
        return;
    }
    capos_timer_sleep(timer, 1000);
    bench_profile_mark();
    run(4);
    bench_profile_mark();
    capos_printf("INFO profile %s 4 iterations\n", what);
}

int main(int argc, char **argv)
{
    root = capos_capset_require("root", capos_Directory_INTERFACE_ID);
    overhead = bench_counter_overhead();
    memset(data, 'b', sizeof(data));
    if (open_in(root, "f64", (capos_Directory_open_args){.create = true, .mode = 0644}, &file) !=
            CAPOS_OK ||
        capos_Directory_mkdir_call(root,
                                   &(capos_Directory_mkdir_args){.name = capnp_text_of("many")},
                                   NULL, NULL) != CAPOS_OK ||
        open_in(root, "many", (capos_Directory_open_args){.directory = true}, &many) != CAPOS_OK) {
        capos_printf("INFO error fscalls: cannot make the files\n");
        return 1;
    }
    run_write_64k(1);
    for (int i = 0; i < 1000; i++) {
        char name[16];
        uint32_t f;
        fmt_snprintf(name, sizeof(name), "e%04d", i);
        if (open_in(many, name, (capos_Directory_open_args){.create = true, .mode = 0644}, &f) ==
            CAPOS_OK)
            capos_release(f);
    }
    measure("fs_open_release_call_insns", run_open, 100, 1);
    measure("fs_stat_call_insns", run_stat, 100, 1);
    measure("fs_read_4k_call_insns", run_read_4k, 100, 1);
    measure("fs_read_64k_calls_insns_per_kib", run_read_64k, 10, 64);
    measure("fs_write_64k_calls_insns_per_kib", run_write_64k, 10, 64);
    measure("fs_create_remove_calls_insns", run_create_remove, 50, 1);
    measure("fs_list_1000_calls_insns", run_list, 3, 1);
    if (argc > 2 && !strcmp(argv[1], "profile"))
        profile(argv[2]);
    capos_printf("BENCH_END\n");
    uint32_t stop;
    if (capos_capset_find("stop", capos_Directory_INTERFACE_ID, &stop) == CAPOS_OK)
        capos_Directory_quota_call(stop, NULL, NULL, NULL);
    return 0;
}
