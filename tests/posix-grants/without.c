/* What a missing grant turns into (docs/posix.md, "Start-up and grants"):
 * run on capOS only, once per line below, with that grant left out and its
 * name as argv[1].  Each run checks the errno the table documents, says so
 * on stderr (stdout when stderr is the grant left out) and exits 0 only if
 * everything is as documented.
 *
 * without: timer
 * without: entropy
 * without: memory
 * without: threads
 * without: park
 * without: pipes
 * without: spawner
 * without: stdout
 * without: stderr
 * without: root
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE *out;
static int failed;

static void expect(const char *what, int ok)
{
    fprintf(out, "%s: %s\n", what, ok ? "ok" : "WRONG");
    failed += !ok;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;

static void *adder(void *arg)
{
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&m);
        counter++;
        pthread_mutex_unlock(&m);
    }
    pthread_mutex_lock(&m);
    ready++;
    pthread_cond_signal(&c);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *nothing(void *arg)
{
    return arg;
}

int main(int argc, char **argv)
{
    const char *w = argc > 1 ? argv[1] : "";
    struct timespec ts = {0, 1000000};
    char buf[16];
    int fds[2];
    out = strcmp(w, "stderr") == 0 ? stdout : stderr;
    errno = 0;
    if (strcmp(w, "timer") == 0) {
        expect("clock_gettime: EPERM", clock_gettime(CLOCK_MONOTONIC, &ts) == -1 && errno == EPERM);
        errno = 0;
        expect("nanosleep: EPERM", nanosleep(&ts, NULL) == -1 && errno == EPERM);
        struct pollfd p = {0, POLLIN, 0};
        errno = 0;
        expect("poll without a timeout still answers", poll(&p, 1, 0) == 1);
        pipe(fds);
        struct pollfd q = {fds[0], POLLIN, 0};
        errno = 0;
        expect("poll with a timeout: EPERM", poll(&q, 1, 10) == -1 && errno == EPERM);
    } else if (strcmp(w, "entropy") == 0) {
        expect("getrandom: EPERM", getrandom(buf, sizeof(buf), 0) == -1 && errno == EPERM);
    } else if (strcmp(w, "memory") == 0) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        expect("mmap: ENOMEM", p == MAP_FAILED && errno == ENOMEM);
        expect("malloc: NULL", malloc(100) == NULL && malloc(1 << 20) == NULL);
        expect("printf still works", printf("%s", "") == 0);
    } else if (strcmp(w, "threads") == 0) {
        pthread_t t;
        expect("pthread_create: EAGAIN", pthread_create(&t, NULL, nothing, NULL) == EAGAIN);
    } else if (strcmp(w, "park") == 0) {
        pthread_t t[3];
        for (int i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, adder, NULL);
        pthread_mutex_lock(&m);
        while (ready < 3)
            pthread_cond_wait(&c, &m);
        pthread_mutex_unlock(&m);
        for (int i = 0; i < 3; i++)
            pthread_join(t[i], NULL);
        expect("locks, condition variables and join work by yielding", counter == 6000);
    } else if (strcmp(w, "pipes") == 0) {
        expect("pipe: ENFILE", pipe(fds) == -1 && errno == ENFILE);
    } else if (strcmp(w, "spawner") == 0) {
        char *args[] = {"x", NULL};
        pid_t pid;
        expect("posix_spawn: EPERM", posix_spawn(&pid, "/x", NULL, NULL, args, NULL) == EPERM);
        pid_t f = fork();
        if (f == 0)
            _exit(0); /* a child that should not exist: the check below fails */
        expect("fork: EPERM", f == -1 && errno == EPERM);
        expect("waitpid: ECHILD", waitpid(-1, NULL, 0) == -1 && errno == ECHILD);
    } else if (strcmp(w, "stdout") == 0) {
        expect("write to fd 1: EBADF", write(1, "x", 1) == -1 && errno == EBADF);
    } else if (strcmp(w, "stderr") == 0) {
        expect("write to fd 2: EBADF", write(2, "x", 1) == -1 && errno == EBADF);
    } else if (strcmp(w, "root") == 0) {
        char cwd[8];
        expect("open: ENOENT", open("/tmp/x", O_CREAT | O_WRONLY, 0644) == -1 && errno == ENOENT);
        errno = 0;
        expect("mkdir: ENOENT", mkdir("/d", 0755) == -1 && errno == ENOENT);
        errno = 0;
        expect("chdir: ENOENT", chdir("/tmp") == -1 && errno == ENOENT);
        expect("getcwd: /", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0);
        expect("/dev/null still opens", open("/dev/null", O_RDONLY) >= 0);
    } else {
        expect("a grant to leave out is named", 0);
    }
    return failed != 0;
}
