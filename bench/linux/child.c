/*
 * The programs the posix_spawn figures start.
 *
 * Built twice (see bench/bench.mk):
 *  - without BENCH_CHILD_LIBC, with -nostdlib: a 9 KB static ELF whose entry
 *    point calls exit_group(0) at once.  Spawning it costs the kernel's
 *    process creation, exec, exit and reaping, and nothing of the child's own.
 *  - with BENCH_CHILD_LIBC, against static glibc: an ordinary C program that
 *    returns 0, so glibc's start-up, its page faults and exit are added.
 */
#ifdef BENCH_CHILD_LIBC
int main(void)
{
    return 0;
}
#else
void _start(void) __attribute__((noreturn));

void _start(void)
{
    /* exit_group(0) */
    __asm__ volatile("syscall" : : "a"(231), "D"(0) : "rcx", "r11", "memory");
    __builtin_unreachable();
}
#endif
