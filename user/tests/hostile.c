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

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    capos_capset_find("console", capos_Console_INTERFACE_ID, &console);
    capos_printf("hostile %s: starting\n", mode);
    if (strcmp(mode, "garbage") == 0)
        return attack_garbage();
    if (strcmp(mode, "quota") == 0)
        return attack_quota();
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
