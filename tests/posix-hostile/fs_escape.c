/*
 * Hostile paths, on capOS only (tools/run-tests.py runs every program of
 * tests/posix-hostile/ through capos-run --batch and wants status 0): a
 * program granted a root Directory cannot name anything above it, with
 * "..", relative or absolute links, or long names; its quota ends in
 * ENOSPC, after which the files it has are intact and removing one makes
 * room; two threads writing one file at once leave whole writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static ino_t ino(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? st.st_ino : 0;
}

static void escapes(void)
{
    char cwd[PATH_MAX];
    ino_t root = ino("/");
    EXPECT(root && ino("/..") == root && ino("/../../..") == root, "/.. is /");
    EXPECT(chdir("/tmp/../../../..") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"),
           "chdir above the root stays at /: %s", cwd);
    EXPECT(mkdir("/tmp/in", 0755) == 0, "mkdir: %s", strerror(errno));
    EXPECT(symlink("../../../../../../..", "/tmp/in/up") == 0, "symlink up");
    EXPECT(ino("/tmp/in/up") == root, "a relative link climbing past the root lands on it");
    EXPECT(ino("/tmp/in/up/tmp/in") == ino("/tmp/in"), "and resolves below it again");
    EXPECT(symlink("/", "/tmp/in/abs") == 0 && ino("/tmp/in/abs") == root,
           "an absolute link to / is the root");
    EXPECT(symlink("/../../../tmp", "/tmp/in/abs2") == 0 && ino("/tmp/in/abs2") == ino("/tmp"),
           "an absolute link with .. stays below the root");
    EXPECT(realpath("/tmp/in/up/tmp/in/abs/..", cwd) && !strcmp(cwd, "/"), "realpath: %s", cwd);
    EXPECT(chdir("/tmp/in/up") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"),
           "chdir through the link: %s", cwd);
    /* Names and paths past the limits. */
    static char name[300], path[PATH_MAX + 10], target[PATH_MAX + 10];
    memset(name, 'x', 256);
    EXPECT(open(name, O_CREAT | O_WRONLY, 0644) < 0 && errno == ENAMETOOLONG, "256-byte name");
    memset(path, '/', PATH_MAX);
    EXPECT(open(path, O_RDONLY) < 0 && errno == ENAMETOOLONG, "PATH_MAX slashes");
    memset(target, 'a', PATH_MAX);
    EXPECT(symlink(target, "/tmp/long") < 0 && errno == ENAMETOOLONG, "a PATH_MAX link target");
    memset(target, 'a', PATH_MAX - 1);
    for (int i = 1; i < PATH_MAX - 1; i += 2)
        target[i] = '/';
    target[PATH_MAX - 1] = 0;
    EXPECT(symlink(target, "/tmp/longok") == 0, "a 4095-byte link target: %s", strerror(errno));
    EXPECT(open("/tmp/longok/x", O_RDONLY) < 0 && errno == ENAMETOOLONG,
           "following it with more behind: %s", strerror(errno));
    /* A link loop through a directory. */
    EXPECT(symlink("loop/x", "/tmp/loop") == 0, "loop");
    EXPECT(open("/tmp/loop", O_RDONLY) < 0 && errno == ELOOP, "ELOOP: %s", strerror(errno));
}

static void quota(void)
{
    static char block[32768];
    memset(block, 'q', sizeof(block));
    int fd = open("/tmp/fill", O_CREAT | O_RDWR, 0644);
    long written = 0;
    ssize_t n;
    while ((n = write(fd, block, sizeof(block))) > 0)
        written += n;
    EXPECT(n < 0 && errno == ENOSPC, "the quota ends in ENOSPC: %s", strerror(errno));
    struct stat st;
    fstat(fd, &st);
    EXPECT(st.st_size == written, "the file holds what was written: %ld of %ld", (long)st.st_size,
           written);
    char back[16];
    EXPECT(pread(fd, back, sizeof(back), written - 16) == 16 && back[0] == 'q', "and reads back");
    EXPECT(ftruncate(fd, 0) == 0, "truncate gives room back");
    EXPECT(write(fd, block, sizeof(block)) == (ssize_t)sizeof(block), "write after: %s",
           strerror(errno));
    close(fd);
    unlink("/tmp/fill");
    /* Entries (directories: making one hands out no capability). */
    char name[64];
    int made = 0;
    for (;;) {
        snprintf(name, sizeof(name), "/tmp/e%d", made);
        if (mkdir(name, 0755) < 0)
            break;
        made++;
    }
    EXPECT(errno == ENOSPC && made > 100, "entries run out with ENOSPC after %d: %s", made,
           strerror(errno));
    EXPECT(open("/tmp/more", O_CREAT | O_WRONLY, 0644) < 0 && errno == ENOSPC, "open too");
    EXPECT(rmdir("/tmp/e0") == 0 && mkdir("/tmp/more", 0755) == 0, "room again");
    for (int i = 1; i < made; i++) {
        snprintf(name, sizeof(name), "/tmp/e%d", i);
        rmdir(name);
    }
}

/* Two threads, one file: pwrites of whole 4 KiB blocks of their own byte. */
static void *writer(void *arg)
{
    static char blk[2][4096];
    int id = (int)(long)arg;
    int fd = open("/tmp/shared", O_WRONLY);
    memset(blk[id], 'A' + id, sizeof(blk[id]));
    for (int i = 0; i < 64; i++)
        pwrite(fd, blk[id], sizeof(blk[id]), (off_t)((i * 2 + id) % 64) * 4096);
    close(fd);
    return NULL;
}

static void shared_file(void)
{
    close(open("/tmp/shared", O_CREAT | O_WRONLY, 0644));
    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, writer, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    static char all[64 * 4096];
    int fd = open("/tmp/shared", O_RDONLY);
    EXPECT(read(fd, all, sizeof(all)) == (ssize_t)sizeof(all), "size");
    int torn = 0;
    for (int b = 0; b < 64; b++) {
        for (int i = 1; i < 4096; i++)
            torn += all[b * 4096 + i] != all[b * 4096];
    }
    EXPECT(torn == 0, "no block mixes both writers");
    close(fd);
}

int main(void)
{
    escapes();
    quota();
    shared_file();
    printf("fs_escape: %d failures\n", failures);
    return failures != 0;
}
