/* access and faccessat: existence through links and directories; a
 * missing or non-directory component; bad mode bits. */
#include "fstest.h"

int main(void)
{
    setup();
    put("f", "x");
    mkdir("d", 0755);
    symlink("f", "l");
    symlink("gone", "dangling");
    SHOW(access("f", F_OK));
    SHOW(access("f", R_OK | W_OK));
    SHOW(access("d", X_OK));
    SHOW(access("l", F_OK));
    SHOW(access("dangling", F_OK));
    SHOW(access("missing", F_OK));
    SHOW(access("f/x", F_OK));
    SHOW(access("f", 0100));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    put("d/in", "y");
    SHOW(faccessat(dfd, "in", R_OK, 0));
    SHOW(faccessat(dfd, "../f", R_OK, 0));
    SHOW(faccessat(AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    int fd = open("f", O_RDONLY);
    SHOW(faccessat(fd, "in", F_OK, 0));
    SHOW(faccessat(99, "in", F_OK, 0));
    SHOW(faccessat(99, "/tmp", F_OK, 0));
    return cleanup();
}
