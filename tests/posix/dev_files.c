/* The devices of /dev: null (reads end of file, takes every write), zero
 * (reads zeros), urandom (random bytes), stdout and stderr (the process's
 * own), their stat, and names /dev does not hold. */
#include "fstest.h"

int main(void)
{
    unsigned char b[64];
    struct stat st;
    int fd = open("/dev/null", O_RDWR);
    printf("null: read %zd, write %zd\n", read(fd, b, sizeof(b)), write(fd, b, 40));
    fstat(fd, &st);
    printf("null is a character device: %d\n", S_ISCHR(st.st_mode));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(b, 0xaa, sizeof(b));
    ssize_t n = read(fd, b, sizeof(b));
    int zeros = 0;
    for (ssize_t i = 0; i < n; i++)
        zeros += b[i] == 0;
    printf("zero: read %zd, %d zeros\n", n, zeros);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    unsigned char r1[32] = {0}, r2[32] = {0};
    read(fd, r1, sizeof(r1));
    read(fd, r2, sizeof(r2));
    printf("urandom: two reads differ: %d\n", memcmp(r1, r2, sizeof(r1)) != 0);
    close(fd);
    fflush(stdout);
    fd = open("/dev/stdout", O_WRONLY);
    write(fd, "via /dev/stdout\n", 16);
    close(fd);
    SHOW(stat("/dev/null", &st));
    printf("mode %o\n", (unsigned)(st.st_mode & 0777));
    SHOW(stat("/dev", &st));
    printf("a directory: %d\n", S_ISDIR(st.st_mode));
    SHOW(open("/dev/no-such-device", O_RDONLY));
    FILE *f = fopen("/dev/null", "w");
    printf("fopen /dev/null: %d, fprintf %d\n", f != NULL, fprintf(f, "gone\n"));
    fclose(f);
    return 0;
}
