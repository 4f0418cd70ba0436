/* fork and file offsets: an open file description is shared with the
 * child, offset included: what one side reads or writes moves the
 * other's; a file opened after the fork has an offset of its own; the
 * offset stays shared after the parent closes its descriptor, and after
 * a second generation of fork.
 */
#include <sys/wait.h>

#include "fstest.h"

static void wait_child(pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("child status %#x\n", st);
}

int main(void)
{
    char b[16] = {0};
    setup();
    put("f", "0123456789abcdefghijklmnopqrstuv");
    int fd = open("f", O_RDONLY);
    read(fd, b, 4);
    printf("parent read %s\n", b);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        memset(b, 0, sizeof(b));
        read(fd, b, 4);
        printf("child read on: %s\n", b);
        int own = open("f", O_RDONLY);
        memset(b, 0, sizeof(b));
        read(own, b, 2);
        printf("child's own open starts at 0: %s\n", b);
        fflush(stdout);
        _exit(0);
    }
    wait_child(pid);
    printf("parent's offset moved to %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    memset(b, 0, sizeof(b));
    read(fd, b, 4);
    printf("parent reads on: %s\n", b);

    /* The child seeks; the parent has closed its descriptor meanwhile
     * and the child's stays shared with its own child. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        lseek(fd, 20, SEEK_SET);
        pid_t g = fork();
        if (g == 0) {
            memset(b, 0, sizeof(b));
            read(fd, b, 3);
            printf("grandchild reads at 20: %s\n", b);
            fflush(stdout);
            _exit(0);
        }
        wait_child(g);
        printf("child after its child: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
        fflush(stdout);
        _exit(0);
    }
    int copy = dup(fd);
    close(fd);
    wait_child(pid);
    printf("parent's dup after both: %ld\n", (long)lseek(copy, 0, SEEK_CUR));

    /* Writes: both append through one offset. */
    int w = open("g", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    write(w, "parent1 ", 8);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        write(w, "child ", 6);
        _exit(0);
    }
    wait_child(pid);
    write(w, "parent2", 7);
    close(w);
    int r = open("g", O_RDONLY);
    char text[64] = {0};
    read(r, text, sizeof(text) - 1);
    printf("g: %s\n", text);
    close(r);
    close(copy);
    unlink("g");
    return cleanup();
}
