/*
 * The memory row of `make bench`: a static hello world, built with
 * tools/capos-cc for capOS and musl-gcc -static for Linux, that reports at
 * its last line what it holds: getrusage's ru_maxrss, on Linux the peak
 * resident set in KiB (nothing is freed before, so the resident set at
 * that line), on capOS the memory charged to the process in KiB (its
 * pages, page tables, stack, ring and kernel records: docs/posix.md).
 * Keys: posix_hello_kib on capOS, linux_posix_hello_kib on Linux.
 */
#include <stdio.h>
#include <sys/resource.h>

#ifdef __capos__
#define PREFIX "posix_"
#else
#define PREFIX "linux_posix_"
#endif

int main(void)
{
    struct rusage ru;
    printf("Hello, world\n");
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 1;
    printf("BENCH " PREFIX "hello_kib %ld\n", ru.ru_maxrss);
#ifdef __capos__
    printf("BENCH_END\n");
#endif
    return 0;
}
