/*
 * SerialInput, hostile and ordinary (smoke serial-input): the smoke types
 * on the serial console when this program says it is ready.
 *
 *   1. A reader that dies waiting: a child ("victim", this binary) starts a
 *      read and faults; its read must be cancelled, not left holding the
 *      one waiting place.
 *   2. Two readers: a read waits (submitted, not awaited); a second read
 *      fails with quotaExceeded.  The smoke types "abc\r": the waiting read
 *      (max 2) gets "ab", the next "c\r".
 *   3. A read into a buffer that is not the caller's memory: badAddress,
 *      and the next read still works (the smoke types "x" and then "yz").
 *   4. Reads of 0 and above maxSerialRead bytes: invalidArgument.
 *   5. A flood nobody reads: the smoke types 5000 bytes; the kernel keeps
 *      4096 and counts the rest as dropped, and the 4096 read back whole.
 * Then it prints the kernel's byte counts.
 */
#include "capos.h"

#include "base/mem.h"

static void show(const char *what, const uint8_t *p, uint32_t n)
{
    char s[64];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k + 4 < sizeof(s); i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f) {
            s[k++] = (char)p[i];
        } else {
            static const char hex[] = "0123456789abcdef";
            s[k++] = '\\';
            s[k++] = 'x';
            s[k++] = hex[p[i] >> 4];
            s[k++] = hex[p[i] & 15];
        }
    }
    s[k] = 0;
    capos_printf("serialin: %s \"%s\"\n", what, s);
}

static int victim(uint32_t in)
{
    uint64_t arena[capos_SerialInput_read_ARENA_WORDS], res[32], cookie;
    struct capnp_builder b;
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capnp_builder_init(&b, arena, sizeof(arena));
    int err = capos_SerialInput_read_submit(in, &(capos_SerialInput_read_args){.max = 16}, &b, &o,
                                            &cookie);
    if (err != CAPOS_OK)
        return 2;
    capos_ring_enter(0, 0); /* the read is in the kernel now */
    capos_printf("serialin: victim waits, then faults\n");
    *(volatile int *)0 = 1;
    return 3;
}

int main(int argc, char **argv)
{
    uint32_t in = capos_capset_require("input", capos_SerialInput_INTERFACE_ID);
    if (argc > 1 && argv[1][0] == 'v')
        return victim(in);

    /* 1. */
    uint32_t spawner = capos_capset_require("spawner", capos_ProcessSpawner_INTERFACE_ID), h;
    const struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "input", .kernel = true, .kind = capos_KernelCapKind_serialInput},
    };
    const char *vargv[] = {"victim", "victim"};
    struct capos_exit st;
    if (capos_spawn(spawner, "serialin", "victim", g, 2, vargv, 2, NULL, 0, &h) != CAPOS_OK ||
        capos_process_wait(h, &st) != CAPOS_OK)
        return 1;
    capos_printf("serialin: victim %s\n",
                 st.kind == capos_ExitStatus_which_faulted ? "faulted" : "did not fault");

    /* 2. */
    uint64_t arena[capos_SerialInput_read_ARENA_WORDS], res[32], res2[32], cookie;
    struct capnp_builder b;
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_SerialInput_read_results r;
    capnp_builder_init(&b, arena, sizeof(arena));
    if (capos_SerialInput_read_submit(in, &(capos_SerialInput_read_args){.max = 2}, &b, &o,
                                      &cookie) != CAPOS_OK)
        return 1;
    struct capos_rpc_opts o2 = {.buf = res2, .buf_len = sizeof(res2)};
    int err = capos_SerialInput_read_call(in, &(capos_SerialInput_read_args){.max = 8}, &r, &o2);
    capos_printf("serialin: a second reader: %s\n", capos_error_name(err));
    capos_printf("serialin: ready for abc\n");
    struct capos_cqe c;
    if (capos_ring_wait(cookie, &c) != 0)
        return 1;
    err = capos_SerialInput_read_complete(&c, &r, &o);
    if (err != CAPOS_OK)
        return 1;
    show("the waiting read got", r.data.ptr, r.data.len);
    err = capos_SerialInput_read_call(in, &(capos_SerialInput_read_args){.max = 8}, &r, &o2);
    if (err != CAPOS_OK)
        return 1;
    show("the next read got", r.data.ptr, r.data.len);

    /* 3. */
    struct capos_rpc_opts bad = {.buf = (void *)0xffff800000001000ul, .buf_len = 256};
    capos_printf("serialin: ready for x\n");
    err = capos_SerialInput_read_call(in, &(capos_SerialInput_read_args){.max = 1}, &r, &bad);
    capos_printf("serialin: a read into kernel memory: %s\n", capos_error_name(err));
    capos_printf("serialin: ready for yz\n");
    uint8_t got[8];
    uint32_t n = 0;
    while (n == 0 || got[n - 1] != 'z') {
        err = capos_SerialInput_read_call(in, &(capos_SerialInput_read_args){.max = 2}, &r, &o2);
        if (err != CAPOS_OK)
            return 1;
        for (uint32_t i = 0; i < r.data.len && n < sizeof(got) - 1; i++)
            got[n++] = r.data.ptr[i];
    }
    show("then", got, n);

    /* 4. */
    err = capos_SerialInput_read_call(in, &(capos_SerialInput_read_args){.max = 0}, &r, &o2);
    capos_printf("serialin: max 0: %s\n", capos_error_name(err));
    err = capos_SerialInput_read_call(
        in, &(capos_SerialInput_read_args){.max = capos_maxSerialRead + 1}, &r, &o2);
    capos_printf("serialin: max %u: %s\n", capos_maxSerialRead + 1, capos_error_name(err));

    capos_SerialInput_stats_results s;
    if (capos_SerialInput_stats_call(in, NULL, &s, NULL) != CAPOS_OK)
        return 1;
    capos_printf("serialin: %lu bytes received, %lu dropped\n", (unsigned long)s.received,
                 (unsigned long)s.dropped);

    /* 5. */
    uint64_t before = s.received;
    capos_printf("serialin: ready for a flood\n");
    do {
        if (capos_SerialInput_stats_call(in, NULL, &s, NULL) != CAPOS_OK)
            return 1;
    } while (s.received < before + 5000);
    capos_printf("serialin: flooded: %lu bytes received, %lu dropped\n", (unsigned long)s.received,
                 (unsigned long)s.dropped);
    uint32_t kept = 0;
    bool same = true;
    while (kept < 4096) {
        uint64_t big[(capos_maxSerialRead + 64) / 8];
        struct capos_rpc_opts ob = {.buf = big, .buf_len = sizeof(big)};
        err = capos_SerialInput_read_call(
            in, &(capos_SerialInput_read_args){.max = capos_maxSerialRead}, &r, &ob);
        if (err != CAPOS_OK)
            return 1;
        for (uint32_t i = 0; i < r.data.len; i++)
            same &= r.data.ptr[i] == 'f';
        kept += r.data.len;
    }
    capos_printf("serialin: read back %u bytes%s\n", kept, same ? ", all of the flood" : "");
    return 0;
}
