/*
 * The memory row of `make bench`: a static hello world, built with
 * tools/capos-cc for capOS and musl-gcc -static for Linux, that reports at
 * its last line the memory it holds.  On Linux that is VmRSS from
 * /proc/self/status (read with open and read into a buffer on the stack,
 * so that measuring adds nothing resident; getrusage's ru_maxrss would
 * not do: Linux carries the parent's peak across exec).  On capOS it is
 * getrusage's ru_maxrss, the memory charged to the process (its pages,
 * page tables, stack, ring and kernel records: docs/posix.md).
 * Keys: posix_hello_kib on capOS, linux_posix_hello_kib on Linux.
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

static long held_kib(void)
{
#ifdef __capos__
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
#else
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    const char *p = strstr(buf, "\nVmRSS:");
    return p ? strtol(p + 7, NULL, 10) : -1;
#endif
}

int main(void)
{
    printf("Hello, world\n");
    long kib = held_kib();
    printf("BENCH " PREFIX "hello_kib %ld\n", kib);
#ifdef __capos__
    printf("BENCH_END\n");
#endif
    return kib < 0;
}
