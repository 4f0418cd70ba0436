/* O_APPEND: every write goes to the end, whatever the offset, and the
 * offset follows; F_SETFL can turn it on and off. */
#include "fstest.h"

int main(void)
{
    char b[64] = {0};
    setup();
    put("f", "start\n");
    int fd = open("f", O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    write(fd, "one\n", 4);
    printf("offset after an append: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    int other = open("f", O_WRONLY);
    write(other, "START", 5);
    write(fd, "two\n", 4);
    fcntl(fd, F_SETFL, 0);
    lseek(fd, 0, SEEK_SET);
    write(fd, "s", 1);
    printf("O_APPEND in F_GETFL: %d\n", !!(fcntl(fd, F_GETFL) & O_APPEND));
    close(fd);
    close(other);
    fd = open("f", O_RDONLY);
    printf("%zd bytes:\n", read(fd, b, sizeof(b) - 1));
    fputs(b, stdout);
    close(fd);
    return cleanup();
}
