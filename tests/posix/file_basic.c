/* open/creat/read/write/close on a file: create, write, read back, reopen,
 * EOF, reading a write-only descriptor and writing a read-only one. */
#include "fstest.h"

int main(void)
{
    char b[64] = {0};
    setup();
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    printf("open: %d\n", fd >= 0);
    printf("write: %zd\n", write(fd, "hello, file\n", 12));
    printf("read at the end: %zd\n", read(fd, b, sizeof(b)));
    close(fd);
    fd = open("f", O_RDONLY);
    printf("read: %zd %s", read(fd, b, sizeof(b) - 1), b);
    SHOW(write(fd, "x", 1));
    close(fd);
    fd = creat("g", 0600);
    SHOW(read(fd, b, 1));
    printf("write to creat's fd: %zd\n", write(fd, "abc", 3));
    close(fd);
    SHOW(open("missing", O_RDONLY));
    fd = open("f", O_WRONLY | O_TRUNC);
    struct stat st;
    fstat(fd, &st);
    printf("size after O_TRUNC: %ld\n", (long)st.st_size);
    close(fd);
    SHOW(close(fd));
    return cleanup();
}
