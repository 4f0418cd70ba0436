/*
 * fork's bounds, on capOS only (tools/run-tests.py runs every program of
 * tests/posix-hostile/ through capos-run --batch and wants status 0):
 *   - a fork bomb two levels deep (this process forks until fork fails,
 *     and so does each child) ends in a clean error, EAGAIN (64 children
 *     not yet waited for, or the spawner's bound of live processes) or
 *     ENOMEM (the quota, which holds the whole tree), never anything
 *     else; every process of it is reaped, and a fork afterwards works;
 *   - a process whose memory no longer fits its quota twice fails to fork
 *     with ENOMEM and is left as it was: its memory reads and writes as
 *     before, and once it has given some back, fork works again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
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

/* A level-1 child's report: how many children it made, and the errno of
 * the fork that failed. */
struct report {
    int made, err;
};

static int release[2], reports[2];

/* Forks children that wait for the write end of `hold` to close, until
 * fork fails; returns how many, with the failing errno in *err.  Each
 * pipe has at most 64 readers waiting (a pipe queues at most 64 reads):
 * the children of one process. */
static int fork_until_failure(int level, const int hold[2], int *err)
{
    int n = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid < 0) {
            *err = errno;
            return n;
        }
        if (pid == 0) {
            close(hold[1]);
            int mine[2] = {-1, -1};
            if (level == 1) {
                struct report r = {0, 0};
                if (pipe(mine) == 0)
                    r.made = fork_until_failure(2, mine, &r.err);
                else
                    r.err = errno;
                write(reports[1], &r, sizeof(r));
            }
            close(reports[1]);
            char c;
            while (read(hold[0], &c, 1) > 0)
                ;
            if (level == 1)
                close(mine[1]);
            while (wait(NULL) > 0)
                ;
            _exit(0);
        }
        n++;
    }
}

static void bomb(void)
{
    if (pipe(release) || pipe(reports)) {
        EXPECT(0, "pipe: %s", strerror(errno));
        return;
    }
    int err = 0;
    int made = fork_until_failure(1, release, &err);
    close(reports[1]);
    EXPECT(made > 0, "no child at all: %s", strerror(err));
    EXPECT(err == EAGAIN || err == ENOMEM, "the bomb ended in %s", strerror(err));
    int total = made, got = 0;
    struct report r;
    while (read(reports[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) {
        got++;
        total += r.made;
        EXPECT(r.err == EAGAIN || r.err == ENOMEM, "a child's bomb ended in %s", strerror(r.err));
    }
    EXPECT(got == made, "%d of %d children reported", got, made);
    printf("bomb: %d processes, ended in %s\n", total, strerror(err));
    close(release[1]);
    int reaped = 0;
    while (wait(NULL) > 0)
        reaped++;
    EXPECT(reaped == made, "reaped %d of %d", reaped, made);
    EXPECT(errno == ECHILD, "wait: %s", strerror(errno));
}

static void fork_once(const char *when)
{
    pid_t pid = fork();
    EXPECT(pid >= 0, "fork %s: %s", when, strerror(errno));
    if (pid == 0)
        _exit(3);
    int st = 0;
    if (pid > 0)
        EXPECT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3,
               "child %s: status %#x", when, st);
}

/* Grows this process a MiB at a time until a fork no longer fits. */
static void quota(void)
{
    enum { CHUNK = 1 << 20, MAX = 64 };
    char *chunks[MAX];
    int n = 0, err = 0;
    while (n < MAX) {
        char *p = mmap(0, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        for (int i = 0; i < CHUNK; i += 4096)
            p[i] = (char)(n + i / 4096);
        chunks[n++] = p;
        if (n % 4)
            continue;
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            err = errno;
            break;
        }
        waitpid(pid, NULL, 0);
    }
    EXPECT(err == ENOMEM, "after %d MiB: fork %s", n, err ? strerror(err) : "never failed");
    /* Untouched by the failed fork: every page as written, and writable. */
    int bad = 0;
    for (int k = 0; k < n; k++) {
        for (int i = 0; i < CHUNK; i += 4096) {
            bad += chunks[k][i] != (char)(k + i / 4096);
            chunks[k][i]++;
        }
    }
    EXPECT(bad == 0, "%d pages changed", bad);
    printf("quota: fork refused at %d MiB\n", n);
    for (int k = n / 2; k < n; k++)
        munmap(chunks[k], CHUNK);
    fork_once("after giving memory back");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    bomb();
    fork_once("after the bomb");
    quota();
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
