/* The offset lives in the open file description: dup, dup2 and F_DUPFD
 * share it, a second open has its own. */
#include "fstest.h"

int main(void)
{
    char b[16] = {0};
    setup();
    put("f", "0123456789abcdef");
    int a = open("f", O_RDONLY);
    int d = dup(a);
    int e = fcntl(a, F_DUPFD, 20);
    int o = open("f", O_RDONLY);
    read(a, b, 4);
    printf("a read %s\n", b);
    memset(b, 0, sizeof(b));
    read(d, b, 4);
    printf("its dup reads on: %s\n", b);
    memset(b, 0, sizeof(b));
    read(e, b, 4);
    printf("F_DUPFD reads on: %s\n", b);
    memset(b, 0, sizeof(b));
    read(o, b, 4);
    printf("a second open starts at 0: %s\n", b);
    printf("offsets: %ld %ld %ld %ld\n", (long)lseek(a, 0, SEEK_CUR), (long)lseek(d, 0, SEEK_CUR),
           (long)lseek(e, 0, SEEK_CUR), (long)lseek(o, 0, SEEK_CUR));
    dup2(o, d);
    printf("after dup2 d follows o: %ld\n", (long)lseek(d, 0, SEEK_CUR));
    close(a);
    printf("closing a leaves e at %ld\n", (long)lseek(e, 0, SEEK_CUR));
    return cleanup();
}
