/* symlink, readlink, lstat against stat, opening through a link, links to
 * directories, dangling links, O_NOFOLLOW, unlink of a link. */
#include "fstest.h"

int main(void)
{
    char b[64];
    struct stat st;
    setup();
    put("target", "through the link\n");
    mkdir("dir", 0755);
    put("dir/inner", "inner\n");
    SHOW(symlink("target", "l"));
    SHOW(symlink("target", "l"));
    SHOW(symlink("dir", "dl"));
    SHOW(symlink("nothing", "dangling"));
    SHOW(symlink("", "empty"));
    memset(b, 0, sizeof(b));
    printf("readlink: %zd %s\n", readlink("l", b, sizeof(b)), b);
    memset(b, 0, sizeof(b));
    printf("readlink cut: %zd %s\n", readlink("l", b, 3), b);
    SHOW(readlink("target", b, sizeof(b)));
    SHOW(readlink("nothing", b, sizeof(b)));
    lstat("l", &st);
    printf("lstat: link %d size %ld\n", S_ISLNK(st.st_mode), (long)st.st_size);
    stat("l", &st);
    printf("stat: file %d size %ld\n", S_ISREG(st.st_mode), (long)st.st_size);
    int fd = open("l", O_RDONLY);
    memset(b, 0, sizeof(b));
    read(fd, b, sizeof(b) - 1);
    printf("read: %s", b);
    close(fd);
    fd = open("dl/inner", O_RDONLY);
    memset(b, 0, sizeof(b));
    read(fd, b, sizeof(b) - 1);
    printf("through a directory link: %s", b);
    SHOW(open("l", O_RDONLY | O_NOFOLLOW));
    SHOW(open("dangling", O_RDONLY));
    SHOW(stat("dangling", &st));
    SHOW(lstat("dangling", &st));
    SHOW(unlink("l"));
    SHOW(access("target", F_OK));
    SHOW(access("l", F_OK));
    SHOW(rmdir("dl"));
    SHOW(unlink("dl"));
    SHOW(access("dir/inner", F_OK));
    return cleanup();
}
