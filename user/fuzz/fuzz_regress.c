/*
 * fuzz_regress: small deterministic programs for the kernel crashes the
 * system-call fuzzer found (system/smoke-fuzz-regress.capnp).  Each case
 * repeats one race many times on 4 CPUs and prints
 * "fuzz-regress: <case>: ok", or FAIL lines saying what happened instead; a
 * kernel fault fails the smoke.
 *
 *   join-end   children whose first thread joins a second thread that,
 *              after a short spin (up to 200000 iterations), ends the
 *              process: by a page fault, or by the exit system call.  The
 *              process stopping cancels the joins on one CPU while the
 *              joined thread's end completes them on another; the thread
 *              must stay valid until both are done.  Every such child must
 *              end faulted (#PF at 0x8) or exited with 7.  Two thirds of
 *              the children have an ender that waits instead, and are
 *              killed 0 to 3 ms after the spawn while the joins pile up:
 *              each must end killed.  (The kernel faulted in
 *              thread_join_detach within a few hundred such children: the
 *              cancelled join used the thread after the join's completion
 *              had freed it; kernel/pending.h says how a cancellation and
 *              a completion meet now.)  A child that has not ended 20 s
 *              after it was started (or killed) is a hang.
 *   halt-teardown  the last case: children with 8 MiB mapped, 4 pipes
 *              (17 frames each) and an idle thread on every CPU are
 *              killed, and the program exits at once, so the machine
 *              halts while their threads free all that on other CPUs.
 *              The kernel's memory report at halt must still account for
 *              every frame (the smoke checks the line): it once read the
 *              free and charged counts while a teardown freed frames
 *              between the two readings, and reported frames missing that
 *              were not (kernel/system.c).
 *
 * argv[1], when given, names a child role (see child_main).
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define TESTCASE_PREFIX "fuzz-regress"
#include "../tests/testcase.h"

#define MS          (1000ULL * 1000)
#define PROG        "fuzz_regress"
#define ROUNDS      500 /* children per driver thread */
#define DRIVERS     4
#define END_TIMEOUT (20 * 1000 * MS)

/* The second thread: with rdi = 0, wait in cap_enter forever (the process
 * is killed); else spin rdi / 2 times, then end the process by a write to
 * address 8 (rdi even) or by exit(7) (rdi odd).  It needs no stack. */
extern const char fr_ender[];
__asm__(".text\n"
        ".globl fr_ender\n"
        "fr_ender:\n"
        "   testq %rdi, %rdi\n"
        "   jnz 3f\n"
        "4: xorl %eax, %eax\n"
        "   movl $128, %edi\n"
        "   movq $-1, %rsi\n"
        "   syscall\n"
        "   jmp 4b\n"
        "3: movq %rdi, %rcx\n"
        "   shrq $1, %rcx\n"
        "   incq %rcx\n"
        "1: decq %rcx\n"
        "   jnz 1b\n"
        "   testq $1, %rdi\n"
        "   jnz 2f\n"
        "   movq $0, 8\n"
        "2: movl $1, %eax\n"
        "   movl $7, %edi\n"
        "   syscall\n"
        "   ud2\n");

static uint32_t spawner;

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    for (; s && *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v;
}

/* ---- join-end ---- */

/* The child: joiner threads submit join after join on the ender while it
 * spins, so that the end of the process finds joins in every state: queued
 * on the ender, and being set up on another CPU. */
#define JOINERS 3
#define JOINS   100 /* per joiner; each stays pending until the process ends */

static uint32_t ender_handle;

static int joiner(void *arg)
{
    (void)arg;
    uint32_t h;
    while (!(h = __atomic_load_n(&ender_handle, __ATOMIC_ACQUIRE)))
        ;
    for (uint32_t i = 0; i < JOINS; i++) {
        struct capos_sqe *s = capos_ring_prep();
        if (!s)
            break;
        capos_sqe_call(s, h, capos_ThreadHandle_INTERFACE_ID, capos_ThreadHandle_method_join, 0, 0,
                       0, 0, 0, 0);
        s->user_data = capos_ring_cookie();
        capos_ring_enter(0, 0);
    }
    for (;;)
        capos_ring_enter(CAPOS_RING_CQ_ENTRIES, CAPOS_WAIT_FOREVER);
    return 0;
}

static int child_join_end(uint64_t arg)
{
    uint32_t ts;
    if (capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &ts) != CAPOS_OK)
        return 90;
    for (int i = 0; i < JOINERS; i++) {
        struct capos_thread *t;
        if (capos_thread_create(&t, joiner, 0, &(struct capos_thread_opts){.stack_size = 8192}) !=
            CAPOS_OK)
            return 93;
    }
    struct capos_msg m;
    uint64_t res[8];
    uint32_t len = 0;
    capos_msg_init(&m);
    capos_ThreadSpawner_spawn_Params_builder p = capos_ThreadSpawner_spawn_Params_init_root(&m.b);
    capos_ThreadSpawner_spawn_Params_set_entry(p, (uint64_t)(uintptr_t)fr_ender);
    capos_ThreadSpawner_spawn_Params_set_stack(p, CAPOS_USER_MIN);
    capos_ThreadSpawner_spawn_Params_set_arg(p, arg);
    int r = capos_client_call(ts, capos_ThreadSpawner_INTERFACE_ID,
                              capos_ThreadSpawner_method_spawn, &m, res, sizeof(res), &len);
    if (r != CAPOS_OK)
        return 91;
    uint32_t h =
        ((const uint32_t *)(const void *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
    __atomic_store_n(&ender_handle, h, __ATOMIC_RELEASE);
    capos_client_call(h, capos_ThreadHandle_INTERFACE_ID, capos_ThreadHandle_method_join, 0, res,
                      sizeof(res), 0);
    return 92; /* the join completed: the ender did not end the process */
}

/* ---- halt-teardown ---- */

#define HEAVY_CHILDREN 4
#define HEAVY_BYTES    (8ULL << 20)
#define HEAVY_PIPES    4

static int idler(void *arg)
{
    (void)arg;
    for (;;)
        capos_ring_enter(CAPOS_RING_CQ_ENTRIES, CAPOS_WAIT_FOREVER);
    return 0;
}

/* The child: memory, pipes and threads for its teardown to free. */
static int child_heavy(void)
{
    uint32_t memory, pipes;
    uint64_t addr;
    if (capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("pipes", capos_PipeFactory_INTERFACE_ID, &pipes) != CAPOS_OK ||
        capos_vm_map(memory, 0, HEAVY_BYTES, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr) != CAPOS_OK)
        return 90;
    for (int i = 0; i < HEAVY_PIPES; i++) {
        uint64_t res[16];
        if (capos_client_call(pipes, capos_PipeFactory_INTERFACE_ID,
                              capos_PipeFactory_method_create, 0, res, sizeof(res), 0) != CAPOS_OK)
            return 91;
    }
    for (uint64_t cpu = 0; cpu < 4; cpu++) {
        struct capos_thread *t;
        if (capos_thread_create(&t, idler, 0,
                                &(struct capos_thread_opts){.stack_size = 8192,
                                                            .affinity = 1ULL << cpu}) != CAPOS_OK)
            return 92;
    }
    return idler(0);
}

static void case_halt_teardown(void)
{
    begin("halt-teardown");
    uint32_t h[HEAVY_CHILDREN];
    uint32_t n = 0;
    for (uint32_t i = 0; i < HEAVY_CHILDREN; i++) {
        const char *argv[] = {PROG, "heavy"};
        const struct capos_grant g[] = {
            {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
            {.name = "memory",
             .kernel = true,
             .kind = capos_KernelCapKind_virtualMemory,
             .memory_limit = 2 * HEAVY_BYTES},
            {.name = "pipes", .kernel = true, .kind = capos_KernelCapKind_pipeFactory},
        };
        int r = capos_spawn(spawner, PROG, "heavy", g, 3, argv, 2, 0, 0, &h[n]);
        if (r != CAPOS_OK)
            fail("spawn: %s", capos_error_name(r));
        else
            n++;
    }
    /* Time to set up (a child killed early only has less to free). */
    capos_timer_sleep(timer, 300 * MS);
    for (uint32_t i = 0; i < n; i++) {
        int r = capos_process_kill(h[i]);
        if (r != CAPOS_OK)
            fail("kill: %s", capos_error_name(r));
    }
    /* No wait: the program's own exit follows, and with it the halt. */
    end();
}

static int child_main(const char *role, char **argv)
{
    if (strcmp(role, "join-end") == 0)
        return child_join_end(parse(argv[2]));
    if (strcmp(role, "heavy") == 0)
        return child_heavy();
    return 99;
}

struct driver {
    struct capos_thread *t;
    uint32_t id;
    uint64_t faulted, exited, killed;
};

static int join_end_driver(void *arg)
{
    struct driver *d = arg;
    uint64_t rng = 0x6a6f696eULL + d->id;
    for (uint32_t i = 0; i < ROUNDS && !case_failures; i++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        /* Two thirds are killed while the joins pile up on an ender that
         * waits; the others end themselves after a spin. */
        bool kill = (rng >> 60) % 3 != 0;
        char spin[24];
        fmt_snprintf(spin, sizeof(spin), "%lu",
                     kill ? 0ul : 1 + (unsigned long)(rng >> 33) % 400000);
        const char *argv[] = {PROG, "join-end", spin};
        const struct capos_grant g[] = {
            {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
        };
        uint32_t h;
        int r = capos_spawn(spawner, PROG, "join-end", g, 1, argv, 3, 0, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn: %s", capos_error_name(r));
            return 1;
        }
        if (kill) {
            capos_timer_sleep(timer, (rng >> 8) % (3 * MS));
            if ((r = capos_process_kill(h)) != CAPOS_OK)
                fail("kill: %s", capos_error_name(r));
        }
        /* Every child ends within moments; one that does not is a hang. */
        struct capos_exit st;
        struct capos_cqe cqe;
        uint64_t res[32];
        r = call_deadline(timer, h, capos_ProcessHandle_INTERFACE_ID,
                          capos_ProcessHandle_method_wait, res, sizeof(res), END_TIMEOUT, &cqe);
        if (r == CAPOS_ERR_TIMED_OUT) {
            fail("child %u (ender arg %s, %s) has not ended in %lu s", i, spin,
                 kill ? "killed" : "not killed", (unsigned long)(END_TIMEOUT / (1000 * MS)));
            return 1;
        }
        capos_release(h);
        if (r != CAPOS_OK || !capos_exit_decode(res, cqe.result_len, &st)) {
            fail("wait: %s", capos_error_name(r));
            return 1;
        }
        if (st.kind == capos_ExitStatus_which_faulted && st.vector == 14 && st.address == 8)
            d->faulted++;
        else if (st.kind == capos_ExitStatus_which_exited && st.code == 7)
            d->exited++;
        else if (kill && st.kind == capos_ExitStatus_which_killed)
            d->killed++;
        else
            fail("child %u ended with kind %d, code %d, vector %u at %#lx", i, (int)st.kind,
                 st.code, st.vector, (unsigned long)st.address);
    }
    return 0;
}

static void case_join_end(void)
{
    begin("join-end");
    struct driver d[DRIVERS];
    memset(d, 0, sizeof(d));
    for (uint32_t i = 0; i < DRIVERS; i++) {
        d[i].id = i;
        if (capos_thread_create(&d[i].t, join_end_driver, &d[i],
                                &(struct capos_thread_opts){.stack_size = 32 * 1024}) != CAPOS_OK)
            fail("driver thread");
    }
    uint64_t faulted = 0, exited = 0, killed = 0;
    for (uint32_t i = 0; i < DRIVERS; i++) {
        if (d[i].t)
            capos_thread_join(d[i].t, 0, 0);
        faulted += d[i].faulted;
        exited += d[i].exited;
        killed += d[i].killed;
    }
    capos_printf("fuzz-regress: join-end: %lu children faulted, %lu exited, %lu killed\n",
                 (unsigned long)faulted, (unsigned long)exited, (unsigned long)killed);
    end();
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return child_main(argv[1], argv);
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK ||
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("fuzz-regress: FAIL: missing capabilities\n");
        return 1;
    }
    case_join_end();
    case_halt_teardown(); /* last: its check is the kernel's report at halt */
    capos_printf("fuzz-regress: %u cases, %u failed\n", ncases, nfailed);
    return nfailed ? 1 : 0;
}
