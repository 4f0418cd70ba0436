/* A write into a PROT_NONE guard page stops the program the way SIGSEGV
 * does (status 139); what it printed before stays printed. */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    if (mprotect(p + 4096, 4096, PROT_NONE) != 0)
        return 2;
    p[0] = 1;
    p[2 * 4096] = 1;
    printf("writable pages on both sides of the guard: ok\n");
    fflush(stdout);
    ((volatile char *)p)[4096 + 100] = 1;
    printf("not reached\n");
    return 0;
}
