/* setjmp/longjmp across frames, and sigsetjmp/siglongjmp restoring the
 * signal mask. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static jmp_buf env;
static sigjmp_buf senv;
static int depth;

static void dive(int n)
{
    depth = n;
    if (n == 10)
        longjmp(env, n * 3);
    if (n < 20) /* always: a way out keeps the compiler from calling this endless */
        dive(n + 1);
}

int main(void)
{
    volatile int count = 0;
    int r = setjmp(env);
    count++;
    if (r == 0)
        dive(0);
    printf("longjmp returned %d from depth %d after %d setjmp returns\n", r, depth, count);
    r = setjmp(env);
    if (r == 0)
        longjmp(env, 0);
    printf("longjmp(0) gives %d\n", r);
    sigset_t set;
    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    if (sigsetjmp(senv, 1) == 0) {
        sigaddset(&set, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set, NULL);
        siglongjmp(senv, 1);
    }
    sigprocmask(SIG_SETMASK, NULL, &set);
    printf("siglongjmp restored the mask: %d\n", !sigismember(&set, SIGUSR1));
    return 0;
}
