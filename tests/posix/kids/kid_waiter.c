/* A program of the exec tests: waits for every child it has (the ones the
 * program before the exec started) and prints, in pid order, whether each
 * is one EXEC_CHILDREN lists and how it ended; then that no child is left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    struct {
        pid_t pid;
        int st;
    } got[8];
    int n = 0;
    pid_t pid;
    int st;
    while (n < 8 && (pid = wait(&st)) > 0) {
        got[n].pid = pid;
        got[n++].st = st;
    }
    int e = errno;
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            if (got[j].pid < got[i].pid) {
                __typeof__(got[0]) t = got[i];
                got[i] = got[j];
                got[j] = t;
            }
        }
    }
    const char *list = getenv("EXEC_CHILDREN");
    for (int i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof(key), ":%ld:", (long)got[i].pid);
        printf("kid_waiter: child %d %s, exited %d with %d\n", i,
               list && strstr(list, key) ? "listed" : "unknown", WIFEXITED(got[i].st),
               WEXITSTATUS(got[i].st));
    }
    printf("kid_waiter: then %s\n", strerror(e));
    return 0;
}
