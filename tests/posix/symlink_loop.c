/* Links that loop (ELOOP), a chain of 30 links that resolves, a chain of
 * 45 that is too long, links to ".." and to absolute paths. */
#include "fstest.h"

int main(void)
{
    char a[32], b[32];
    struct stat st;
    setup();
    symlink("b", "a");
    symlink("a", "b");
    symlink("self", "self");
    SHOW(open("a", O_RDONLY));
    SHOW(stat("self", &st));
    SHOW(lstat("self", &st));
    SHOW(stat("self/x", &st));
    SHOW(open("a", O_CREAT | O_WRONLY, 0644));
    put("end", "end");
    strcpy(b, "end");
    for (int i = 0; i < 45; i++) {
        snprintf(a, sizeof(a), "c%02d", i);
        symlink(b, a);
        strcpy(b, a);
    }
    SHOW(stat("c29", &st));
    SHOW(stat("c39", &st));
    SHOW(stat("c44", &st));
    mkdir("d", 0755);
    symlink("..", "d/up");
    SHOW(stat("d/up/end", &st));
    SHOW(stat("d/up/d/up/d/up/end", &st));
    char abs[PATH_MAX + 8];
    snprintf(abs, sizeof(abs), "%s/end", base);
    symlink(abs, "d/abs");
    SHOW(stat("d/abs", &st));
    return cleanup();
}
