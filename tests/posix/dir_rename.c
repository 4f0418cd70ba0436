/* rename: a file, over an existing file, a directory over an empty one,
 * and the refusals: a non-empty target (ENOTEMPTY), file over directory
 * (EISDIR), directory over file (ENOTDIR), into itself (EINVAL), missing
 * (ENOENT); renaming to itself changes nothing. */
#include "fstest.h"

static void cat(const char *p)
{
    char b[32] = {0};
    int fd = open(p, O_RDONLY);
    read(fd, b, sizeof(b) - 1);
    close(fd);
    printf("%s holds: %s\n", p, b);
}

int main(void)
{
    setup();
    put("a", "A");
    put("b", "B");
    SHOW(rename("a", "c"));
    SHOW(access("a", F_OK));
    cat("c");
    SHOW(rename("c", "b"));
    cat("b");
    SHOW(rename("b", "b"));
    cat("b");
    mkdir("d1", 0755);
    mkdir("d2", 0755);
    mkdir("full", 0755);
    put("full/x", "x");
    SHOW(rename("d1", "d2"));
    SHOW(access("d1", F_OK));
    SHOW(rename("d2", "full"));
    SHOW(rename("b", "d2"));
    SHOW(rename("d2", "b"));
    SHOW(rename("d2", "d2/inner"));
    SHOW(rename("missing", "z"));
    SHOW(rename("b", "b/"));
    symlink("b", "l");
    SHOW(rename("l", "m"));
    char t[16] = {0};
    readlink("m", t, sizeof(t) - 1);
    printf("the link moved: %s\n", t);
    return cleanup();
}
