/*
 * The counter every benchmark program reads, on capOS (native and POSIX)
 * and on Linux: the TSC, bracketed by lfence;rdtsc before and
 * rdtscp;lfence after.  Under QEMU icount it counts guest instructions
 * (docs/benchmarks.md); without icount it is a time at the host's TSC rate.
 * On hardware the fences keep earlier instructions from finishing after the
 * first read and later ones from starting before the second; under TCG both
 * are exact anyway, and their cost is inside the counter's overhead, which
 * every sample has taken off.
 *
 * Header-only and free of any library, so that the native runtime, musl
 * and glibc programs can all include it.
 */
#ifndef CAPOS_BENCH_MEASURE_H
#define CAPOS_BENCH_MEASURE_H

#include <stdint.h>

static inline uint64_t bench_t_begin(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t bench_t_end(void)
{
    uint32_t lo, hi, aux;
    __asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Insertion sort: the sample sets are small and no libc is assumed. */
static inline void bench_sort(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t x = v[i];
        int j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* The cost of the counter pair itself: the median of 64 back-to-back pairs. */
static inline uint64_t bench_counter_overhead(void)
{
    uint64_t s[64];
    for (int i = 0; i < 64; i++) {
        uint64_t t0 = bench_t_begin();
        s[i] = bench_t_end() - t0;
    }
    bench_sort(s, 64);
    return s[32];
}

typedef void (*bench_run_fn)(uint32_t n);

/* `warmup` unrecorded calls of run(n), then `batches` recorded ones, each
 * sample (cost - overhead) / ops rounded to nearest; v[] ends sorted, so
 * v[batches / 2] is the median. */
static inline void bench_batches(bench_run_fn run, uint32_t n, uint64_t ops, uint64_t overhead,
                                 int warmup, int batches, uint64_t *v)
{
    for (int i = 0; i < warmup; i++)
        run(n);
    for (int b = 0; b < batches; b++) {
        uint64_t t0 = bench_t_begin();
        run(n);
        uint64_t d = bench_t_end() - t0;
        d = d > overhead ? d - overhead : 0;
        v[b] = (d + ops / 2) / ops;
    }
    bench_sort(v, batches);
}

#endif
