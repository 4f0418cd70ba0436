/*
 * A deliberately hostile process for the hostile-process smoke.  argv[1]
 * picks the attack:
 *   garbage  random SQEs, forged/released/stale cap ids, bad buffers: every
 *            request must complete with a defined error (exit 0 if all did)
 *   quota    maps memory until the quota runs out: a clean error, then exit 0
 *   sq       corrupts its submission tail      (the kernel stops it)
 *   cq       corrupts its completion head      (the kernel stops it)
 *   fault    writes to kernel memory           (the kernel stops it)
 *   spin     loops forever without a system call (it is preempted forever)
 *   image    ProcessSpawner.spawnImage with bad images, bad addresses and
 *            sizes, an image over the child's quota and a restricted
 *            launcher, and ProcessSpawner.fork through a restricted
 *            launcher or with a start outside user memory: each fails
 *            with its documented error and this process goes on; a good
 *            image starts (exit 0 if all did)
 *   exec     ProcessSpawner.exec with the same bad images, sizes and
 *            addresses and a restricted launcher, one of them moving the
 *            console away: each fails with its documented error and this
 *            process goes on with its memory and capabilities as they
 *            were; then a good image replaces it (exit 42, as "exec")
 */
#include "capos.h"

#include "base/mem.h"

static uint32_t console;
static int failures;

static void expect(const char *what, int got, int want)
{
    if (got != want) {
        capos_printf("hostile: UNEXPECTED: %s gave %s, expected %s\n", what, capos_error_name(got),
                     capos_error_name(want));
        failures++;
    }
}

/* Submits one raw SQE and returns its completion's result. */
static int raw(const struct capos_sqe *tmpl)
{
    struct capos_cqe c;
    struct capos_sqe *s = capos_ring_prep();
    if (!s)
        return -1;
    *s = *tmpl;
    s->user_data = capos_ring_cookie();
    if (capos_ring_wait(s->user_data, &c) != 0)
        return -1;
    return c.result;
}

/* A CALL of `method` of `iid` on cap, every other field 0. */
static struct capos_sqe call_of(uint32_t cap, uint64_t iid, uint16_t method)
{
    struct capos_sqe s = {0};
    capos_sqe_call(&s, cap, iid, method, 0, 0, 0, 0, 0, 0);
    return s;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int attack_garbage(void)
{
    static const char ro_text[64] = "read-only";
    struct capos_sqe s;
    uint8_t buf[64];
    int n = 0;

    /* Random bytes as SQEs: each must complete, never crash anything. */
    for (int i = 0; i < 2000; i++, n++) {
        uint64_t w[8];
        for (int k = 0; k < 8; k++)
            w[k] = next_rand();
        memcpy(&s, w, sizeof(s));
        int r = raw(&s);
        if (r <= 0) {
            capos_printf("hostile: UNEXPECTED: garbage SQE %d gave %d\n", i, r);
            failures++;
        }
    }
    memset(&s, 0, sizeof(s));
    s.opcode = 9;
    expect("unknown opcode", raw(&s), CAPOS_ERR_INVALID_OPCODE);
    memset(&s, 0, sizeof(s));
    s.flags = 1;
    expect("flag bit", raw(&s), CAPOS_ERR_INVALID_OPCODE);
    s = call_of(console, capos_Console_INTERFACE_ID, 0);
    s.reserved = 7;
    expect("reserved field", raw(&s), CAPOS_ERR_INVALID_OPCODE);

    /* Forged, released and stale capability ids. */
    for (int i = 0; i < 200; i++, n++) {
        s = call_of((uint32_t)next_rand() | 0x10000, capos_Console_INTERFACE_ID, 0);
        int r = raw(&s);
        if (r != CAPOS_ERR_INVALID_CAP && r != CAPOS_ERR_STALE_CAP &&
            !(s.cap == console && r == CAPOS_OK)) {
            capos_printf("hostile: UNEXPECTED: forged cap %#x gave %s\n", s.cap,
                         capos_error_name(r));
            failures++;
        }
    }
    s = call_of(0, 0, 0);
    expect("cap id 0", raw(&s), CAPOS_ERR_INVALID_CAP);
    s.cap = 0x0001ffff;
    expect("index out of range", raw(&s), CAPOS_ERR_INVALID_CAP);
    s.cap = console;
    s.interface_id = capos_Timer_INTERFACE_ID;
    expect("wrong interface", raw(&s), CAPOS_ERR_WRONG_INTERFACE);
    s.interface_id = capos_Console_INTERFACE_ID;
    s.method = 77;
    expect("unknown method", raw(&s), CAPOS_ERR_UNKNOWN_METHOD);

    /* Bad buffers: unmapped, kernel half, wrapping, too long, read-only result. */
    s = call_of(console, capos_Console_INTERFACE_ID, capos_Console_method_write);
    s.send_addr = 0x10000;
    s.send_len = 64;
    expect("unmapped params", raw(&s), CAPOS_ERR_BAD_ADDRESS);
    s.send_addr = 0xffff800000100000ULL;
    expect("kernel params", raw(&s), CAPOS_ERR_BAD_ADDRESS);
    s.send_addr = 0xfffffffffffff000ULL;
    s.send_len = 0x2000;
    expect("wrapping params", raw(&s), CAPOS_ERR_BAD_ADDRESS);
    s.send_addr = (uint64_t)(uintptr_t)buf;
    s.send_len = CAPOS_MAX_MSG_BYTES + 8;
    expect("oversized params", raw(&s), CAPOS_ERR_INVALID_ARGUMENT);
    s.send_len = sizeof(buf);
    memset(buf, 0xff, sizeof(buf));
    expect("malformed params", raw(&s), CAPOS_ERR_INVALID_ARGUMENT);

    uint32_t timer;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) == CAPOS_OK) {
        s = call_of(timer, capos_Timer_INTERFACE_ID, capos_Timer_method_now);
        s.recv_addr = (uint64_t)(uintptr_t)ro_text;
        s.recv_len = sizeof(ro_text);
        expect("read-only result buffer", raw(&s), CAPOS_ERR_BAD_ADDRESS);
        s.recv_addr = (uint64_t)(uintptr_t)buf;
        s.recv_len = 8;
        expect("small result buffer", raw(&s), CAPOS_ERR_RESULT_TOO_LARGE);
        s.recv_addr = 0xffffffff80200000ULL;
        s.recv_len = 64;
        expect("kernel result buffer", raw(&s), CAPOS_ERR_BAD_ADDRESS);
        /* Released, then stale: the id must never work again. */
        memset(&s, 0, sizeof(s));
        s.opcode = CAPOS_OP_RELEASE;
        s.cap = timer;
        expect("release", raw(&s), CAPOS_OK);
        expect("release again", raw(&s), CAPOS_ERR_STALE_CAP);
        s = call_of(timer, capos_Timer_INTERFACE_ID, 0);
        expect("call on released cap", raw(&s), CAPOS_ERR_STALE_CAP);
    }
    /* cap_enter itself with nonsense. */
    expect("cap_enter(min too big)", (int)-capos_cap_enter(100000, 0), CAPOS_ERR_INVALID_ARGUMENT);

    capos_printf("hostile garbage: %d bad requests all rejected with defined errors; %d "
                 "unexpected\n",
                 n + 20, failures);
    return failures ? 1 : 0;
}

static int attack_quota(void)
{
    uint32_t vm;
    uint64_t addr, total = 0;
    int r;
    if (capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &vm) != CAPOS_OK)
        return 2;
    while ((r = capos_vm_map(vm, 0, 1024 * 1024, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr)) ==
           CAPOS_OK)
        total += 1024 * 1024;
    capos_printf("hostile quota: mapped %lu MiB, then %s\n", (unsigned long)(total >> 20),
                 capos_error_name(r));
    return r == CAPOS_ERR_QUOTA_EXCEEDED ? 0 : 1;
}

/* A minimal static ELF64 executable for x86_64, built in place: one
 * read-execute PT_LOAD holding the headers and the code at 0x400078,
 * which exits with 42 (rax = 1, rdi = code, syscall). */
#define IMG_BASE 0x400000ULL
static uint8_t img[16384] __attribute__((aligned(4096)));

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* One PT_LOAD program header at index i of the image's table. */
static void img_phdr(unsigned i, uint32_t flags, uint64_t off, uint64_t vaddr, uint64_t filesz,
                     uint64_t memsz)
{
    uint8_t *ph = img + 64 + 56 * i;
    put32(ph, 1); /* PT_LOAD */
    put32(ph + 4, flags);
    put64(ph + 8, off);
    put64(ph + 16, vaddr);
    put64(ph + 24, vaddr);
    put64(ph + 32, filesz);
    put64(ph + 40, memsz);
    put64(ph + 48, 4096);
}

static uint64_t img_good(void)
{
    static const uint8_t code[] = {0xbf, 42, 0, 0, 0, 0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b};
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF\2\1\1", 7); /* 64-bit, little-endian, version 1 */
    put16(img + 16, 2);              /* ET_EXEC */
    put16(img + 18, 62);             /* EM_X86_64 */
    put32(img + 20, 1);
    put64(img + 24, IMG_BASE + 120); /* entry: the code after the headers */
    put64(img + 32, 64);             /* e_phoff */
    put16(img + 52, 64);
    put16(img + 54, 56);
    put16(img + 56, 1);
    memcpy(img + 120, code, sizeof(code));
    img_phdr(0, 5, 0, IMG_BASE, 120 + sizeof(code), 120 + sizeof(code));
    return 120 + sizeof(code);
}

/* spawnImage of [addr, addr+size) with no grants, or with a memory quota
 * of `limit` bytes; *handle and *pid get the child on success, *detail
 * the error's detail. */
static int spawn_image(uint32_t spawner, uint64_t addr, uint64_t size, uint64_t limit,
                       uint32_t *handle, uint32_t *pid, uint32_t *detail)
{
    static struct capos_msg m;
    capos_msg_init(&m);
    capos_ProcessSpawner_spawnImage_args a = {.image = addr, .size = size, .name = {"imgchild", 8}};
    capos_ProcessSpawner_spawnImage_Params_builder p =
        capos_ProcessSpawner_spawnImage_encode_args(&m.b, &a);
    if (limit) {
        capos_SpawnGrant_builder g =
            capos_SpawnGrant_list_at(capos_ProcessSpawner_spawnImage_Params_init_grants(p, 1), 0);
        capos_SpawnGrant_set_name(g, "memory", 6);
        capos_KernelCap_builder k = capos_SpawnGrant_init_kernel(g);
        capos_KernelCap_set_kind(k, capos_KernelCapKind_virtualMemory);
        capos_KernelCap_set_memoryLimit(k, limit);
    }
    capos_ProcessSpawner_spawnImage_results r;
    struct capos_rpc_opts o = {0};
    int e = capos_ProcessSpawner_spawnImage_call_built(spawner, &m.b, &r, &o);
    *detail = o.detail & 0xffffff;
    if (e == CAPOS_OK) {
        *handle = r.handle;
        *pid = r.pid;
    }
    return e;
}

static void expect_image(const char *what, uint32_t spawner, uint64_t addr, uint64_t size,
                         uint64_t limit, int want, uint32_t want_detail)
{
    uint32_t h, pid, detail;
    int e = spawn_image(spawner, addr, size, limit, &h, &pid, &detail);
    expect(what, e, want);
    if (e == CAPOS_OK) {
        capos_process_kill(h);
        capos_release(h);
    } else if (want_detail && detail != want_detail) {
        capos_printf("hostile: UNEXPECTED: %s: detail %#x, expected %#x\n", what, detail,
                     want_detail);
        failures++;
    }
}

static int attack_image(void)
{
    const uint32_t image = capos_ProcessSpawner_spawnImage_field_image;
    const uint32_t size = capos_ProcessSpawner_spawnImage_field_size;
    uint32_t spawner, h, pid, detail, launcher;
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK)
        return 2;
    uint64_t len = img_good();
    int e = spawn_image(spawner, (uint64_t)(uintptr_t)img, len, 0, &h, &pid, &detail);
    expect("a good image", e, CAPOS_OK);
    if (e == CAPOS_OK) {
        /* The copy is the kernel's: rewriting ours changes nothing. */
        memset(img, 0xcc, sizeof(img));
        struct capos_exit st;
        capos_ProcessHandle_pid_results pr;
        expect("ProcessHandle.pid", capos_ProcessHandle_pid_call(h, 0, &pr, 0), CAPOS_OK);
        expect("its pid", pr.pid == pid ? CAPOS_OK : -1, CAPOS_OK);
        expect("wait", capos_process_wait(h, &st), CAPOS_OK);
        expect("its exit",
               st.kind == capos_ExitStatus_which_exited && st.code == 42 ? CAPOS_OK : -1, CAPOS_OK);
        capos_release(h);
    }
    uint64_t at = (uint64_t)(uintptr_t)img;
    len = img_good();
    expect_image("size 0", spawner, at, 0, 0, CAPOS_ERR_INVALID_ARGUMENT, size);
    expect_image("over maxSpawnImage", spawner, at, capos_maxSpawnImage + 1, 0,
                 CAPOS_ERR_INVALID_ARGUMENT, size);
    expect_image("a kernel address", spawner, 0xffff800000000000ULL, 4096, 0, CAPOS_ERR_BAD_ADDRESS,
                 0);
    expect_image("unmapped memory", spawner, 0x7e0000000000ULL, 4096, 0, CAPOS_ERR_BAD_ADDRESS, 0);
    expect_image("past the end of the address space", spawner, ~0ULL - 100, 4096, 0,
                 CAPOS_ERR_BAD_ADDRESS, 0);
    expect_image("truncated", spawner, at, 100, 0, CAPOS_ERR_INVALID_ARGUMENT, image);
    put16(img + 18, 40); /* EM_ARM */
    expect_image("another machine", spawner, at, len, 0, CAPOS_ERR_INVALID_ARGUMENT, image);
    img_good();
    put16(img + 56, 2); /* a second segment over the first */
    img_phdr(1, 6, 0, IMG_BASE, len, len);
    expect_image("overlapping segments", spawner, at, sizeof(img), 0, CAPOS_ERR_INVALID_ARGUMENT,
                 image);
    img_good();
    img_phdr(0, 5, 0, IMG_BASE, len, 1ULL << 40); /* a terabyte */
    expect_image("an absurd segment", spawner, at, len, 0, CAPOS_ERR_QUOTA_EXCEEDED, 0);
    img_good();
    put16(img + 16, 3); /* ET_DYN */
    expect_image("position-independent", spawner, at, len, 0, CAPOS_ERR_INVALID_ARGUMENT, image);
    img_good();
    expect_image("an image over the child's quota", spawner, at, sizeof(img), 8192,
                 CAPOS_ERR_QUOTA_EXCEEDED, 0);
    capos_ProcessSpawner_restrict_results rr;
    e = capos_ProcessSpawner_restrict_call(spawner, &(capos_ProcessSpawner_restrict_args){0}, &rr,
                                           0);
    expect("restrict", e, CAPOS_OK);
    launcher = e == CAPOS_OK ? rr.launcher : 0;
    expect_image("a restricted launcher", launcher, at, len, 0, CAPOS_ERR_NOT_PERMITTED, 0);
    /* fork: a restricted launcher starts no copy of its caller, and the
     * copy's start must be user memory (nothing is made either way). */
    capos_ProcessSpawner_fork_results fr;
    const capos_ProcessSpawner_fork_args ok_fork = {.entry = IMG_BASE, .stack = IMG_BASE};
    expect("fork through a restricted launcher",
           capos_ProcessSpawner_fork_call(launcher, &ok_fork, &fr, 0), CAPOS_ERR_NOT_PERMITTED);
    expect("fork with entry 0",
           capos_ProcessSpawner_fork_call(
               spawner, &(capos_ProcessSpawner_fork_args){.entry = 0, .stack = IMG_BASE}, &fr, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("fork with a kernel stack",
           capos_ProcessSpawner_fork_call(
               spawner,
               &(capos_ProcessSpawner_fork_args){.entry = IMG_BASE, .stack = 0xffff800000000000ULL},
               &fr, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    /* Still whole: a good image starts after all of that. */
    expect_image("a good image again", spawner, at, len, 0, CAPOS_OK, 0);
    capos_printf("hostile image: 18 cases; %d unexpected\n", failures);
    return failures ? 1 : 0;
}

/* exec of [addr, addr+size); with `move_console` the call moves the
 * console to the new program (a grant), which a failure must give back.
 * *detail gets the error's detail.  Returns only on failure. */
static int exec_image(uint32_t spawner, uint64_t addr, uint64_t size, bool move_console,
                      uint32_t *detail)
{
    static struct capos_msg m;
    capos_msg_init(&m);
    capos_ProcessSpawner_exec_args a = {.image = addr, .size = size, .name = {"exec", 4}};
    capos_ProcessSpawner_exec_Params_builder p = capos_ProcessSpawner_exec_encode_args(&m.b, &a);
    struct capos_xfer x = {.cap = console, .mode = CAPOS_XFER_MOVE};
    struct capos_rpc_opts o = {0};
    if (move_console) {
        capos_SpawnGrant_builder g =
            capos_SpawnGrant_list_at(capos_ProcessSpawner_exec_Params_init_grants(p, 1), 0);
        capos_SpawnGrant_set_name(g, "console", 7);
        capos_SpawnGrant_set_cap(g, 0);
        o.xfer = &x;
        o.nxfer = 1;
    }
    capos_ProcessSpawner_exec_results r;
    int e = capos_ProcessSpawner_exec_call_built(spawner, &m.b, &r, &o);
    *detail = o.detail & 0xffffff;
    return e;
}

/* A pattern over this many bytes of data and of stack, checked after
 * every exec that failed. */
#define EXEC_PATTERN 65536
static uint8_t exec_data[EXEC_PATTERN];

static bool exec_intact(const uint8_t *p, unsigned seed)
{
    for (unsigned i = 0; i < EXEC_PATTERN; i++) {
        if (p[i] != (uint8_t)(i * 13 + seed))
            return false;
    }
    return true;
}

static void expect_exec(const char *what, uint32_t spawner, uint64_t addr, uint64_t size,
                        bool move_console, int want, uint32_t want_detail, const uint8_t *stack)
{
    uint32_t detail;
    int e = exec_image(spawner, addr, size, move_console, &detail);
    expect(what, e, want);
    if (want_detail && detail != want_detail) {
        capos_printf("hostile: UNEXPECTED: %s: detail %#x, expected %#x\n", what, detail,
                     want_detail);
        failures++;
    }
    if (!exec_intact(exec_data, 1) || !exec_intact(stack, 2)) {
        capos_printf("hostile: UNEXPECTED: %s: memory changed\n", what);
        failures++;
    }
    /* The capabilities are all there: the console (moved, for one case,
     * and given back), and the spawner answers. */
    capos_ProcessSpawner_restrict_results rr;
    int r = capos_ProcessSpawner_restrict_call(spawner, &(capos_ProcessSpawner_restrict_args){0},
                                               &rr, 0);
    expect("restrict after a failed exec", r, CAPOS_OK);
    if (r == CAPOS_OK)
        capos_release(rr.launcher);
    capos_printf("hostile exec: %s: %s\n", what, capos_error_name(e));
}

static int attack_exec(void)
{
    const uint32_t image = capos_ProcessSpawner_exec_field_image;
    const uint32_t size = capos_ProcessSpawner_exec_field_size;
    uint32_t spawner, detail;
    uint8_t stack[EXEC_PATTERN];
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK)
        return 2;
    for (unsigned i = 0; i < EXEC_PATTERN; i++) {
        exec_data[i] = (uint8_t)(i * 13 + 1);
        stack[i] = (uint8_t)(i * 13 + 2);
    }
    uint64_t at = (uint64_t)(uintptr_t)img, len = img_good();
    expect_exec("size 0", spawner, at, 0, false, CAPOS_ERR_INVALID_ARGUMENT, size, stack);
    expect_exec("over maxSpawnImage", spawner, at, capos_maxSpawnImage + 1, false,
                CAPOS_ERR_INVALID_ARGUMENT, size, stack);
    expect_exec("a kernel address", spawner, 0xffff800000000000ULL, 4096, false,
                CAPOS_ERR_BAD_ADDRESS, 0, stack);
    expect_exec("unmapped memory", spawner, 0x7e0000000000ULL, 4096, false, CAPOS_ERR_BAD_ADDRESS,
                0, stack);
    expect_exec("truncated", spawner, at, 100, false, CAPOS_ERR_INVALID_ARGUMENT, image, stack);
    put16(img + 18, 40); /* EM_ARM */
    expect_exec("another machine, moving the console", spawner, at, len, true,
                CAPOS_ERR_INVALID_ARGUMENT, image, stack);
    img_good();
    put16(img + 56, 2); /* a second segment over the first */
    img_phdr(1, 6, 0, IMG_BASE, len, len);
    expect_exec("overlapping segments", spawner, at, sizeof(img), false, CAPOS_ERR_INVALID_ARGUMENT,
                image, stack);
    img_good();
    img_phdr(0, 5, 0, IMG_BASE, len, 1ULL << 40); /* a terabyte */
    expect_exec("an absurd segment", spawner, at, len, false, CAPOS_ERR_QUOTA_EXCEEDED, 0, stack);
    img_good();
    put16(img + 16, 3); /* ET_DYN */
    expect_exec("position-independent", spawner, at, len, false, CAPOS_ERR_INVALID_ARGUMENT, image,
                stack);
    capos_ProcessSpawner_restrict_results rr;
    int e = capos_ProcessSpawner_restrict_call(spawner, &(capos_ProcessSpawner_restrict_args){0},
                                               &rr, 0);
    expect("restrict", e, CAPOS_OK);
    img_good();
    expect_exec("a restricted launcher", e == CAPOS_OK ? rr.launcher : 0, at, len, false,
                CAPOS_ERR_NOT_PERMITTED, 0, stack);
    capos_printf("hostile exec: 10 cases; %d unexpected\n", failures);
    if (failures)
        return 1;
    /* Whole after all of that: a good image replaces this program. */
    e = exec_image(spawner, at, len, false, &detail);
    capos_printf("hostile exec: UNEXPECTED: a good image gave %s\n", capos_error_name(e));
    return 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    capos_capset_find("console", capos_Console_INTERFACE_ID, &console);
    capos_printf("hostile %s: starting\n", mode);
    if (strcmp(mode, "garbage") == 0)
        return attack_garbage();
    if (strcmp(mode, "quota") == 0)
        return attack_quota();
    if (strcmp(mode, "image") == 0)
        return attack_image();
    if (strcmp(mode, "exec") == 0)
        return attack_exec();
    if (strcmp(mode, "sq") == 0) {
        struct capos_ring_header *h = (struct capos_ring_header *)(uintptr_t)CAPOS_USER_RING_VA;
        h->sq_tail = h->sq_head + 100000;
        capos_cap_enter(0, 0);
    } else if (strcmp(mode, "cq") == 0) {
        struct capos_ring_header *h = (struct capos_ring_header *)(uintptr_t)CAPOS_USER_RING_VA;
        h->cq_head = h->cq_tail + 5;
        capos_cap_enter(1, CAPOS_WAIT_FOREVER);
    } else if (strcmp(mode, "fault") == 0) {
        *(volatile uint64_t *)0xffff800000001000ULL = 1;
    } else if (strcmp(mode, "spin") == 0) {
        for (volatile uint64_t i = 0;; i++)
            ;
    }
    capos_printf("hostile %s: survived (this should not happen)\n", mode);
    return 99;
}
