/*
 * A POSIX program for tests/capos-run/files.py: copies the file argv[1]
 * to argv[2] (made with mode 0640) through open, read, write and fstat,
 * and says how much it copied.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char buf[4096];
    if (argc != 3) {
        fprintf(stderr, "usage: copy FROM TO\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (in < 0 || out < 0) {
        perror("open");
        return 1;
    }
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, (size_t)n) != n) {
            perror("write");
            return 1;
        }
    }
    struct stat st;
    if (n < 0 || fstat(out, &st) != 0) {
        perror("read or fstat");
        return 1;
    }
    printf("copied %lld bytes, mode %o\n", (long long)st.st_size, (unsigned)(st.st_mode & 07777));
    return close(in) != 0 || close(out) != 0;
}
