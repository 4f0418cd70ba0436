/* rename between directories: a file into a subdirectory and back, a
 * directory with what it holds, over an existing file in another
 * directory, renameat with two directory descriptors, the refusals across
 * directories (ENOTEMPTY, EISDIR, ENOTDIR, a directory below itself:
 * EINVAL), a descriptor open on a file that moved, and a directory's
 * listing after entries left it. */
#include "fstest.h"

static void cat(const char *p)
{
    char b[32] = {0};
    int fd = open(p, O_RDONLY);
    if (fd < 0) {
        printf("%s: %s\n", p, strerror(errno));
        return;
    }
    read(fd, b, sizeof(b) - 1);
    close(fd);
    printf("%s holds: %s\n", p, b);
}

static void count(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    printf("%s has %d entries\n", dir, n);
}

int main(void)
{
    setup();
    mkdir("a", 0755);
    mkdir("b", 0755);
    mkdir("a/deep", 0755);
    mkdir("a/deep/er", 0755);
    put("f", "F");
    put("a/deep/er/x", "X");
    put("b/old", "OLD");

    SHOW(rename("f", "a/f"));
    cat("a/f");
    SHOW(access("f", F_OK));
    SHOW(rename("a/f", "f2"));
    cat("f2");
    SHOW(rename("f2", "b/old"));
    cat("b/old");
    count("b");

    /* A directory and everything below it. */
    SHOW(rename("a/deep", "b/deep2"));
    cat("b/deep2/er/x");
    SHOW(access("a/deep", F_OK));
    count("a");
    SHOW(rename("b/deep2/er", "er"));
    cat("er/x");

    /* Refusals across directories. */
    mkdir("a/full", 0755);
    put("a/full/y", "y");
    mkdir("b/empty", 0755);
    SHOW(rename("b/empty", "a/full"));
    SHOW(rename("b/old", "a/full"));
    SHOW(rename("b/empty", "a/full/y"));
    SHOW(rename("b", "b/deep2/er2"));
    SHOW(rename("b", "b/deep2"));
    SHOW(rename("a/missing", "b/z"));
    SHOW(rename("a/full/y", "b/nodir/y"));
    cat("a/full/y");

    /* A directory over an empty one elsewhere. */
    SHOW(rename("er", "b/empty"));
    cat("b/empty/x");

    /* renameat with two directory descriptors. */
    int da = open("a", O_RDONLY | O_DIRECTORY), db = open("b", O_RDONLY | O_DIRECTORY);
    SHOW(renameat(db, "old", da, "moved"));
    cat("a/moved");
    SHOW(renameat(da, "moved", AT_FDCWD, "back"));
    cat("back");
    close(da);
    close(db);

    /* A descriptor stays on the file it opened, wherever it goes. */
    int fd = open("back", O_RDWR | O_APPEND);
    SHOW(rename("back", "a/full/there"));
    SHOW(write(fd, "+more", 5));
    close(fd);
    cat("a/full/there");
    count("a/full");
    return cleanup();
}
