/* errno for calls that must fail, named (not strerror, whose wording is the
 * C library's choice). */
#define _GNU_SOURCE /* cpu_set_t, sched_getaffinity */
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *name(int e)
{
    switch (e) {
    case 0: return "0";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ESPIPE: return "ESPIPE";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case ENOTTY: return "ENOTTY";
    case EAGAIN: return "EAGAIN";
    case ESRCH: return "ESRCH";
    case EMFILE: return "EMFILE";
    case ENODEV: return "ENODEV";
    case EEXIST: return "EEXIST";
    default: return "other";
    }
}

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(expr);                                                                    \
        printf("%-48s -> %ld %s\n", #expr, r_, name(errno));                                       \
    } while (0)

int main(void)
{
    char buf[16];
    struct timespec bad = {0, -1};
    cpu_set_t set;
    struct iovec iov[2] = {{buf, 1}, {buf, 1}};
    TRY(close(-1));
    TRY(close(200));
    TRY(read(77, buf, 1));
    TRY(write(-5, buf, 1));
    TRY(read(1, buf, 1));
    TRY(write(0, buf, 1));
    TRY(lseek(1, 0, SEEK_SET));
    TRY(pread(1, buf, 1, 0));
    TRY(dup(99));
    TRY(dup2(1, -1));
    TRY(dup2(99, 5));
    TRY(dup3(1, 1, 0));
    TRY(dup3(1, 5, 12345));
    TRY(fcntl(1, 9999));
    TRY(fcntl(55, F_GETFD));
    TRY(fcntl(1, F_DUPFD, -1));
    TRY(isatty(1));
    TRY(isatty(42));
    TRY(writev(1, iov, -1));
    TRY(mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
    TRY(mmap(0, 4096, PROT_READ, MAP_PRIVATE, 7, 0) == MAP_FAILED);
    TRY(mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 123) == MAP_FAILED);
    TRY(mmap((void *)0x1001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
        MAP_FAILED);
    TRY(munmap((void *)0x1001, 4096));
    TRY(mprotect((void *)0x1001, 4096, PROT_READ));
    TRY(nanosleep(&bad, NULL));
    TRY(getrandom(buf, 4, 0x100));
    TRY(sched_getaffinity(0, 1, &set));
    TRY(kill(987654, 0));
    TRY(open("/no/such/file", O_RDONLY));
    TRY(access("/no/such/file", F_OK));
    TRY(stat("/no/such/file", &(struct stat){0}));
    TRY(unlink("/no/such/file"));
    TRY(chdir("/no/such/dir"));
    return 0;
}
