/* A child of the signal tests.  It says "ready" on stdout once it is set
 * up, then, by its first argument:
 *   spin      loops until a signal ends it;
 *   term3     the same, with a SIGTERM handler that exits with 3;
 *   alarm     alarm(1), then loops: SIGALRM's default action ends it;
 *   read R    reads a line from stdin with a SIGUSR1 handler (SA_RESTART
 *             if R is "restart"), and tells what read and the handler saw;
 *   sleep     nanosleep(20 s) with a SIGUSR1 handler without SA_RESTART;
 *   info      waits in pause for SIGUSR1 and reports its siginfo;
 *   altstack  loops until SIGUSR1, whose SA_ONSTACK handler reports
 *             whether it ran on the alternate stack;
 *   forge F   returns from a signal handler it never had, through a frame
 *             it forged (capOS: the personality's restore code; Linux:
 *             rt_sigreturn): F "iopl" asks for IOPL 3 with interrupts off
 *             and CF set, landing at a stub that reports the flags and the
 *             privilege level it runs at; F "rip" resumes at a
 *             non-canonical address.  (The capOS frame has no CS at all:
 *             the kernel never reads a frame back.) */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits, on_alt;
static volatile pid_t from;
static volatile int code;
static char alt[65536];

static void on_term(int sig)
{
    (void)sig;
    _exit(3);
}

static void on_usr1(int sig)
{
    (void)sig;
    hits++;
}

static void on_info(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    from = si->si_pid;
    code = si->si_code;
    hits++;
}

static void on_alt_handler(int sig)
{
    char here;
    (void)sig;
    on_alt = (uintptr_t)&here >= (uintptr_t)alt && (uintptr_t)&here < (uintptr_t)alt + sizeof(alt);
    hits++;
}

static char forge_stack[16384] __attribute__((aligned(16)));

/* Where a forged frame lands: the flags as restored, then C. */
void forge_landed(unsigned long flags);
__asm__(".text\n"
        "forge_land:\n"
        "    pushfq\n"
        "    popq %rdi\n"
        "    andq $-16, %rsp\n"
        "    call forge_landed\n"
        "    ud2\n");
extern char forge_land[];

void forge_landed(unsigned long flags)
{
    unsigned short cs;
    __asm__ volatile("movw %%cs, %0" : "=r"(cs));
    printf("landed: ring %d, IOPL %lu, IF %lu, CF %lu\n", cs & 3, (flags >> 12) & 3,
           (flags >> 9) & 1, flags & 1);
    fflush(stdout);
    _exit(0);
}

#ifdef __capos__
/* The personality's restore code and its frame's first words
 * (lib/abi/signal.h). */
void __capos_sig_restore(void *frame);
static void forge(unsigned long rip, unsigned long flags, unsigned long sp)
{
    static struct {
        unsigned long signals, rip, rflags, rsp, regs[15];
        unsigned char info[1024];
    } f __attribute__((aligned(16)));
    f.rip = rip;
    f.rflags = flags;
    f.rsp = sp;
    __capos_sig_restore(&f);
}
#else
#include <sys/syscall.h>
#include <ucontext.h>
static void forge(unsigned long rip, unsigned long flags, unsigned long sp)
{
    static struct {
        unsigned long pretcode;
        ucontext_t uc;
        siginfo_t info;
    } f __attribute__((aligned(16)));
    f.uc.uc_stack.ss_flags = SS_DISABLE;
    f.uc.uc_mcontext.gregs[REG_RIP] = (long)rip;
    f.uc.uc_mcontext.gregs[REG_EFL] = (long)flags;
    f.uc.uc_mcontext.gregs[REG_RSP] = (long)sp;
    f.uc.uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bL << 48); /* user CS and SS */
    __asm__ volatile("movq %0, %%rsp\n\tmovl %1, %%eax\n\tsyscall" ::"r"(&f.uc),
                     "i"(SYS_rt_sigreturn)
                     : "memory");
}
#endif

static void ready(void)
{
    printf("ready\n");
    fflush(stdout);
}

static void handle(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    if (strcmp(m, "spin") == 0 || strcmp(m, "term3") == 0 || strcmp(m, "alarm") == 0) {
        if (strcmp(m, "term3") == 0)
            handle(SIGTERM, on_term, 0);
        if (strcmp(m, "alarm") == 0)
            alarm(1);
        ready();
        for (volatile unsigned long i = 0;; i++)
            ;
    }
    if (strcmp(m, "read") == 0) {
        int restart = argc > 2 && strcmp(argv[2], "restart") == 0;
        handle(SIGUSR1, on_usr1, restart ? SA_RESTART : 0);
        ready();
        char buf[64];
        ssize_t n = read(0, buf, sizeof(buf));
        int e = errno;
        printf("read returned %zd (%s), handler ran %d time(s)\n", n, n < 0 ? strerror(e) : "data",
               (int)hits);
        return 0;
    }
    if (strcmp(m, "sleep") == 0) {
        handle(SIGUSR1, on_usr1, 0);
        ready();
        struct timespec t = {20, 0}, rem = {0, 0};
        int r = nanosleep(&t, &rem);
        int e = errno;
        printf("nanosleep returned %d (%s), handler ran %d time(s), time left: %d\n", r,
               r ? strerror(e) : "slept", (int)hits, rem.tv_sec > 0 && rem.tv_sec < 20);
        return 0;
    }
    if (strcmp(m, "info") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_info;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, NULL);
        ready();
        while (!hits)
            pause();
        printf("siginfo: from my parent %d, si_code SI_USER %d\n", from == getppid(),
               code == SI_USER);
        return 0;
    }
    if (strcmp(m, "altstack") == 0) {
        stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0};
        sigaltstack(&ss, NULL);
        handle(SIGUSR1, on_alt_handler, SA_ONSTACK);
        ready();
        while (!hits)
            ;
        stack_t now;
        sigaltstack(NULL, &now);
        printf("handler on the alternate stack: %d, not on it now: %d\n", (int)on_alt,
               !(now.ss_flags & SS_ONSTACK));
        return 0;
    }
    if (strcmp(m, "forge") == 0) {
        unsigned long top = (unsigned long)(forge_stack + sizeof(forge_stack)) - 8;
        ready();
        if (argc > 2 && strcmp(argv[2], "iopl") == 0)
            forge((unsigned long)forge_land, (3UL << 12) | 1 | 2, top); /* IOPL 3, IF 0, CF */
        else
            forge(0x8000000000001000UL, 2 | (1 << 9), top);
        printf("not reached\n");
        return 2;
    }
    return 1;
}
