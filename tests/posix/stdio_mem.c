/* stdio on memory: fmemopen, open_memstream, fgets, ungetc, fseek/ftell,
 * fread/fwrite, setvbuf, and snprintf truncation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char data[] = "line one\nline two\nlast line without newline";
    FILE *f = fmemopen(data, strlen(data), "r");
    char line[64];
    while (fgets(line, sizeof(line), f))
        printf("got [%s]\n", strtok(line, "\n"));
    rewind(f);
    int c = fgetc(f);
    ungetc('L', f);
    int pushed = fgetc(f);
    int next = fgetc(f);
    printf("ungetc: %c then %c (first was %c)\n", pushed, next, c);
    fseek(f, -4, SEEK_END);
    long at = ftell(f);
    printf("ftell %ld rest [%s]\n", at, fgets(line, sizeof(line), f));
    fclose(f);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    for (int i = 0; i < 100; i++)
        fprintf(m, "%d,", i * i);
    fclose(m);
    printf("memstream %zu bytes, ends [%s]\n", len, buf + len - 10);
    free(buf);
    char wbuf[32] = {0};
    FILE *w = fmemopen(wbuf, sizeof(wbuf), "w");
    setvbuf(w, NULL, _IONBF, 0);
    size_t n = fwrite("abcdefgh", 1, 8, w);
    fputs("XY", w);
    fclose(w);
    printf("fwrite %zu -> [%s]\n", n, wbuf);
    char small[6];
    const char *volatile tail = "tail"; /* hidden from the truncation warning */
    size_t room = sizeof(small);
    __asm__("" : "+r"(room)); /* a size the compiler cannot see */
    int need = snprintf(small, room, "%d-%s", 12345, tail);
    printf("snprintf needed %d kept [%s]\n", need, small);
    printf("sprintf %d\n", sprintf(line, "%08.3f|%-4s|", 3.14159, "ab"));
    puts(line);
    return 0;
}
