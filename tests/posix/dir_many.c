/* A directory of 300 entries read with getdents64 through readdir, in
 * several calls: every name exactly once. */
#include "fstest.h"

int main(void)
{
    char name[300];
    static unsigned char seen[300];
    setup();
    mkdir("many", 0755);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "many/entry-with-a-long-name-%03d", i);
        if (i % 3 == 0)
            mkdir(name, 0755);
        else
            put(name, "");
    }
    DIR *d = opendir("many");
    struct dirent *e;
    int n = 0, dups = 0, other = 0;
    while ((e = readdir(d))) {
        int i;
        n++;
        if (sscanf(e->d_name, "entry-with-a-long-name-%d", &i) == 1 && i >= 0 && i < 300)
            dups += seen[i]++ != 0;
        else if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            other++;
    }
    closedir(d);
    int missing = 0;
    for (int i = 0; i < 300; i++)
        missing += !seen[i];
    printf("%d entries, %d missing, %d twice, %d unknown\n", n, missing, dups, other);
    /* Removing every other entry while listing loses none of the rest. */
    d = opendir("many");
    int kept = 0;
    while ((e = readdir(d))) {
        int i;
        if (sscanf(e->d_name, "entry-with-a-long-name-%d", &i) != 1)
            continue;
        snprintf(name, sizeof(name), "many/%s", e->d_name);
        if (i % 2)
            (i % 3 == 0 ? rmdir : unlink)(name);
        else
            kept++;
    }
    closedir(d);
    printf("kept %d\n", kept);
    return cleanup();
}
