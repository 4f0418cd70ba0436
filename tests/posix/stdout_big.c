/* A large stdout, byte for byte: every byte value, long lines, partial
 * lines, and writes through stdio, write(2) and writev(2) in order. */
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
    static char block[70000];
    for (int i = 0; i < 256; i++)
        putchar(i);
    putchar('\n');
    for (unsigned i = 0; i < sizeof(block); i++)
        block[i] = (char)('a' + i % 26);
    block[sizeof(block) - 1] = '\n';
    fwrite(block, 1, sizeof(block), stdout);
    for (int i = 0; i < 2000; i++)
        printf("%d:%s", i, i % 7 ? "" : "\n");
    fflush(stdout);
    write(1, "direct write\n", 13);
    struct iovec v[3] = {{"wr", 2}, {"it", 2}, {"ev\n", 3}};
    writev(1, v, 3);
    write(1, block, 5000);
    printf("\nend\r\n\r\n");
    return 0;
}
