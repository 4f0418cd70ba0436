/*
 * The file rows of `make bench`: one source, built with tools/capos-cc for
 * capOS (where the files are the file service's, user/services/filesrv.c,
 * reached through the "root" Directory the POSIX layer is given) and with
 * musl-gcc -static for Linux (where they are on a tmpfs this program
 * mounts), measured like bench/posix/posix_bench.c: warm-up batches, then
 * the median of BATCHES batches, less the counter's own cost, in guest
 * instructions (docs/benchmarks.md).
 *
 *   file_open_close            open(O_RDONLY) + close of an existing file
 *   file_stat                  stat of an existing file
 *   file_read_4k               pread of 4 KiB at offset 0 of a 64 KiB file
 *   file_seq_read_64k          lseek to 0 + read of the whole 64 KiB file in
 *                              one call, per KiB
 *   file_seq_write_64k         lseek to 0 + write of 64 KiB over the file's
 *                              bytes in one call, per KiB
 *   file_create_unlink         open(O_CREAT|O_EXCL|O_WRONLY) + close + unlink
 *   dir_list_1000              opendir + readdir to the end + closedir of a
 *                              directory of 1000 files, per listing
 *   posix_spawn_wait           posix_spawn of /posix-true (bench/posix/
 *                              posix_true.c, static, returns 0; on capOS
 *                              read from the file service's tree, on Linux
 *                              from the initramfs) + waitpid
 *   fork_wait                  fork + _exit(0) in the child + waitpid
 *
 * Keys: <figure>_insns (file_seq_*: _insns_per_kib) on capOS,
 * linux_<figure>_... on Linux.  A figure whose operations fail is not
 * printed (the row reads n/a), only an INFO line saying so.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __capos__
#include <sys/mount.h>
#endif

#include "../measure.h"

#ifdef __capos__
#define PREFIX ""
#else
#define PREFIX "linux_"
#endif

#define WARMUP  2
#define BATCHES 9
#define BDIR    "/tmp/bench"
#define FILE64  BDIR "/f64"
#define LISTED  BDIR "/many"
#define SEQ     65536

static uint64_t counter_overhead;
static int failures;
static int fd64;
static char buf[SEQ];

/* The median per operation, divided by `div` (KiB for the per-KiB rows). */
static void measure(const char *key, bench_run_fn run, uint32_t n, uint32_t div)
{
    uint64_t v[BATCHES];
    failures = 0;
    bench_batches(run, n, (uint64_t)n * div, counter_overhead, WARMUP, BATCHES, v);
    if (failures) {
        printf("INFO error " PREFIX "%s: %d operations failed (errno %d)\n", key, failures, errno);
        return;
    }
    printf("BENCH " PREFIX "%s %llu\n", key, (unsigned long long)v[BATCHES / 2]);
    printf("INFO spread " PREFIX "%s min %llu median %llu max %llu\n", key,
           (unsigned long long)v[0], (unsigned long long)v[BATCHES / 2],
           (unsigned long long)v[BATCHES - 1]);
    fflush(stdout);
}

static void run_open_close(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int fd = open(FILE64, O_RDONLY);
        if (fd < 0 || close(fd) != 0)
            failures++;
    }
}

static void run_stat(uint32_t n)
{
    struct stat st;
    for (uint32_t i = 0; i < n; i++) {
        if (stat(FILE64, &st) != 0 || st.st_size != SEQ)
            failures++;
    }
}

static void run_read_4k(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (pread(fd64, buf, 4096, 0) != 4096)
            failures++;
    }
}

static void run_seq_read(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (lseek(fd64, 0, SEEK_SET) != 0 || read(fd64, buf, SEQ) != SEQ)
            failures++;
    }
}

static void run_seq_write(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (lseek(fd64, 0, SEEK_SET) != 0 || write(fd64, buf, SEQ) != SEQ)
            failures++;
    }
}

static void run_create_unlink(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int fd = open(BDIR "/new", O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd < 0 || close(fd) != 0 || unlink(BDIR "/new") != 0)
            failures++;
    }
}

static void run_list(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        DIR *d = opendir(LISTED);
        unsigned seen = 0;
        if (!d) {
            failures++;
            continue;
        }
        while (readdir(d))
            seen++;
        closedir(d);
        if (seen != 1000 + 2) /* with . and .. */
            failures++;
    }
}

extern char **environ;

static void run_spawn_wait(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        char *argv[] = {"posix-true", NULL};
        pid_t pid;
        int st = -1;
        if (posix_spawn(&pid, "/posix-true", NULL, NULL, argv, environ) != 0 ||
            waitpid(pid, &st, 0) != pid || st != 0)
            failures++;
    }
}

static void run_fork_wait(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int st = -1;
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
            failures++;
    }
}

/* The files the figures work on; false (after saying why) if they cannot
 * be made. */
static int setup(void)
{
#ifndef __capos__
    mkdir("/tmp", 01777);
    if (mount("tmpfs", "/tmp", "tmpfs", 0, "size=64m") != 0 && errno != EBUSY) {
        printf("INFO error " PREFIX "files: mount tmpfs: errno %d\n", errno);
        return 0;
    }
#endif
    if ((mkdir(BDIR, 0755) != 0 && errno != EEXIST) ||
        (mkdir(LISTED, 0755) != 0 && errno != EEXIST)) {
        printf("INFO error " PREFIX "files: mkdir " BDIR ": errno %d\n", errno);
        return 0;
    }
    memset(buf, 'b', sizeof(buf));
    fd64 = open(FILE64, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd64 < 0 || write(fd64, buf, SEQ) != SEQ) {
        printf("INFO error " PREFIX "files: " FILE64 ": errno %d\n", errno);
        return 0;
    }
    for (int i = 0; i < 1000; i++) {
        char name[64];
        snprintf(name, sizeof(name), LISTED "/entry-%04d", i);
        int fd = open(name, O_CREAT | O_WRONLY, 0644);
        if (fd < 0 || close(fd) != 0) {
            printf("INFO error " PREFIX "files: %s: errno %d\n", name, errno);
            return 0;
        }
    }
    return 1;
}

int main(void)
{
    counter_overhead = bench_counter_overhead();
    if (setup()) {
        measure("file_open_close_insns", run_open_close, 100, 1);
        measure("file_stat_insns", run_stat, 100, 1);
        measure("file_read_4k_insns", run_read_4k, 100, 1);
        measure("file_seq_read_64k_insns_per_kib", run_seq_read, 10, SEQ / 1024);
        measure("file_seq_write_64k_insns_per_kib", run_seq_write, 10, SEQ / 1024);
        measure("file_create_unlink_insns", run_create_unlink, 50, 1);
        measure("dir_list_1000_insns", run_list, 2, 1);
        measure("posix_spawn_wait_insns", run_spawn_wait, 4, 1);
        measure("fork_wait_insns", run_fork_wait, 4, 1);
    }
#ifdef __capos__
    printf("BENCH_END\n");
#endif
    fflush(stdout);
    return 0;
}
