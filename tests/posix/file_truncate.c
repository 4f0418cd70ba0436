/* truncate and ftruncate: shrinking, growing with zeros, the offset not
 * moved, and the refusals (read-only descriptor, negative, directory). */
#include "fstest.h"

int main(void)
{
    char b[32] = {0};
    struct stat st;
    setup();
    put("f", "0123456789");
    SHOW(truncate("f", 4));
    stat("f", &st);
    printf("size %ld\n", (long)st.st_size);
    int fd = open("f", O_RDWR);
    lseek(fd, 8, SEEK_SET);
    SHOW(ftruncate(fd, 6));
    printf("offset still %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, b, sizeof(b));
    printf("read %zd: ", n);
    for (ssize_t i = 0; i < n; i++)
        putchar(b[i] ? b[i] : '.');
    printf("\n");
    SHOW(ftruncate(fd, -1));
    SHOW(truncate("f", -1));
    int ro = open("f", O_RDONLY);
    SHOW(ftruncate(ro, 0));
    mkdir("d", 0755);
    SHOW(truncate("d", 0));
    SHOW(truncate("missing", 0));
    SHOW(truncate("f", 0));
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);
    return cleanup();
}
