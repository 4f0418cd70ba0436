/* A child of the spawn tests: says which of fds 0-9 it has open, and for
 * fds from 3 on where a file's offset is. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char line[256];
    int n = 0;
    for (int fd = 0; fd < 10; fd++) {
        if (fcntl(fd, F_GETFD) < 0)
            continue;
        off_t pos = fd >= 3 ? lseek(fd, 0, SEEK_CUR) : -1;
        n += snprintf(line + n, sizeof(line) - (size_t)n, " %d", fd);
        if (pos >= 0)
            n += snprintf(line + n, sizeof(line) - (size_t)n, "@%ld", (long)pos);
    }
    dprintf(1, "kid_fds: open:%s\n", line);
    return 0;
}
