/* Anonymous mmap: zero-filled pages, MAP_FIXED replacing part of a mapping,
 * MAP_FIXED_NOREPLACE, hints, munmap of the middle, mprotect, madvise
 * DONTNEED zeroing, mremap shrinking. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PG 4096

int main(void)
{
    char *p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zero = 1;
    for (int i = 0; i < 8 * PG; i++)
        zero &= p[i] == 0;
    printf("fresh pages are zero: %d\n", zero);
    memset(p, 'x', 8 * PG);
    char *q = mmap(p + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at the requested address: %d; replaced pages zero: %d; neighbours kept: "
           "%d %d\n",
           q == p + 2 * PG, q[0] == 0 && q[2 * PG - 1] == 0, p[2 * PG - 1] == 'x',
           p[4 * PG] == 'x');
    errno = 0;
    void *r =
        mmap(p + 3 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE over a mapping: %s\n",
           r == MAP_FAILED && errno == EEXIST ? "EEXIST" : "?");
    printf("munmap middle: %d\n", munmap(p + 5 * PG, PG));
    char *h = mmap(p + 5 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("hint into the hole honoured: %d\n", h == p + 5 * PG);
    printf("mprotect read-only: %d\n", mprotect(p, PG, PROT_READ));
    printf("still readable: %d\n", p[10] == 'x');
    printf("mprotect back: %d\n", mprotect(p, PG, PROT_READ | PROT_WRITE));
    p[PG - 1] = 'y';
    printf("madvise DONTNEED: %d", madvise(p + 6 * PG, 2 * PG, MADV_DONTNEED));
    printf(" zeroed %d\n", p[6 * PG] == 0 && p[8 * PG - 1] == 0);
    char *s = mremap(p, 8 * PG, 4 * PG, 0);
    printf("mremap shrink in place: %d\n", s == p);
    printf("munmap all: %d %d\n", munmap(p, 4 * PG), munmap(h, PG));
    char *big = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("16 MiB mapping: %d", big != MAP_FAILED);
    big[(16 << 20) - 1] = 1;
    printf(" unmapped %d\n", munmap(big, 16 << 20));
    char *none = mmap(NULL, 64 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("64 MiB PROT_NONE reservation: %d", none != MAP_FAILED);
    printf(" open a window %d", mprotect(none + (32 << 20), PG, PROT_READ | PROT_WRITE));
    none[(32 << 20) + 5] = 7;
    printf(" window works %d\n", none[(32 << 20) + 5] == 7);
    munmap(none, 64 << 20);
    return 0;
}
