/*
 * The memory row of `make bench`: a static hello world, built with
 * tools/capos-cc for capOS and musl-gcc -static for Linux, that reports at
 * its last line the memory it holds.
 *
 * On capOS that is getrusage's ru_maxrss: the memory charged to the
 * process (its private pages, page tables, stack, ring and kernel records;
 * docs/posix.md, docs/benchmarks.md).
 *
 * On Linux it is the Rss of /proc/self/smaps_rollup, which walks the page
 * tables and counts every page mapped: the program's text and data (file
 * pages included), stack, heap and vDSO.  VmRSS of /proc/self/status does
 * not do for a process this short: Linux 6.1 (the kernel the benchmark
 * boots) counts a task's RSS changes in the task and folds them into the
 * process's counters only every 64 page faults and when the task is
 * switched out or exits (SPLIT_RSS_COUNTING), so VmRSS misses most of what
 * a program that has taken fewer faults than that holds.  Both are printed,
 * VmRSS under a key of its own for the record.  The files are read with
 * open and read into a buffer on the stack, so that measuring adds nothing
 * resident; getrusage's ru_maxrss would not do either (Linux carries the
 * parent's peak across exec).
 * Keys: posix_hello_kib on capOS; linux_posix_hello_kib (Rss) and
 * linux_posix_hello_vmrss_kib on Linux.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#ifdef __capos__
#define PREFIX "posix_"
#else
#include <fcntl.h>
#define PREFIX "linux_posix_"
#endif

#ifdef __capos__
static long held_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}
#else
/* The value in kB of the line starting with `key` in a /proc file. */
static long proc_kib(const char *path, const char *key)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    const char *p = strstr(buf, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}
#endif

int main(void)
{
    printf("Hello, world\n");
#ifdef __capos__
    long kib = held_kib();
    printf("BENCH " PREFIX "hello_kib %ld\n", kib);
    printf("BENCH_END\n");
#else
    long kib = proc_kib("/proc/self/smaps_rollup", "\nRss:");
    long vmrss = proc_kib("/proc/self/status", "\nVmRSS:");
    printf("BENCH " PREFIX "hello_kib %ld\n", kib);
    printf("BENCH " PREFIX "hello_vmrss_kib %ld\n", vmrss);
    if (vmrss < 0)
        return 1;
#endif
    return kib < 0;
}
