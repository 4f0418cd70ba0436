/* opendir/readdir over files, directories and links: every entry once,
 * "." and "..", d_type, sorted for output (the order is the system's);
 * rewinddir lists them again. */
#include "fstest.h"

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(DIR *d)
{
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        char *s = malloc(300);
        snprintf(s, 300, "%s %s", e->d_name,
                 e->d_type == DT_DIR   ? "dir"
                 : e->d_type == DT_REG ? "file"
                 : e->d_type == DT_LNK ? "link"
                                       : "?");
        names[n++] = s;
    }
    qsort(names, (size_t)n, sizeof(names[0]), cmp);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
}

int main(void)
{
    char name[32];
    setup();
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "file%02d", i);
        put(name, "x");
    }
    mkdir("sub", 0755);
    symlink("file00", "link");
    DIR *d = opendir(".");
    printf("listing:\n");
    list(d);
    rewinddir(d);
    int n = 0;
    while (readdir(d))
        n++;
    printf("again: %d entries\n", n);
    closedir(d);
    d = opendir("sub");
    printf("empty directory:\n");
    list(d);
    closedir(d);
    printf("opendir of a file: %s\n", opendir("file00") ? "ok" : strerror(errno));
    printf("opendir of nothing: %s\n", opendir("nothing") ? "ok" : strerror(errno));
    return cleanup();
}
