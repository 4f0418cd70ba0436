/* fork and pipes: a pipe made before the fork connects parent and child
 * both ways; the reader sees end of file only once every holder of the
 * write end (both processes) has closed it; fds, the working directory
 * and a file's contents are the same on both sides.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int down[2], up[2];
    if (pipe(down) || pipe(up))
        return 1;
    char cwd[256];
    if (!getcwd(cwd, sizeof(cwd)))
        return 2;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 3;
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        char buf[64], cwd2[256];
        ssize_t n = read(down[0], buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        for (char *p = buf; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p -= 32;
        const char *same = getcwd(cwd2, sizeof(cwd2)) && strcmp(cwd, cwd2) == 0 ? "same" : "other";
        char out[128];
        int len = snprintf(out, sizeof(out), "%s, cwd %s", buf, same);
        write(up[1], out, len);
        /* End of file only when the parent closes its write end too. */
        n = read(down[0], buf, sizeof(buf));
        write(up[1], n == 0 ? " eof" : " data", n == 0 ? 4 : 5);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    write(down[1], "hello child", 11);
    char buf[128];
    ssize_t n = read(up[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("parent read: %s\n", buf);
    close(down[1]);
    n = read(up[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("parent read:%s\n", buf);
    n = read(up[0], buf, sizeof(buf));
    printf("then: %zd\n", n);
    int st;
    waitpid(pid, &st, 0);
    printf("status %d\n", WEXITSTATUS(st));

    /* stdout shared: lines from both sides, in the order made. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        printf("child line\n");
        fflush(stdout);
        _exit(7);
    }
    waitpid(pid, &st, 0);
    printf("parent line after %d\n", WEXITSTATUS(st));
    return 0;
}
