/*
 * Start-up of a POSIX program: from the kernel's entry state to musl's
 * __libc_start_main, which runs the constructors and main.
 *
 * The kernel gives the first thread the CapSet (capabilities, argv, the
 * environment, the pid), its ring and its ThreadControl, and an empty stack.
 * This builds what a Linux kernel would have put on that stack for musl:
 * argv, envp and the auxiliary vector, with
 *   AT_PAGESZ 4096, AT_PHDR/AT_PHENT/AT_PHNUM (the program headers, which
 *   the link keeps in the first loaded page: musl finds the TLS segment
 *   there), AT_ENTRY, AT_HWCAP (CPUID leaf 1 EDX, as Linux reports it),
 *   AT_RANDOM (16 bytes from the "entropy" capability; without it, bytes
 *   mixed from the time stamp counter, documented as weak), the user and
 *   group ids (all POSIX_UID) and AT_SECURE 0, and AT_EXECFN = argv[0].
 * A malformed CapSet ends the process with status 127 before anything else.
 */
#include <cpuid.h>
#include <elf.h>
#include <string.h>

#include "fd.h"
#include "posix.h"
#include "capos.capnp.h"
#include "ring.h"
#include "syscall.h"

struct posix_caps posix_caps;

typedef int main_fn(int, char **, char **);
int __libc_start_main(int (*)(int, char **, char **), int, char **, void (*)(void), void (*)(void),
                      void (*)(void));
void _init(void), _fini(void);
extern const Elf64_Ehdr __ehdr_start;
extern const char _start[];

static struct capos_ring_client boot_ring;
static uint8_t at_random[16];

static void find_caps(void)
{
    uint32_t console = posix_capset_find("console", capos_Console_INTERFACE_ID);
    posix_caps.memory = posix_capset_find("memory", capos_VirtualMemory_INTERFACE_ID);
    posix_caps.timer = posix_capset_find("timer", capos_Timer_INTERFACE_ID);
    posix_caps.entropy = posix_capset_find("entropy", capos_EntropySource_INTERFACE_ID);
    posix_caps.threads = posix_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID);
    posix_caps.park = posix_capset_find("park", capos_ParkSpace_INTERFACE_ID);
    posix_caps.out = posix_capset_find("stdout", capos_Console_INTERFACE_ID);
    posix_caps.err = posix_capset_find("stderr", capos_Console_INTERFACE_ID);
    posix_caps.pipes = posix_capset_find("pipes", capos_PipeFactory_INTERFACE_ID);
    posix_caps.spawner = posix_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID);
    posix_caps.tty = posix_capset_find("terminal", capos_Terminal_INTERFACE_ID);
    if (!posix_caps.tty)
        posix_caps.tty = posix_capset_find("tty", capos_Terminal_INTERFACE_ID);
    if (!posix_caps.out)
        posix_caps.out = console;
    if (!posix_caps.err)
        posix_caps.err = console;
}

static void random_bytes(void)
{
    if (posix_random(at_random, sizeof(at_random)) == (long)sizeof(at_random))
        return;
    /* No entropy capability: the stack protector's canary and musl's
     * pointer mangling fall back to the time stamp counter. */
    for (unsigned i = 0; i < sizeof(at_random); i++) {
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        at_random[i] = (uint8_t)(lo ^ (lo >> 8) ^ hi ^ (i * 0x9d));
    }
}

/* Environment entries the personality passes itself (the working
 * directory, the inherited fds, the signal mask), kept from main. */
static bool start_env_hidden(const char *e)
{
    return posix_env_hidden(e) || strncmp(e, POSIX_FDS_ENV, sizeof(POSIX_FDS_ENV) - 1) == 0 ||
           strncmp(e, POSIX_SIGMASK_ENV, sizeof(POSIX_SIGMASK_ENV) - 1) == 0 ||
           strncmp(e, POSIX_SIGIGN_ENV, sizeof(POSIX_SIGIGN_ENV) - 1) == 0 ||
           strncmp(e, POSIX_CHILDREN_ENV, sizeof(POSIX_CHILDREN_ENV) - 1) == 0;
}

/* The value of environment entry `prefix`x<hex> into *m; false if there
 * is none or it is malformed. */
static bool env_hex(const char *prefix, uint64_t *m)
{
    const struct capos_capset_header *cs = posix_capset();
    size_t pl = strlen(prefix);
    for (uint32_t i = 0; i < cs->envc; i++) {
        const char *e = posix_capset_env(i);
        if (strncmp(e, prefix, pl) != 0 || e[pl] != 'x')
            continue;
        uint64_t v = 0;
        for (const char *p = e + pl + 1; *p; p++) {
            unsigned d = *p >= '0' && *p <= '9'   ? (unsigned)(*p - '0')
                         : *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10)
                                                  : 16;
            if (d == 16 || v >> 60)
                return false; /* malformed: the default */
            v = v << 4 | d;
        }
        *m = v;
        return true;
    }
    return false;
}

/* The signal mask posix_spawn asked for (POSIX_SPAWN_SETSIGMASK) or
 * execve kept, and the signals execve kept ignored. */
static void sigmask_init(void)
{
    uint64_t m;
    if (env_hex(POSIX_SIGMASK_ENV, &m))
        posix_sig_init_mask(m);
    if (env_hex(POSIX_SIGIGN_ENV, &m))
        posix_sig_init_ignored(m);
}

/* Copies s to *at (room reserved) and moves *at past it. */
static char *start_copy(char **at, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = memcpy(*at, s, n);
    *at += n;
    return d;
}

__attribute__((noreturn)) void __capos_posix_start(void *capset, void *ring, uint32_t control,
                                                   main_fn *main);

/* main comes from crt1.S, as musl's start passes it: the reference from the
 * start file is what pulls a program's main out of an archive (a program
 * linked from libraries only, like BusyBox). */
__attribute__((noreturn)) void __capos_posix_start(void *capset, void *ring, uint32_t control,
                                                   main_fn *main)
{
    capos_ring_init(&boot_ring, ring);
    capos_posix_boot_ring = &boot_ring;
    if (!posix_capset_init(capset))
        capos_sys_exit(127);
    const struct capos_capset_header *cs = posix_capset();
    posix_thread_init_main(control, (int)cs->pid);
    find_caps();
    posix_fd_init();
    posix_file_init();
    sigmask_init();
    posix_children_init();
    random_bytes();

    unsigned eax, ebx, ecx, edx = 0;
    __get_cpuid(1, &eax, &ebx, &ecx, &edx);
    const char *argv0 = cs->argc ? posix_capset_arg(0) : "";
    const size_t aux[][2] = {
        {AT_PAGESZ, 4096},
        {AT_PHDR, (size_t)&__ehdr_start + __ehdr_start.e_phoff},
        {AT_PHENT, sizeof(Elf64_Phdr)},
        {AT_PHNUM, __ehdr_start.e_phnum},
        {AT_ENTRY, (size_t)_start},
        {AT_HWCAP, edx},
        {AT_CLKTCK, 100},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_SECURE, 0},
        {AT_RANDOM, (size_t)at_random},
        {AT_EXECFN, (size_t)argv0},
        {AT_NULL, 0},
    };
    /* argv, NULL, envp, NULL, then the auxiliary vector, on this stack,
     * and the strings copied there too: a program may write to them
     * (POSIX says so; BusyBox's mkdir -p does), and the CapSet page they
     * come from is read-only.  Their size is bounded by the CapSet's. */
    size_t words = cs->argc + 1 + cs->envc + 1 + 2 * (sizeof(aux) / sizeof(aux[0]));
    size_t bytes = 0;
    for (uint32_t i = 0; i < cs->argc; i++)
        bytes += strlen(posix_capset_arg(i)) + 1;
    for (uint32_t i = 0; i < cs->envc; i++)
        bytes += strlen(posix_capset_env(i)) + 1;
    char **v = __builtin_alloca(words * sizeof(char *));
    char *str = __builtin_alloca(bytes ? bytes : 1);
    size_t k = 0;
    for (uint32_t i = 0; i < cs->argc; i++)
        v[k++] = start_copy(&str, posix_capset_arg(i));
    v[k++] = 0;
    for (uint32_t i = 0; i < cs->envc; i++) {
        if (!start_env_hidden(posix_capset_env(i)))
            v[k++] = start_copy(&str, posix_capset_env(i));
    }
    v[k++] = 0;
    memcpy(&v[k], aux, sizeof(aux));
    __libc_start_main(main, (int)cs->argc, v, _init, _fini, 0);
    __builtin_unreachable();
}
