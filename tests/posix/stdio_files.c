/* stdio on files: fopen modes, fprintf/fgets, fseek/ftell/rewind, binary
 * fread/fwrite, "a" appending, "x" exclusive, fopen of a directory for
 * writing. */
#include "fstest.h"

int main(void)
{
    char line[64];
    setup();
    FILE *f = fopen("t.txt", "w");
    for (int i = 0; i < 5; i++)
        fprintf(f, "line %d\n", i);
    fclose(f);
    f = fopen("t.txt", "r");
    while (fgets(line, sizeof(line), f))
        printf("got %s", line);
    printf("ftell at the end: %ld\n", ftell(f));
    fseek(f, 7, SEEK_SET);
    fgets(line, sizeof(line), f);
    printf("after fseek 7: %s", line);
    rewind(f);
    printf("after rewind: %c\n", fgetc(f));
    fclose(f);
    f = fopen("t.txt", "a");
    fputs("appended\n", f);
    fclose(f);
    f = fopen("t.txt", "r");
    fseek(f, -9, SEEK_END);
    fgets(line, sizeof(line), f);
    printf("last line: %s", line);
    fclose(f);
    unsigned int data[1000], back[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = (unsigned)i * 2654435761u;
    f = fopen("bin", "wb+");
    printf("fwrite: %zu\n", fwrite(data, sizeof(data[0]), 1000, f));
    rewind(f);
    printf("fread: %zu\n", fread(back, sizeof(back[0]), 1000, f));
    printf("same: %d\n", memcmp(data, back, sizeof(data)) == 0);
    fclose(f);
    printf("fopen x on an existing file: %s\n", fopen("bin", "wx") ? "ok" : strerror(errno));
    mkdir("d", 0755);
    printf("fopen w on a directory: %s\n", fopen("d", "w") ? "ok" : strerror(errno));
    printf("fopen r on nothing: %s\n", fopen("nothing", "r") ? "ok" : strerror(errno));
    return cleanup();
}
