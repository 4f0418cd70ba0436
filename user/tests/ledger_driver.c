/*
 * ledger_driver: runs ledger_flood and checks that its floods of kernel
 * memory hurt nobody (system/smoke-ledger.capnp).
 *
 *   1. It notes its own quota use, then starts ledger_flood as its child,
 *      with a 16 MiB quota, a ThreadSpawner, a launcher restricted to
 *      ledger_flood itself and a client facet of an endpoint of its own.
 *   2. When the flood calls that endpoint to say it holds its whole quota,
 *      it starts an innocent child with a quota of its own, which must map
 *      and use 4 MiB, and answers the flood once the innocent has ended.
 *   3. It waits for the flood to exit (leaving threads, queued calls and
 *      objects behind) and releases what it holds.  Everything the flood
 *      and its children made the kernel hold was charged below this
 *      process's ledger, so its quota use must come back to where it was
 *      (teardown finishes after the exit is reported: it waits for that).
 *
 * argv[1] "innocent" is the innocent's role.
 */
#include "capos.h"

#include "base/mem.h"

#define KIB        1024ULL
#define MIB        (1024ULL * 1024)
#define PAGE       4096ULL
#define REPORT_IID 0x666c6f6f64000002ULL /* ledger_flood.c */

static uint32_t console, spawner, memory, timer;
static int failures;

static uint64_t quota_used(void)
{
    uint64_t limit, used;
    if (capos_vm_quota(memory, &limit, &used) != CAPOS_OK)
        return 0;
    return used;
}

static int innocent_main(void)
{
    uint64_t addr;
    if (capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK)
        return 2;
    int err = capos_vm_map(memory, 0, 4 * MIB, 3, &addr);
    if (err != CAPOS_OK) {
        capos_printf("ledger-innocent: mapping 4 MiB of its own quota failed: %s\n",
                     capos_error_name(err));
        return 1;
    }
    volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)addr;
    for (uint64_t off = 0; off < 4 * MIB; off += PAGE)
        w[off / 8] = off ^ 0x1234;
    for (uint64_t off = 0; off < 4 * MIB; off += PAGE) {
        if (w[off / 8] != (off ^ 0x1234)) {
            capos_printf("ledger-innocent: its memory does not hold what it wrote\n");
            return 1;
        }
    }
    capos_printf("ledger-innocent: mapped and used 4 MiB of its own quota\n");
    return 0;
}

/* Starts a child and returns its handle (0 on failure, reported). */
static uint32_t start(const char *binary, const char *name, const struct capos_grant *g,
                      uint32_t ng, const char *const *argv, uint32_t argc)
{
    uint32_t handle;
    int err = capos_spawn(spawner, binary, name, g, ng, argv, argc, NULL, 0, &handle);
    if (err != CAPOS_OK) {
        capos_printf("ledger-driver: FAIL: starting %s: %s\n", name, capos_error_name(err));
        failures++;
        return 0;
    }
    return handle;
}

/* Waits for a child, which must exit with status 0, and releases it. */
static void finish(uint32_t handle, const char *name)
{
    struct capos_exit st;
    int err = capos_process_wait(handle, &st);
    if (err != CAPOS_OK || st.kind != capos_ExitStatus_which_exited || st.code != 0) {
        capos_printf("ledger-driver: FAIL: %s did not exit with status 0 (%s, kind %d, code %d)\n",
                     name, capos_error_name(err), (int)st.kind, (int)st.code);
        failures++;
    } else {
        capos_printf("ledger-driver: %s exited with status 0\n", name);
    }
    capos_release(handle);
}

/* The first two grants of every child: a copy of the console and a
 * VirtualMemory of `limit` bytes. */
static void first_grants(struct capos_grant *g, uint64_t limit)
{
    g[0] = (struct capos_grant){.name = "console", .cap = console, .mode = CAPOS_XFER_COPY};
    g[1] = (struct capos_grant){
        .name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory};
    g[1].memory_limit = limit;
}

static void run_innocent(void)
{
    static const char *const argv[] = {"ledger_driver", "innocent"};
    struct capos_grant g[2];
    first_grants(g, 8 * MIB);
    uint32_t h = start("ledger_driver", "ledger-innocent", g, 2, argv, 2);
    if (h)
        finish(h, "the innocent process");
}

/* Quota use settles once the flood's threads have been torn down, which
 * happens after its exit is reported: wait up to two seconds for it. */
static uint64_t settled_use(uint64_t want)
{
    uint64_t used = quota_used();
    for (int i = 0; i < 200 && (used > want + PAGE || used + PAGE < want); i++) {
        capos_timer_sleep(timer, 10 * 1000 * 1000);
        used = quota_used();
    }
    return used;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "innocent") == 0)
        return innocent_main();
    if (capos_capset_find("console", capos_Console_INTERFACE_ID, &console) != CAPOS_OK ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK ||
        capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("ledger-driver: missing capabilities\n");
        return 2;
    }
    /* Once before measuring, so that the kernel objects of a run have
     * their slab frames in this process's ledger already. */
    run_innocent();
    uint64_t before = quota_used();

    uint32_t server, client, launcher;
    static const char *const allowed[] = {"ledger_flood"};
    if (capos_create_endpoint(spawner, &server, &client) != CAPOS_OK ||
        capos_restrict(spawner, allowed, 1, &launcher) != CAPOS_OK) {
        capos_printf("ledger-driver: cannot make the flood's capabilities\n");
        return 2;
    }
    struct capos_grant g[5];
    first_grants(g, 16 * MIB);
    g[2] = (struct capos_grant){
        .name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner};
    g[3] = (struct capos_grant){.name = "launcher", .cap = launcher, .mode = CAPOS_XFER_MOVE};
    g[4] = (struct capos_grant){
        .name = "driver", .cap = client, .mode = CAPOS_XFER_MOVE, .interface_id = REPORT_IID};
    static const char *const fargv[] = {"ledger_flood"};
    uint32_t flood = start("ledger_flood", "ledger-flood", g, 5, fargv, 1);
    if (!flood)
        return 1;

    /* The flood calls once it holds its quota. */
    uint64_t buf[64];
    struct capos_request req;
    int err = capos_recv(server, buf, sizeof(buf), &req);
    if (err != CAPOS_OK || req.interface_id != REPORT_IID) {
        capos_printf("ledger-driver: FAIL: no report from the flood (%s)\n", capos_error_name(err));
        failures++;
    } else {
        char held[32] = "?";
        if (req.msg_len > 0 && req.msg_len <= sizeof(held) && req.msg[req.msg_len - 1] == 0)
            memcpy(held, req.msg, req.msg_len);
        capos_printf("ledger-driver: the flood holds %s bytes of its quota; starting an "
                     "innocent process\n",
                     held);
        run_innocent();
        capos_return(server, req.token, CAPOS_OK, NULL, 0, NULL, 0);
    }
    finish(flood, "the flood");
    capos_release(server);

    uint64_t after = settled_use(before);
    if (after > before + PAGE || after + PAGE < before) {
        capos_printf("ledger-driver: FAIL: quota use is %lu KiB after the flood, %lu KiB "
                     "before\n",
                     (unsigned long)(after / KIB), (unsigned long)(before / KIB));
        failures++;
    } else {
        capos_printf("ledger-driver: quota use back to %lu KiB (%lu KiB before the flood): ok\n",
                     (unsigned long)(after / KIB), (unsigned long)(before / KIB));
    }
    capos_printf("ledger-driver: %d failures\n", failures);
    return failures ? 1 : 0;
}
