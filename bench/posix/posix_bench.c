/*
 * The POSIX rows of `make bench`: one source, built with tools/capos-cc for
 * capOS and with musl-gcc -static for Linux, so both sides run the same C
 * library code and differ only in the system below it.  Each figure is a
 * path length in guest instructions (QEMU TCG with -icount shift=0, where
 * rdtsc counts instructions; docs/benchmarks.md), measured as the Linux
 * benchmark measures (bench/linux/bench.c): warm-up batches, then the
 * median of BATCHES batches of n operations, less the counter's own cost.
 *
 *   getpid                getpid() through musl
 *   clock_gettime         clock_gettime(CLOCK_MONOTONIC) through musl: on
 *                         Linux musl's vDSO call, on capOS the clock page
 *   pipe_rt               a 1-byte ping-pong between two threads over two
 *                         pipes (read and write through musl), per round trip
 *   thread_create_join    pthread_create + pthread_join, default attributes
 *   mutex_uncontended     pthread_mutex_lock + unlock of a free mutex
 *
 * Keys: posix_<figure>_insns on capOS, linux_posix_<figure>_insns on Linux.
 *
 * "profile pipe_rt" (capOS only, bench/capos/profile.py) then runs a few
 * round trips between two calls of a marker function, after a 1 ms sleep
 * that is the profiler's cue.
 * Output goes to stdout (the serial console on both); on capOS the program
 * ends the benchmark with BENCH_END (on Linux /init, which runs it, does).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../measure.h"

#ifdef __capos__
#define PREFIX "posix_"
#else
#define PREFIX "linux_posix_"
#endif

#define WARMUP  3
#define BATCHES 15

static uint64_t counter_overhead;
static int failures;

static void measure(const char *name, bench_run_fn run, uint32_t n)
{
    uint64_t v[BATCHES];
    bench_batches(run, n, n, counter_overhead, WARMUP, BATCHES, v);
    printf("BENCH " PREFIX "%s_insns %llu\n", name, (unsigned long long)v[BATCHES / 2]);
    printf("INFO spread " PREFIX "%s_insns min %llu median %llu max %llu\n", name,
           (unsigned long long)v[0], (unsigned long long)v[BATCHES / 2],
           (unsigned long long)v[BATCHES - 1]);
    fflush(stdout);
}

static void run_getpid(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        __asm__ volatile("" ::"r"(getpid()));
}

static void run_clock(uint32_t n)
{
    struct timespec ts;
    for (uint32_t i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        __asm__ volatile("" ::"r"(&ts) : "memory");
    }
}

static int to_peer[2], from_peer[2];

static void *echo(void *arg)
{
    char c;
    (void)arg;
    while (read(to_peer[0], &c, 1) == 1) {
        if (write(from_peer[1], &c, 1) != 1)
            break;
    }
    return NULL;
}

static void run_pipe_rt(uint32_t n)
{
    char c = 'x';
    for (uint32_t i = 0; i < n; i++) {
        if (write(to_peer[1], &c, 1) != 1 || read(from_peer[0], &c, 1) != 1)
            failures++;
    }
}

static void *nothing(void *arg)
{
    return arg;
}

static void run_thread(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, NULL) != 0)
            failures++;
    }
}

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

static void run_mutex(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        pthread_mutex_lock(&mutex);
        pthread_mutex_unlock(&mutex);
    }
}

/* The profiler's breakpoint: it traces every instruction between two
 * calls. */
static __attribute__((noinline, used)) void bench_profile_mark(void)
{
    __asm__ volatile("" ::: "memory");
}

static void profile_pipe_rt(void)
{
    struct timespec cue = {0, 1000000};
    run_pipe_rt(20); /* warm-up */
    nanosleep(&cue, NULL);
    bench_profile_mark();
    run_pipe_rt(4);
    bench_profile_mark();
    printf("INFO profile pipe_rt 4 iterations\n");
}

int main(int argc, char **argv)
{
    bool profile = argc > 2 && !strcmp(argv[1], "profile") && !strcmp(argv[2], "pipe_rt");
    counter_overhead = bench_counter_overhead();
    printf("INFO " PREFIX "counter_overhead %llu\n", (unsigned long long)counter_overhead);
    measure("getpid", run_getpid, 2000);
    measure("clock_gettime", run_clock, 2000);
    pthread_t peer;
    if (pipe(to_peer) != 0 || pipe(from_peer) != 0 || pthread_create(&peer, NULL, echo, NULL))
        failures++;
    measure("pipe_rt", run_pipe_rt, 200);
    if (profile)
        profile_pipe_rt();
    close(to_peer[1]);
    pthread_join(peer, NULL);
    measure("thread_create_join", run_thread, 20);
    measure("mutex_uncontended", run_mutex, 2000);
    if (failures)
        printf("INFO error " PREFIX "bench: %d operations failed\n", failures);
#ifdef __capos__
    printf("BENCH_END\n");
#endif
    return failures != 0;
}
