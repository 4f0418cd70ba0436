/* telldir and seekdir in a directory of 300 entries (more than one page
 * of Directory.list): seekdir to where telldir was, at several places,
 * lists the same entries again from there; rewinddir lists them all. */
#include "fstest.h"

#define N 300

/* The names after the current position, as indexes (-1 for "." and ".."),
 * into out; returns how many. */
static int rest(DIR *d, int *out)
{
    struct dirent *e;
    int n = 0, i;
    while ((e = readdir(d)) && n < N + 2)
        out[n++] = sscanf(e->d_name, "f%d", &i) == 1 ? i : -1;
    return n;
}

int main(void)
{
    static int a[N + 2], b[N + 2];
    char name[64];
    setup();
    mkdir("seek", 0755);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "seek/f%03d", i);
        put(name, "");
    }
    DIR *d = opendir("seek");
    static const int at[] = {0, 1, 2, 5, 127, 128, 129, 200, 301};
    for (unsigned k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
        rewinddir(d);
        for (int j = 0; j < at[k]; j++)
            readdir(d);
        long pos = telldir(d);
        int na = rest(d, a);
        seekdir(d, pos);
        int nb = rest(d, b);
        int same = na == nb && memcmp(a, b, sizeof(int) * (size_t)na) == 0;
        printf("after %d: %d left, again %d, %s\n", at[k], na, nb, same ? "same" : "different");
    }
    rewinddir(d);
    printf("all: %d\n", rest(d, a));
    closedir(d);
    return cleanup();
}
