/* pread/pwrite (and the vector forms) act at the offset given and leave
 * the description's offset where it was. */
#include <sys/uio.h>

#include "fstest.h"

int main(void)
{
    char b[32] = {0};
    setup();
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    write(fd, "abcdefghij", 10);
    lseek(fd, 2, SEEK_SET);
    printf("pwrite: %zd\n", pwrite(fd, "XY", 2, 5));
    printf("pread: %zd ", pread(fd, b, 6, 3));
    printf("%s\n", b);
    printf("offset still %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    memset(b, 0, sizeof(b));
    read(fd, b, 3);
    printf("read from it: %s\n", b);
    printf("pwrite past the end: %zd\n", pwrite(fd, "!", 1, 12));
    char x[4] = {0}, y[8] = {0};
    struct iovec v[2] = {{x, 3}, {y, 7}};
    printf("preadv: %zd ", preadv(fd, v, 2, 0));
    printf("%s|", x);
    for (int i = 0; i < 7; i++)
        putchar(y[i] ? y[i] : '0');
    printf("\n");
    SHOW(pread(fd, b, 1, -1));
    int p[2];
    pipe(p);
    SHOW(pread(p[0], b, 1, 0));
    int ro = open("f", O_RDONLY);
    SHOW(pwrite(ro, "q", 1, 0));
    return cleanup();
}
