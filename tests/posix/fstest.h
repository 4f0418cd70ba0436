/*
 * What the file programs of the differential suite share: each works in a
 * directory of its own made with mkdtemp in /tmp (so the Linux run never
 * touches the host's other files), prints results and error names only
 * (never the directory's name), and removes its directory at the end.
 */
#ifndef FSTEST_H
#define FSTEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[64];

/* Prints `what` and ok, or the error the call left in errno. */
#define SHOW(expr)                                                                                 \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (long)(expr);                                                                    \
        printf("%s: %s\n", #expr, r_ < 0 ? strerror(errno) : "ok");                                \
    } while (0)

__attribute__((unused)) static void setup(void)
{
    strcpy(base, "/tmp/fstestXXXXXX");
    if (!mkdtemp(base) || chdir(base) != 0) {
        perror("setup");
        exit(1);
    }
}

__attribute__((unused)) static void put(const char *path, const char *text)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        perror(path);
        exit(1);
    }
    close(fd);
}

static void rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        char sub[PATH_MAX];
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            rmtree(sub);
        }
        if (d)
            closedir(d);
        if (rmdir(path) != 0)
            perror("rmdir");
    } else if (unlink(path) != 0) {
        perror("unlink");
    }
}

__attribute__((unused)) static int cleanup(void)
{
    if (chdir("/") != 0)
        perror("chdir /");
    rmtree(base);
    return 0;
}

#endif
