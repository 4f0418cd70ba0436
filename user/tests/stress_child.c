/*
 * stress_child: the short-lived processes of the SMP stress test
 * (user/tests/stress.c), which starts them over and over and checks how
 * each one ends.  argv[1] picks the behaviour:
 *
 *   exit C        main returns C                              exited(C)
 *   threads C     helper threads keep running (yielding, waking nobody,
 *                 spinning) while main ends the process with C
 *                                                             exited(C)
 *   last C        main ends first with ThreadControl.exit; the helper that
 *                 ends last (after joining main and the other helper)
 *                 returns C, which ends the process           exited(C)
 *   block         threads blocked in ParkSpace.wait, ThreadHandle.join and
 *                 Timer.sleep, one spinning without system calls; only a
 *                 kill ends it                                killed
 *   fault         main writes to address 0                    faulted (#PF at 0)
 *   tfault        a helper reads address 0x10 once main waits in join and
 *                 another helper is parked                    faulted (#PF at 0x10)
 *   client N B    N threads call the "echo" endpoint (a client facet with
 *                 badge B) until a reply says stop, checking every reply;
 *                 exits with the number of calls answered, or a negative
 *                 code on the first wrong answer
 *   doomed        one thread calls "echo" like a client until a reply says
 *                 stop, then parks until it is killed
 *
 * Every mode starts at once, so exit and fault often end the process
 * before the parent's spawn call has completed.  The "-racy" variants
 * (exit-racy, threads-racy, ...) end the process while its threads are
 * busy going in and out of blocking calls: threads helpers park with short
 * timeouts over and over instead of waking nobody, tfault faults at once
 * instead of once the others have blocked, and doomed is killed while it
 * still calls (the parent decides that, and when block is killed).
 *
 * A child never prints on the way to being killed or faulting: its status,
 * not its output, is what the stress test checks.
 */
#include "capos.h"

#include "base/mem.h"
#include "rawcall.h"
#include "stress_proto.h"

static uint32_t park, timer, echo;
static bool racy;
static uint64_t badge;
static uint32_t never; /* a word nobody ever wakes */

static long parse(const char *s)
{
    long v = 0;
    for (; s && *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return v;
}

static const struct capos_thread_opts small = {.stack_size = 16 * 1024};

/* A child has at most five threads: a create never fails. */
static struct capos_thread *start(int (*fn)(void *), void *arg)
{
    struct capos_thread *t = NULL;
    int r = capos_thread_create(&t, fn, arg, &small);
    if (r != CAPOS_OK)
        capos_exit(90); /* the parent reports an unexpected status */
    return t;
}

/* ---- helpers that never end by themselves ---- */

static int keep_yielding(void *arg)
{
    (void)arg;
    for (;;)
        capos_thread_yield();
    return 0; /* not reached */
}

/* ParkSpace.wait on a word nobody wakes, again and again, each wait with
 * the timeout `arg` (ns; PARK_FOREVER: none, so the first wait lasts). */
#define PARK_FOREVER ((void *)0)
#define PARK_100US   ((void *)(uintptr_t)(100 * 1000))

static int park_loop(void *arg)
{
    for (;;)
        capos_park_wait(park, &never, 0, (uint64_t)(uintptr_t)arg);
    return 0; /* not reached */
}

static int keep_waking(void *arg)
{
    (void)arg;
    for (;;)
        capos_park_wake(park, &never, 1, 0);
    return 0; /* not reached */
}

static int keep_spinning(void *arg)
{
    volatile uint64_t *x = arg;
    for (;;)
        (*x)++;
    return 0; /* not reached */
}

static int join_forever(void *arg)
{
    capos_thread_join(arg, NULL, NULL);
    for (;;)
        capos_park_wait(park, &never, 0, 0);
    return 0; /* not reached */
}

static int sleep_forever(void *arg)
{
    (void)arg;
    for (;;)
        capos_timer_sleep(timer, 60ULL * 1000 * 1000 * 1000);
    return 0; /* not reached */
}

/* Faults at 0x10; with a non-NULL arg, only after 5 ms, when the other
 * threads are surely blocked. */
static int read_null(void *arg)
{
    if (arg)
        capos_timer_sleep(timer, 5 * 1000 * 1000);
    for (int i = 0; i < 3; i++)
        capos_thread_yield();
    uintptr_t bad = 0x10;
    __asm__("" : "+r"(bad)); /* an address the compiler cannot reason about */
    return (int)*(volatile uint32_t *)bad;
}

/* ---- "last": the process ends with the code of its last thread ---- */

struct last_args {
    uint32_t main_handle;
    struct capos_thread *other;
    int code;
};

static int end_early(void *arg)
{
    (void)arg;
    capos_thread_yield();
    return 5;
}

static int end_last(void *arg)
{
    struct last_args *a = arg;
    int main_code = -1, other_code = -1;
    /* join_raw: the runtime's join wants a thread it created, and main was
     * not. */
    if (join_raw(a->main_handle, &main_code, NULL) != CAPOS_OK || main_code != 77)
        return 91;
    if (capos_thread_join(a->other, &other_code, NULL) != CAPOS_OK || other_code != 5)
        return 92;
    return a->code;
}

/* ---- "client": calls the stress test's servers until told to stop ---- */

struct caller {
    uint32_t id;
    int32_t answered; /* or negative: what went wrong */
};

static int call_until_stop(void *arg)
{
    struct caller *c = arg;
    struct stress_req q;
    struct stress_rep r;
    struct capos_cqe cqe;
    for (uint32_t seq = 0;; seq++) {
        q.magic = STRESS_REQ_MAGIC;
        q.client = c->id;
        q.seq = seq;
        q.nonce = (uint64_t)seq * 0x100000001B3ULL + c->id;
        memset(&r, 0, sizeof(r));
        int err = capos_call(echo, STRESS_IID, SM_ECHO, &q, sizeof(q), &r, sizeof(r), 0, 0, &cqe);
        if (err != CAPOS_OK) {
            c->answered = -2;
            return 0;
        }
        if (cqe.result_len != sizeof(r) || !stress_rep_ok(&q, &r, badge)) {
            c->answered = -3;
            return 0;
        }
        c->answered++;
        if (r.stop)
            return 0;
    }
}

static int client(int nthreads)
{
    struct caller c[8];
    struct capos_thread *t[8];
    int32_t total = 0;
    if (nthreads < 1 || nthreads > 8)
        return -4;
    for (int i = 0; i < nthreads; i++) {
        c[i].id = (uint32_t)i;
        c[i].answered = 0;
        t[i] = i ? start(call_until_stop, &c[i]) : NULL;
    }
    call_until_stop(&c[0]);
    for (int i = 0; i < nthreads; i++) {
        if (i && capos_thread_join(t[i], NULL, NULL) != CAPOS_OK)
            return -5;
        if (c[i].answered < 0)
            return c[i].answered;
        total += c[i].answered;
    }
    return total;
}

int main(int argc, char **argv)
{
    static volatile uint64_t spin_count;
    static char base[16];
    const char *mode = argc > 1 ? argv[1] : "";
    int code = argc > 2 ? (int)parse(argv[2]) : 0;
    park = capos_park_default();
    capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer);

    size_t len = strlen(mode);
    if (len > 5 && len - 5 < sizeof(base) && !strcmp(mode + len - 5, "-racy")) {
        memcpy(base, mode, len - 5);
        base[len - 5] = 0;
        mode = base;
        racy = true;
    }

    if (!strcmp(mode, "exit"))
        return code;
    if (!strcmp(mode, "threads")) {
        start(keep_yielding, NULL);
        start(racy ? park_loop : keep_waking, racy ? PARK_100US : NULL);
        start(keep_spinning, (void *)&spin_count);
        capos_timer_sleep(timer, 1000 * 1000);
        capos_exit(code);
    }
    if (!strcmp(mode, "last")) {
        static struct last_args a;
        a.code = code;
        if (capos_thread_handle_self(&a.main_handle) != CAPOS_OK)
            return 93;
        a.other = start(end_early, NULL);
        start(end_last, &a);
        capos_thread_exit(77);
    }
    if (!strcmp(mode, "block")) {
        struct capos_thread *parked = start(park_loop, PARK_FOREVER);
        struct capos_thread *joiner = start(join_forever, parked);
        start(sleep_forever, NULL);
        start(keep_spinning, (void *)&spin_count);
        capos_thread_join(joiner, NULL, NULL);
        return 94; /* not reached: only a kill ends the joiner */
    }
    if (!strcmp(mode, "fault")) {
        uintptr_t null = 0;
        __asm__("" : "+r"(null));
        *(volatile uint32_t *)null = 1;
        return 95;
    }
    if (!strcmp(mode, "tfault")) {
        struct capos_thread *parked = start(park_loop, PARK_FOREVER);
        start(read_null, racy ? NULL : (void *)1);
        capos_thread_join(parked, NULL, NULL);
        return 96;
    }
    if (!strcmp(mode, "doomed")) {
        struct caller c = {0, 0};
        badge = argc > 2 ? (uint64_t)parse(argv[2]) : 0;
        if (capos_capset_find("echo", 0, &echo) != CAPOS_OK)
            return -6;
        call_until_stop(&c);
        return park_loop(PARK_FOREVER);
    }
    if (!strcmp(mode, "client")) {
        badge = argc > 3 ? (uint64_t)parse(argv[3]) : 0;
        if (capos_capset_find("echo", 0, &echo) != CAPOS_OK)
            return -6;
        return client(code);
    }
    return 97;
}
