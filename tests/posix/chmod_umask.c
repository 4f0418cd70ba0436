/* umask shapes the modes of creat, open and mkdir; chmod, fchmod and
 * fchmodat set them, stat reports them (special bits included). */
#include "fstest.h"

static void mode(const char *p)
{
    struct stat st;
    if (stat(p, &st))
        printf("%s: %s\n", p, strerror(errno));
    else
        printf("%s: %04o\n", p, (unsigned)(st.st_mode & 07777));
}

int main(void)
{
    setup();
    umask(027);
    printf("umask now %03o\n", (unsigned)umask(027));
    close(creat("c", 0666));
    close(open("o", O_CREAT | O_WRONLY, 0777));
    mkdir("d", 0777);
    mode("c");
    mode("o");
    mode("d");
    umask(0);
    close(creat("z", 0666));
    mode("z");
    SHOW(chmod("c", 0400));
    mode("c");
    SHOW(chmod("d", 01755));
    mode("d");
    int fd = open("o", O_RDWR);
    SHOW(fchmod(fd, 0604));
    mode("o");
    SHOW(fchmodat(AT_FDCWD, "z", 0711, 0));
    mode("z");
    symlink("z", "l");
    SHOW(chmod("l", 0600));
    mode("z");
    SHOW(chmod("missing", 0600));
    return cleanup();
}
