/*
 * testlib.h: the helpers the test programs (user/tests/, user/fuzz/) share
 * whatever harness they print their results with.  A program declares its
 * own `fail(const char *fmt, ...)` (testcase.h's, or one that prints the
 * program's own FAIL lines) before including this header; every helper
 * here reports a call that went wrong through it and goes on.
 *
 * The leak probes (quota_used, free_cap_slots, free_physical) measure what
 * a process can still get from the kernel: a program takes them before and
 * after a piece of work and compares.  They run only while the program does
 * nothing else, since they fill the table or the memory for a moment.
 */
#ifndef CAPOS_USER_TESTS_TESTLIB_H
#define CAPOS_USER_TESTS_TESTLIB_H

#include "capos.h"

#include "fmt/fmt.h"

/* An exit status as the FAIL lines name it: "exited(N)", "killed" or
 * "faulted(vector V at ADDR: REASON)". */
static inline void describe(const struct capos_exit *ex, char *buf, size_t len)
{
    switch (ex->kind) {
    case capos_ExitStatus_which_exited: fmt_snprintf(buf, len, "exited(%d)", ex->code); break;
    case capos_ExitStatus_which_killed: fmt_snprintf(buf, len, "killed"); break;
    case capos_ExitStatus_which_faulted:
        fmt_snprintf(buf, len, "faulted(vector %u at %#lx: %s)", ex->vector,
                     (unsigned long)ex->address, ex->reason);
        break;
    }
}

/* CPUs that are online: the first CPU the calling thread may not be moved
 * to ends the count (the thread may then run anywhere again). */
static inline unsigned count_cpus(void)
{
    unsigned n = 0;
    while (n < 64 && capos_thread_set_affinity(1ULL << n) == CAPOS_OK)
        n++;
    capos_thread_set_affinity(~0ULL);
    return n ? n : 1;
}

/* A thread function: the CPU it runs on (ThreadHandle.info of itself), or
 * -1 if it cannot tell. */
static inline int report_cpu(void *arg)
{
    (void)arg;
    uint32_t h;
    struct capos_thread_info info;
    if (capos_thread_handle_self(&h) != CAPOS_OK || capos_thread_info(h, &info) != CAPOS_OK)
        return -1;
    capos_release(h);
    return (int)info.cpu;
}

/* Waits for the process `h` (`who` in a failure) to end and releases its
 * handle; false (reported) if the wait failed. */
static inline bool wait_end(const char *who, uint32_t h, struct capos_exit *ex)
{
    int r = capos_process_wait(h, ex);
    capos_release(h);
    if (r != CAPOS_OK) {
        fail("wait for %s: %s", who, capos_error_name(r));
        return false;
    }
    return true;
}

/* Bytes the VirtualMemory `vm` has charged to its quota (0 if the call
 * failed, which is reported). */
static inline uint64_t quota_used(uint32_t vm)
{
    uint64_t limit = 0, used = 0;
    int r = capos_vm_quota(vm, &limit, &used);
    if (r != CAPOS_OK) {
        fail("VirtualMemory.quota: %s", capos_error_name(r));
        return 0;
    }
    return used;
}

#define TESTLIB_MAX_SLOTS 512

/* Free slots of this process's capability table: mints client facets of
 * the endpoint `server` (with `badge`) until the table is full, then
 * releases them all. */
static inline uint32_t free_cap_slots(uint32_t server, uint64_t badge)
{
    static uint32_t ids[TESTLIB_MAX_SLOTS];
    uint32_t n = 0;
    int r = CAPOS_OK;
    while (n < TESTLIB_MAX_SLOTS && (r = capos_endpoint_mint(server, badge, &ids[n])) == CAPOS_OK)
        n++;
    if (r != CAPOS_ERR_TABLE_FULL)
        fail("filling the capability table: mintClient gave %s after %u", capos_error_name(r), n);
    for (uint32_t i = 0; i < n; i++) {
        if ((r = capos_release(ids[i])) != CAPOS_OK)
            fail("release of a probe facet: %s", capos_error_name(r));
    }
    return n;
}

#define TESTLIB_MAX_PIECES 80

/* Physical memory the kernel has not kept for itself: what `vm` can still
 * map (pieces of the sizes in piece[], largest first, at most `max` of
 * them, until the kernel says noMemory or the quota ends; then all
 * unmapped) plus what it holds already, which may grow a little with the
 * heap without any leak.  The kernel chooses the addresses: the lowest
 * gaps, so each probe reuses the page tables the one before it left. */
static inline uint64_t free_physical(uint32_t vm, const uint64_t *piece, uint32_t npiece,
                                     uint32_t max)
{
    uint64_t held = quota_used(vm);
    uint64_t addr[TESTLIB_MAX_PIECES], len[TESTLIB_MAX_PIECES], total = 0;
    uint32_t n = 0;
    if (max > TESTLIB_MAX_PIECES)
        max = TESTLIB_MAX_PIECES;
    for (uint32_t i = 0; i < npiece; i++) {
        while (n < max) {
            int r = capos_vm_map(vm, 0, piece[i], CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr[n]);
            if (r == CAPOS_ERR_NO_MEMORY || r == CAPOS_ERR_QUOTA_EXCEEDED)
                break;
            if (r != CAPOS_OK) {
                fail("probe map of %lu KiB: %s", (unsigned long)(piece[i] >> 10),
                     capos_error_name(r));
                break;
            }
            len[n++] = piece[i];
            total += piece[i];
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        int r = capos_vm_unmap(vm, addr[i], len[i]);
        if (r != CAPOS_OK)
            fail("probe unmap: %s", capos_error_name(r));
    }
    return total + held;
}

/* A CALL of `method` on `cap` whose result lands in res and *out, giving
 * up after `timeout` ns (measured on the Timer `clock`) with CAPOS_ERR_TIMED_OUT; only
 * for a thread with no other operation in flight, since it takes every
 * completion it sees. */
static inline int call_deadline(uint32_t clock, uint32_t cap, uint64_t iid, uint16_t method,
                                void *res, uint32_t res_len, uint64_t timeout,
                                struct capos_cqe *out)
{
    struct capos_sqe *s = capos_ring_prep();
    if (!s)
        return CAPOS_ERR_EXHAUSTED;
    uint64_t cookie = capos_ring_cookie();
    capos_sqe_call(s, cap, iid, method, 0, 0, res, res_len, 0, 0);
    s->user_data = cookie;
    uint64_t start = 0, now = 0;
    capos_timer_now(clock, &start);
    do {
        int64_t n = capos_ring_enter(1, 100 * 1000 * 1000); /* 100 ms */
        if (n < 0)
            return (int)-n;
        while (capos_ring_next(out)) {
            if (out->user_data == cookie)
                return out->result;
        }
        capos_timer_now(clock, &now);
    } while (now - start < timeout);
    return CAPOS_ERR_TIMED_OUT;
}

#endif
