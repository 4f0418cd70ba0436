/* Large transfers: 200 KiB written in odd pieces and read back in others,
 * a single 100 KiB read and write, sizes and contents checked. */
#include "fstest.h"

int main(void)
{
    static unsigned char data[200 * 1024], back[200 * 1024];
    setup();
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    int fd = open("big", O_CREAT | O_RDWR, 0644);
    size_t at = 0, piece = 1;
    while (at < sizeof(data)) {
        size_t n = piece < sizeof(data) - at ? piece : sizeof(data) - at;
        if (write(fd, data + at, n) != (ssize_t)n)
            printf("short write at %zu\n", at);
        at += n;
        piece = piece * 3 + 1;
    }
    struct stat st;
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);
    lseek(fd, 0, SEEK_SET);
    at = 0;
    ssize_t n;
    while ((n = read(fd, back + at, 40000)) > 0)
        at += (size_t)n;
    printf("read back %zu, same %d\n", at, memcmp(data, back, sizeof(data)) == 0);
    printf("one write of 100 KiB: %zd\n", pwrite(fd, data, 100 * 1024, 50000));
    memset(back, 0, sizeof(back));
    printf("one read of 100 KiB: %zd\n", pread(fd, back, 100 * 1024, 50000));
    printf("same %d\n", memcmp(data, back, 100 * 1024) == 0);
    close(fd);
    return cleanup();
}
