/* mkdir and rmdir: made, existing, missing parents, rmdir of a non-empty
 * directory (ENOTEMPTY), of a file (ENOTDIR), unlink of a directory
 * (EISDIR), rmdir of "." (EINVAL), trailing slashes. */
#include "fstest.h"

int main(void)
{
    setup();
    SHOW(mkdir("d", 0755));
    SHOW(mkdir("d", 0755));
    SHOW(mkdir("d/", 0755));
    SHOW(mkdir("x/y", 0755));
    SHOW(mkdir("e/", 0755));
    put("d/f", "x");
    SHOW(rmdir("d"));
    SHOW(rmdir("d/f"));
    SHOW(unlink("d"));
    SHOW(rmdir("d/."));
    SHOW(unlink("d/f"));
    SHOW(rmdir("d"));
    SHOW(rmdir("d"));
    SHOW(rmdir("e/"));
    put("f", "x");
    SHOW(mkdir("f", 0755));
    SHOW(mkdir("f/sub", 0755));
    SHOW(unlink("f/"));
    SHOW(unlink("f"));
    SHOW(unlink("f"));
    return cleanup();
}
