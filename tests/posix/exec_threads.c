/* execve from a thread other than the first, while the others are blocked
 * in a pipe read, asleep, spinning and joining: they all end, and the new
 * program runs alone in the process, with its pid and parent.
 * cwd: kids
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int p[2];

static void *reader(void *a)
{
    char c;
    (void)a;
    if (read(p[0], &c, 1) >= 0)
        printf("reader: read returned\n");
    return NULL;
}

static void *sleeper(void *a)
{
    (void)a;
    for (;;)
        sleep(1);
    return NULL;
}

static void *spinner(void *a)
{
    (void)a;
    for (volatile unsigned long i = 0;; i++)
        ;
    return NULL;
}

static void *execer(void *a)
{
    char pid[32], ppid[32];
    (void)a;
    snprintf(pid, sizeof(pid), "EXEC_PID=%ld", (long)getpid());
    snprintf(ppid, sizeof(ppid), "EXEC_PPID=%ld", (long)getppid());
    char *argv[] = {"kid_exec", "6", "from a thread", NULL};
    char *envp[] = {pid, ppid, NULL};
    usleep(100 * 1000); /* the others are where they block by now */
    printf("exec_threads: exec\n");
    fflush(stdout);
    execve("./kid_exec", argv, envp);
    perror("execve");
    exit(1);
}

int main(void)
{
    pthread_t t[4];
    if (pipe(p) != 0)
        return 2;
    if (pthread_create(&t[0], NULL, reader, NULL) || pthread_create(&t[1], NULL, sleeper, NULL) ||
        pthread_create(&t[2], NULL, spinner, NULL) || pthread_create(&t[3], NULL, execer, NULL))
        return 3;
    pthread_join(t[3], NULL);
    printf("exec_threads: the exec returned\n");
    return 4;
}
