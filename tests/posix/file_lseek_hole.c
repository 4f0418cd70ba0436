/* lseek: SEEK_SET/CUR/END, past the end (a write there leaves a hole of
 * zeros), negative results refused, bad whence refused. */
#include "fstest.h"

int main(void)
{
    unsigned char b[32];
    setup();
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    write(fd, "abc", 3);
    printf("SEEK_END +10: %ld\n", (long)lseek(fd, 10, SEEK_END));
    write(fd, "z", 1);
    struct stat st;
    fstat(fd, &st);
    printf("size: %ld\n", (long)st.st_size);
    printf("SEEK_SET 0: %ld\n", (long)lseek(fd, 0, SEEK_SET));
    ssize_t n = read(fd, b, sizeof(b));
    printf("read %zd:", n);
    for (ssize_t i = 0; i < n; i++)
        printf(" %02x", b[i]);
    printf("\n");
    printf("SEEK_CUR -4: %ld\n", (long)lseek(fd, -4, SEEK_CUR));
    SHOW(lseek(fd, -100, SEEK_CUR));
    SHOW(lseek(fd, -1, SEEK_SET));
    SHOW(lseek(fd, 0, 42));
    printf("offset kept: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("far: %ld\n", (long)lseek(fd, 1 << 20, SEEK_SET));
    printf("read past the end: %zd\n", read(fd, b, 4));
    int p[2];
    pipe(p);
    SHOW(lseek(p[0], 0, SEEK_SET));
    close(fd);
    return cleanup();
}
