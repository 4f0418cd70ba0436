/*
 * capOS side of `make bench`: path lengths of the ring, of kernel calls, of
 * IPC and of threads, printed as "BENCH <key> <value>" lines for
 * tools/bench.py.
 *
 * Method (the same as the Linux program's, docs/benchmarks.md): the TSC
 * counts guest instructions under QEMU icount; each batch of n operations is
 * bracketed by lfence;rdtsc ... rdtscp;lfence with the bracket's own cost
 * subtracted; three warm-up batches, then the median of fifteen.  Loop
 * overhead stays in, as on Linux.
 *
 * Run with the argument "smp2" (bench/capos/bench-smp2.capnp, two vCPUs) it
 * measures the IPC round trip with client and server on different CPUs
 * instead, and the same-CPU round trip in that machine for comparison.
 * "profile <operation>" adds a traced run of one operation for
 * bench/capos/profile.py.
 */
#include "benchlib.h"

#include "base/mem.h"

static uint64_t overhead;
static volatile uint64_t nop_sink;
static uint32_t timer;
static uint32_t ipc;

static void measure(const char *key, bench_run_fn run, uint32_t n, uint32_t ops_per_iter)
{
    bench_measure(key, run, n, ops_per_iter, overhead);
}

static void run_null_enter(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        capos_cap_enter(0, 0);
}

/* Submit `batch` NOPs, one cap_enter, look at each completion and consume
 * them all (as an io_uring program does with its CQ). */
static void nop_batch(uint32_t batch)
{
    for (uint32_t i = 0; i < batch; i++) {
        struct capos_sqe *s = capos_ring_prep();
        s->opcode = CAPOS_OP_NOP;
        s->user_data = i;
    }
    capos_ring_enter(batch, CAPOS_WAIT_FOREVER);
    for (uint32_t i = 0; i < batch; i++) {
        const struct capos_cqe *c = capos_ring_peek();
        nop_sink += c->user_data + (uint64_t)c->result;
        capos_ring_advance(1);
    }
}

static void run_nop1(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        nop_batch(1);
}

static void run_nop32(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        nop_batch(32);
}

/* Timer.now as a program makes it: one CALL through the ring, then the
 * result read with the generated accessor. */
static void run_timer_now(uint32_t n)
{
    uint64_t ns;
    for (uint32_t i = 0; i < n; i++)
        capos_timer_now(timer, &ns);
}

/* One synchronous call through the ring: CALL, wait, consume.  The
 * message is raw bytes: the kernel does not interpret endpoint messages. */
static uint64_t ipc_buf[8] __attribute__((aligned(8)));
static uint64_t ipc_res[8] __attribute__((aligned(8)));

static inline void ipc_call(uint16_t method, uint32_t len)
{
    nop_sink += (uint64_t)bench_call(ipc, method, ipc_buf, len, ipc_res, len ? sizeof(ipc_res) : 0);
}

static void run_ipc_rt(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ipc_call(IPCSRV_EMPTY, 0);
}

static void run_ipc_rt64(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ipc_call(IPCSRV_ECHO64, 64);
}

/* A thread that ends at once, created and joined: the runtime allocates its
 * control block and 64 KiB stack, ThreadSpawner.spawn creates it (kernel
 * stack, ring, ThreadControl, ThreadHandle), join waits for its
 * ThreadControl.exit, then the handle is released and the memory freed. */
static int thread_noop(void *arg)
{
    return (int)(intptr_t)arg;
}

static uint32_t thread_errors;

static void run_thread_create_join(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        struct capos_thread *t;
        int code = -1;
        if (capos_thread_create(&t, thread_noop, 0, 0) != CAPOS_OK ||
            capos_thread_join(t, &code, 0) != CAPOS_OK || code != 0)
            thread_errors++;
    }
}

/* ---- spawn + wait ---- */

static uint32_t spawner;
static const char *spawnee;
static uint32_t spawn_errors;

/* ProcessSpawner.spawn of a child with no capabilities that ends at once,
 * ProcessHandle.wait for it, and the handle released: what posix_spawn and
 * waitpid do on Linux. */
static void run_spawn_wait(uint32_t n)
{
    const char *argv[] = {spawnee};
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h;
        struct capos_exit st;
        if (capos_spawn(spawner, spawnee, spawnee, 0, 0, argv, 1, 0, 0, &h) != CAPOS_OK) {
            spawn_errors++;
            continue;
        }
        if (capos_process_wait(h, &st) != CAPOS_OK || st.kind != capos_ExitStatus_which_exited ||
            st.code != 0)
            spawn_errors++;
        if (capos_release(h) != CAPOS_OK)
            spawn_errors++;
    }
}

/* ---- fresh pages ---- */

#define FAULT_PAGES 1024

/*
 * The page-fault figure.  VirtualMemory.map only records the region, and
 * the first write to each page faults: the kernel charges, allocates,
 * zeroes and maps a frame and resumes the write, as Linux's write fault
 * does.  The figure is the map of 1,024 pages plus the first write to each,
 * per page (the map, a few thousand instructions, adds a few per page),
 * with the cost of the write loop itself (a second pass over the same
 * pages) taken out, as on Linux.  The unmap is outside the measurement.
 */
static void bench_page_fault(uint32_t vm)
{
    uint64_t v[BENCH_BATCHES];
    for (int b = -BENCH_WARMUP; b < BENCH_BATCHES; b++) {
        uint64_t addr = 0;
        uint64_t t0 = bench_t_begin();
        int r =
            capos_vm_map(vm, 0, FAULT_PAGES * 4096ULL, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr);
        if (r == CAPOS_OK) {
            for (uint32_t i = 0; i < FAULT_PAGES; i++)
                ((volatile uint8_t *)(uintptr_t)addr)[i * 4096ULL] = 1;
        }
        uint64_t t1 = bench_t_end();
        if (r != CAPOS_OK) {
            capos_printf("INFO error page fault: map failed with %s\n", capos_error_name(r));
            return;
        }
        uint64_t t2 = bench_t_begin();
        for (uint32_t i = 0; i < FAULT_PAGES; i++)
            ((volatile uint8_t *)(uintptr_t)addr)[i * 4096ULL] = 2;
        uint64_t t3 = bench_t_end();
        capos_vm_unmap(vm, addr, FAULT_PAGES * 4096ULL);
        uint64_t first = t1 - t0, again = t3 - t2;
        if (b >= 0)
            v[b] = first > again ? (first - again + FAULT_PAGES / 2) / FAULT_PAGES : 0;
    }
    bench_sort(v, BENCH_BATCHES);
    capos_printf("BENCH page_fault_insns %lu\n", (unsigned long)v[BENCH_BATCHES / 2]);
    capos_printf("INFO spread page_fault_insns min %lu median %lu max %lu\n", (unsigned long)v[0],
                 (unsigned long)v[BENCH_BATCHES / 2], (unsigned long)v[BENCH_BATCHES - 1]);
}

/* ---- memory per thread ---- */

#define MEM_THREADS 16

static volatile uint32_t mem_gate;
static volatile uint32_t mem_ready;
static uint32_t park;

static int parked(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&mem_ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&mem_gate, __ATOMIC_ACQUIRE))
        capos_park_wait(park, (const uint32_t *)&mem_gate, 0, CAPOS_WAIT_FOREVER);
    return 0;
}

/* Creates MEM_THREADS threads that wait in ParkSpace.wait; returns the
 * process's memory in use while they wait (0 on failure), and ends them. */
static uint64_t threads_in_use(uint32_t vm)
{
    struct capos_thread *t[MEM_THREADS];
    uint64_t limit, used = 0;
    mem_gate = 0;
    mem_ready = 0;
    for (int i = 0; i < MEM_THREADS; i++) {
        if (capos_thread_create(&t[i], parked, 0, 0) != CAPOS_OK)
            return 0;
    }
    /* Each has run up to its wait once the last has counted itself and
     * every one had another turn. */
    while (__atomic_load_n(&mem_ready, __ATOMIC_ACQUIRE) < MEM_THREADS)
        capos_thread_yield();
    for (int i = 0; i < MEM_THREADS; i++)
        capos_thread_yield();
    if (capos_vm_quota(vm, &limit, &used) != CAPOS_OK)
        used = 0;
    __atomic_store_n(&mem_gate, 1, __ATOMIC_RELEASE);
    capos_park_wake(park, (const uint32_t *)&mem_gate, MEM_THREADS, 0);
    for (int i = 0; i < MEM_THREADS; i++)
        capos_thread_join(t[i], 0, 0);
    return used;
}

/*
 * The kernel memory a thread costs its process: the growth of the
 * process's charged memory (VirtualMemory.quota) while MEM_THREADS more
 * threads exist, waiting in ParkSpace.wait, per thread.  A first round
 * grows the heap to hold their stacks, so the measured round charges only
 * what the kernel keeps per thread: its kernel stack, struct thread with
 * whatever operations it has in flight, its ring and the page table that
 * maps it.
 */
static void bench_thread_memory(uint32_t vm)
{
    uint64_t limit, before;
    if (!threads_in_use(vm) || capos_vm_quota(vm, &limit, &before) != CAPOS_OK) {
        capos_printf("INFO error thread memory: threads or quota failed\n");
        return;
    }
    uint64_t during = threads_in_use(vm);
    if (during < before) {
        capos_printf("INFO error thread memory: threads or quota failed\n");
        return;
    }
    capos_printf("BENCH thread_memory_bytes %lu\n",
                 (unsigned long)((during - before) / MEM_THREADS));
}

/* The server's CPU after restricting it to `mask` (-1 on failure). */
static int server_pin(uint64_t mask)
{
    ipc_buf[0] = mask;
    if (bench_call(ipc, IPCSRV_PIN, ipc_buf, 8, ipc_res, sizeof(ipc_res)) != CAPOS_OK)
        return -1;
    return (int)(int64_t)ipc_res[0];
}

static int server_where(void)
{
    if (bench_call(ipc, IPCSRV_WHERE, 0, 0, ipc_res, sizeof(ipc_res)) != CAPOS_OK)
        return -1;
    return (int)(int64_t)ipc_res[0];
}

/* Checks that client and server still run where they were put. */
static void check_placement(const char *key, uint32_t *me, int client_cpu, int server_cpu)
{
    int c = bench_where(me), s = server_where();
    if (c != client_cpu || s != server_cpu)
        capos_printf("INFO error %s: client on CPU %d, server on CPU %d (expected %d, %d)\n", key,
                     c, s, client_cpu, server_cpu);
}

/*
 * The two-vCPU figures.  Under icount QEMU runs both vCPUs in turn on one
 * host thread and the TSC is one virtual clock that advances with the
 * instructions of both, so a cross-CPU round trip counts the client's and
 * the server's paths, the wake-up IPIs and both CPUs' idle entries and
 * exits (docs/benchmarks.md).  The same-CPU round trip in this machine is
 * measured too, for comparison.
 */
static int bench_smp2(void)
{
    uint32_t me = 0;
    if (bench_pin_self(0, &me) != 0) {
        capos_printf("INFO error smp2: the client cannot run on CPU 0\n");
        return 1;
    }
    if (server_pin(1ULL << 1) != 1) {
        capos_printf("INFO error smp2: the server cannot run on CPU 1\n");
        return 1;
    }
    /* Batches of 20 round trips: most batches then see no timer tick of
     * either CPU (each ticks every 4 M instructions of the shared clock). */
    measure("ipc_rt_cross_cpu_insns", run_ipc_rt, 20, 1);
    check_placement("ipc_rt_cross_cpu_insns", &me, 0, 1);

    if (server_pin(1ULL << 0) != 0) {
        capos_printf("INFO error smp2: the server cannot run on CPU 0\n");
        return 1;
    }
    measure("ipc_rt_smp2_same_cpu_insns", run_ipc_rt, 1000, 1);
    check_placement("ipc_rt_smp2_same_cpu_insns", &me, 0, 0);
    return 0;
}

/*
 * Profiling (bench/capos/profile.py): the program sleeps briefly (the
 * profiler's cue: the only Timer.sleep of the system), then runs one
 * operation a few times between two calls of a marker function on which
 * the profiler sets a breakpoint; it traces every instruction in between.
 */
static __attribute__((noinline, used)) void bench_profile_mark(void)
{
    __asm__ volatile("" ::: "memory");
}

static int bench_profile(const char *what, uint32_t n)
{
    /* The operations that need nothing placed first. */
    static const struct {
        const char *name;
        bench_run_fn run;
    } plain[] = {
        {"thread", run_thread_create_join}, {"ipc", run_ipc_rt}, {"ipc64", run_ipc_rt64},
        {"null", run_null_enter},           {"nop1", run_nop1},  {"nop32", run_nop32},
        {"spawn", run_spawn_wait},
    };
    bench_run_fn run = 0;
    uint32_t me = 0;
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (!strcmp(what, plain[i].name))
            run = plain[i].run;
    }
    if (!strcmp(what, "spawn")) {
        spawnee = "spawnee_bare";
    } else if (!strcmp(what, "xcpu") || !strcmp(what, "ipc-cpu0")) {
        /* Client on CPU 0, the server on CPU 1 (xcpu) or also on CPU 0. */
        int server_cpu = what[0] == 'x' ? 1 : 0;
        run = run_ipc_rt;
        if (bench_pin_self(0, &me) != 0 || server_pin(1ULL << server_cpu) != server_cpu)
            capos_printf("INFO error profile: cannot place client and server\n");
    }
    if (!run) {
        capos_printf("INFO error profile: unknown operation %s\n", what);
        return 1;
    }
    run(20); /* warm-up */
    capos_timer_sleep(timer, 1000);
    bench_profile_mark();
    run(n);
    bench_profile_mark();
    capos_printf("INFO profile %s %u iterations\n", what, n);
    return 0;
}

/* One-vCPU profiles of IPC keep the server running after the figures. */
static bool profile_needs_server(const char *profile)
{
    return profile && (!strcmp(profile, "ipc") || !strcmp(profile, "ipc64"));
}

/* The one-vCPU figures. */
static void bench_one_cpu(bool have_ipc, bool keep_server)
{
    measure("cap_enter_null_insns", run_null_enter, 2000, 1);
    measure("nop_batch1_insns_per_op", run_nop1, 2000, 1);
    measure("nop_batch32_insns_per_op", run_nop32, 100, 32);
    measure("timer_now_call_insns", run_timer_now, 1000, 1);
    if (have_ipc) {
        measure("ipc_rt_insns", run_ipc_rt, 1000, 1);
        measure("ipc_rt_64b_insns", run_ipc_rt64, 1000, 1);
        /* One-way: the server timestamps arrival against the stamp we send. */
        for (int i = 0; i < 2000; i++) {
            ipc_buf[0] = bench_t_begin();
            ipc_call(IPCSRV_ONEWAY, 8);
        }
        if (!keep_server)
            ipc_call(IPCSRV_REPORT, 0); /* prints the figure and ends the server */
    }
    /* 100 threads per batch, as on Linux. */
    uint32_t threads, vm;
    bool have_vm = capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &vm) == CAPOS_OK;
    if (capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &threads) == CAPOS_OK) {
        measure("thread_create_join_insns", run_thread_create_join, 100, 1);
        if (thread_errors)
            capos_printf("INFO error thread create/join: %u failures\n", thread_errors);
        if (have_vm && capos_capset_find("park", capos_ParkSpace_INTERFACE_ID, &park) == CAPOS_OK)
            bench_thread_memory(vm);
    } else {
        capos_printf("INFO warning no \"threads\" capability: thread figures skipped\n");
    }
    /* 8 spawns per batch, as on Linux. */
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) == CAPOS_OK) {
        spawnee = "spawnee_bare";
        measure("spawn_wait_insns", run_spawn_wait, 8, 1);
        spawnee = "spawnee";
        measure("spawn_wait_rt_insns", run_spawn_wait, 8, 1);
        if (spawn_errors)
            capos_printf("INFO error spawn + wait: %u failures\n", spawn_errors);
    } else {
        capos_printf("INFO warning no \"spawner\" capability: spawn figures skipped\n");
    }
    if (have_vm)
        bench_page_fault(vm);
}

/*
 * Arguments: none for the one-vCPU figures, "smp2" for the two-vCPU ones,
 * "profile <operation>" for profile.py.  A profiled run first goes through
 * the same measurements as the benchmark it belongs to, so the kernel's
 * memory and scheduler are in the state the figure was taken in.
 */
int main(int argc, char **argv)
{
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("INFO error no timer capability\nBENCH_END\n");
        return 1;
    }
    overhead = bench_counter_overhead();
    capos_printf("INFO counter overhead %lu\n", (unsigned long)overhead);
    bool have_ipc = capos_capset_find("ipc", 0, &ipc) == CAPOS_OK;
    const char *profile = argc > 2 && !strcmp(argv[1], "profile") ? argv[2] : 0;
    bool smp2 = (argc > 1 && !strcmp(argv[1], "smp2")) ||
                (profile && (!strcmp(profile, "xcpu") || !strcmp(profile, "ipc-cpu0")));
    int r = 0;

    if (smp2 && !have_ipc) {
        capos_printf("INFO error smp2: no ipc capability\n");
        r = 1;
    } else if (smp2) {
        r = bench_smp2();
    } else {
        bench_one_cpu(have_ipc, profile_needs_server(profile));
    }
    if (profile)
        r |= bench_profile(profile, 4);
    if (have_ipc && (smp2 || profile_needs_server(profile)))
        bench_call(ipc, IPCSRV_END, 0, 0, 0, 0);
    capos_printf("BENCH_END\n");
    return r;
}
