/*
 * Abusing the signal calls, on capOS only (tools/run-tests.py wants status
 * 0): ThreadControl.setSignalEntry refuses an entry or a restore range
 * outside the user range and a backwards range, and leaves the
 * registration as it was; signalProcess refuses signal 0, 65 and SIGSTOP;
 * a flood of signals from the process to itself is coalesced (the handler
 * runs at most once per post, at least once) and the process, and the
 * clock, go on.  The calls are the generated client stubs the personality
 * itself uses (gen/capos.rpc.h), declared here by hand.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct entry_args {
    uint64_t entry, restoreStart, restoreEnd, wanted;
};
struct signal_args {
    uint8_t signal;
};
int capos_ThreadControl_setSignalEntry_call(uint32_t cap, const struct entry_args *in, void *out,
                                            void *opts);
int capos_ThreadControl_signalProcess_call(uint32_t cap, const struct signal_args *in, void *out,
                                           void *opts);
uint32_t posix_thread_control(void);
extern char __capos_sig_entry[], __capos_sig_restore[], __capos_sig_restore_end[];

static int failures;
static volatile sig_atomic_t hits;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void on_usr1(int sig)
{
    (void)sig;
    hits++;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

int main(void)
{
    uint32_t tc = posix_thread_control();
    uint64_t lo = (uint64_t)(uintptr_t)__capos_sig_restore;
    uint64_t hi = (uint64_t)(uintptr_t)__capos_sig_restore_end;
    struct entry_args bad[] = {
        {0xffff800000001000ULL, lo, hi, ~0ULL},                  /* a kernel address */
        {0x0000800000000000ULL, lo, hi, ~0ULL},                  /* past the user range */
        {(uint64_t)(uintptr_t)__capos_sig_entry, hi, lo, ~0ULL}, /* backwards */
        {(uint64_t)(uintptr_t)__capos_sig_entry, lo, 0xffffffffffff0000ULL, ~0ULL},
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECT(capos_ThreadControl_setSignalEntry_call(tc, &bad[i], 0, 0) != 0,
               "setSignalEntry %u accepted", i);
    uint8_t refused[] = {0, 65, 19, 255};
    for (unsigned i = 0; i < sizeof(refused); i++) {
        struct signal_args a = {refused[i]};
        EXPECT(capos_ThreadControl_signalProcess_call(tc, &a, 0, 0) != 0,
               "signalProcess(%u) accepted", refused[i]);
    }

    /* The registration is intact: a signal still reaches its handler. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    struct signal_args usr1 = {SIGUSR1};
    EXPECT(capos_ThreadControl_signalProcess_call(tc, &usr1, 0, 0) == 0, "signalProcess");
    for (int i = 0; i < 1000 && !hits; i++)
        ;
    EXPECT(hits == 1, "one signal, %d runs of the handler", (int)hits);

    /* A flood. */
    enum { FLOOD = 20000 };
    hits = 0;
    uint64_t t0 = now_ns();
    for (int i = 0; i < FLOOD; i++)
        capos_ThreadControl_signalProcess_call(tc, &usr1, 0, 0);
    uint64_t t1 = now_ns();
    EXPECT(hits >= 1 && hits <= FLOOD, "a flood of %d: %d runs", FLOOD, (int)hits);
    printf("a flood of %d signals: the handler ran %d times, %llu ns per signal\n", FLOOD,
           (int)hits, (unsigned long long)((t1 - t0) / FLOOD));
    struct timespec t = {0, 20000000};
    uint64_t s0 = now_ns();
    EXPECT(nanosleep(&t, NULL) == 0 && now_ns() - s0 >= 20000000ULL, "the clock goes on");
    printf("%s\n", failures ? "failures" : "signal abuse: ok");
    return failures != 0;
}
