/*
 * Exec of bad images, on capOS only (tools/run-tests.py runs every program
 * of tests/posix-hostile/ through capos-run --batch and wants status 0):
 * every image the kernel does not run -- truncated, for another machine,
 * overlapping segments, absurd sizes and addresses -- fails execve with
 * ENOEXEC (ENOMEM for one larger than the quota) and leaves the caller
 * running with its memory, fds, pid and working directory intact; with
 * another thread running, a bad image fails the same way before anything
 * happens to that thread, which goes on.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define IMAGE 8192

static uint8_t image[IMAGE];
static uint8_t pattern_static[65536];

/* A static x86_64 executable with `n` PT_LOAD segments as given, the
 * file 8 KiB long (headers, then filler). */
static size_t build(uint16_t machine, const Elf64_Phdr *ph, unsigned n, size_t len)
{
    memset(image, 0xcc, sizeof(image));
    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    memset(eh, 0, sizeof(*eh));
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = machine;
    eh->e_version = EV_CURRENT;
    eh->e_entry = 0x401000;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = (uint16_t)n;
    memcpy(image + sizeof(*eh), ph, n * sizeof(*ph));
    return len;
}

static Elf64_Phdr load(uint64_t off, uint64_t va, uint64_t filesz, uint64_t memsz)
{
    Elf64_Phdr p = {.p_type = PT_LOAD,
                    .p_flags = PF_R | PF_X,
                    .p_offset = off,
                    .p_vaddr = va,
                    .p_paddr = va,
                    .p_filesz = filesz,
                    .p_memsz = memsz,
                    .p_align = 4096};
    return p;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + seed);
}

static bool intact(const uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (uint8_t)(i * 31 + seed))
            return false;
    }
    return true;
}

/* Writes the image, execs it, and checks it failed with `want` (or
 * `also`) and that everything of the caller is as it was. */
static void try(const char *what, size_t len, int want, int also, uint8_t *heap, int rfd, int wfd)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/bad-%d", failures + (int)len);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    EXPECT(fd >= 0 && write(fd, image, len) == (ssize_t)len && close(fd) == 0, "%s: write", what);
    pid_t pid = getpid();
    uint8_t stack[4096];
    fill(stack, sizeof(stack), 7);
    char *argv[] = {"bad", NULL};
    errno = 0;
    int r = execve(path, argv, argv + 1);
    int e = errno;
    EXPECT(r == -1 && (e == want || e == also), "%s: execve %d, %s", what, r, strerror(e));
    EXPECT(getpid() == pid, "%s: pid", what);
    EXPECT(intact(stack, sizeof(stack), 7), "%s: stack", what);
    EXPECT(intact(heap, 1 << 20, 3), "%s: heap", what);
    EXPECT(intact(pattern_static, sizeof(pattern_static), 5), "%s: data", what);
    char c = 'x', got = 0;
    EXPECT(write(wfd, &c, 1) == 1 && read(rfd, &got, 1) == 1 && got == 'x', "%s: pipe", what);
    char cwd[64];
    EXPECT(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tmp") == 0, "%s: cwd", what);
    unlink(path);
    printf("%-22s: %s\n", what, strerror(e));
}

static volatile int spin_stop, spins;

static void *spinner(void *arg)
{
    (void)arg;
    while (!spin_stop) {
        spins++;
        usleep(1000);
    }
    return NULL;
}

int main(void)
{
    uint8_t *heap = malloc(1 << 20);
    int p[2];
    if (!heap || pipe(p) != 0 || chdir("/tmp") != 0)
        return 2;
    fill(heap, 1 << 20, 3);
    fill(pattern_static, sizeof(pattern_static), 5);
    Elf64_Phdr ph[2];

    ph[0] = load(0, 0x400000, 4 * IMAGE, 4 * IMAGE);
    try("truncated", build(EM_X86_64, ph, 1, IMAGE), ENOEXEC, 0, heap, p[0], p[1]);
    try("headers cut short", build(EM_X86_64, ph, 1, 80), ENOEXEC, 0, heap, p[0], p[1]);
    ph[0] = load(0, 0x400000, 4096, 4096);
    try("other machine", build(EM_AARCH64, ph, 1, IMAGE), ENOEXEC, 0, heap, p[0], p[1]);
    ph[0] = load(0, 0x400000, 4096, 8192);
    ph[1] = load(4096, 0x401000, 4096, 4096);
    try("overlapping segments", build(EM_X86_64, ph, 2, IMAGE), ENOEXEC, 0, heap, p[0], p[1]);
    ph[0] = load(0, 0x400000, 4096, 1ULL << 46);
    try("absurd size", build(EM_X86_64, ph, 1, IMAGE), ENOEXEC, ENOMEM, heap, p[0], p[1]);
    ph[0] = load(0, 0xfffffffffffff000ULL, 4096, 8192);
    try("wrapping address", build(EM_X86_64, ph, 1, IMAGE), ENOEXEC, 0, heap, p[0], p[1]);
    ph[0] = load(0, 0xffff800000000000ULL, 4096, 4096);
    try("kernel address", build(EM_X86_64, ph, 1, IMAGE), ENOEXEC, 0, heap, p[0], p[1]);
    ph[0] = load(0, 0x400000, 8192, 4096);
    try("file over memory", build(EM_X86_64, ph, 1, IMAGE), ENOEXEC, 0, heap, p[0], p[1]);
    ph[0] = load(IMAGE - 16, 0x400000, 1ULL << 40, 1ULL << 40);
    try("file size past the end", build(EM_X86_64, ph, 1, IMAGE), ENOEXEC, ENOMEM, heap, p[0],
        p[1]);

    /* Another thread: the image is refused before the thread is touched. */
    pthread_t t;
    EXPECT(pthread_create(&t, NULL, spinner, NULL) == 0, "pthread_create");
    ph[0] = load(0, 0x400000, 4096, 4096);
    ph[1] = load(0, 0x400000, 4096, 4096);
    try("with another thread", build(EM_X86_64, ph, 2, IMAGE), ENOEXEC, 0, heap, p[0], p[1]);
    int before = spins;
    usleep(20000);
    EXPECT(spins > before, "the other thread runs on");
    spin_stop = 1;
    EXPECT(pthread_join(t, NULL) == 0, "pthread_join");
    printf("exec_bad_image: %d failures\n", failures);
    return failures != 0;
}
