/* fsync and fdatasync on files and directories (EINVAL on a pipe), and
 * what a directory descriptor refuses: read (EISDIR), open for writing
 * (EISDIR), O_DIRECTORY on a file (ENOTDIR). */
#include "fstest.h"

int main(void)
{
    char b[8];
    setup();
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    write(fd, "data", 4);
    SHOW(fsync(fd));
    SHOW(fdatasync(fd));
    mkdir("d", 0755);
    int dfd = open("d", O_RDONLY);
    SHOW(fsync(dfd));
    SHOW(read(dfd, b, sizeof(b)));
    SHOW(write(dfd, b, 1));
    SHOW(open("d", O_WRONLY));
    SHOW(open("d", O_RDWR));
    SHOW(open("f", O_RDONLY | O_DIRECTORY));
    SHOW(open("d", O_RDONLY | O_DIRECTORY));
    int p[2];
    pipe(p);
    SHOW(fsync(p[1]));
    SHOW(fsync(123));
    printf("O_CLOEXEC kept: %d\n", fcntl(open("f", O_RDONLY | O_CLOEXEC), F_GETFD) == FD_CLOEXEC);
    return cleanup();
}
