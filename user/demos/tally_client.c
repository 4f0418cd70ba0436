/*
 * Client of the tally service (user/services/tally.c) through the
 * generated stubs: adds to counters, then makes calls the service's
 * generated decoder refuses.  It also shows what the kernel says about a
 * refused call: the field a kernel object refused (EntropySource.fill with
 * len 0) and which check refused a malformed submission entry.
 */
#include "capos.h"

#include "base/mem.h"

static uint32_t tally;

static void add(const char *name, uint32_t amount)
{
    capos_Tally_add_args a = {.name = {name, name ? (uint32_t)strlen(name) : 0}, .amount = amount};
    capos_Tally_add_results r;
    int err = capos_Tally_add_call(tally, &a, &r, NULL);
    if (err == CAPOS_OK)
        capos_printf("tally-client: add %s %u: total %lu\n", name, amount, (unsigned long)r.total);
    else
        capos_printf("tally-client: add %s %u: %s\n", name ? name : "(no name)", amount,
                     capos_error_name(err));
}

static void get(const char *name)
{
    capos_Tally_get_results r;
    int err = capos_Tally_get_call(
        tally, &(capos_Tally_get_args){.name = {name, (uint32_t)strlen(name)}}, &r, NULL);
    if (err == CAPOS_OK)
        capos_printf("tally-client: get %s: total %lu\n", name, (unsigned long)r.total);
    else
        capos_printf("tally-client: get %s: %s\n", name, capos_error_name(err));
}

/* A submission entry the kernel refuses before looking at any capability;
 * prints the completion's result and detail. */
static void refused_sqe(const char *what, struct capos_sqe tmpl)
{
    struct capos_cqe c;
    char why[64];
    struct capos_sqe *s = capos_ring_prep();
    if (!s)
        return;
    *s = tmpl;
    s->user_data = capos_ring_cookie();
    if (capos_ring_wait(s->user_data, &c) == 0)
        capos_printf("tally-client: %s: %s: %s\n", what, capos_error_name(c.result),
                     capos_detail_name(why, sizeof(why), c.detail, 0, 0));
}

/* What the kernel says about refused calls: the field of a kernel object's
 * parameters (EntropySource.fill with len 0), and which check refused a
 * submission entry. */
static void kernel_details(uint32_t entropy)
{
    static uint64_t big[CAPOS_MAX_MSG_BYTES / 8 + 1];
    static struct capos_xfer xfer[CAPOS_MAX_XFER + 1];
    uint64_t res[capos_EntropySource_fill_RESULT_BYTES / 8];
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_EntropySource_fill_results r;
    char why[64];
    int err =
        capos_EntropySource_fill_call(entropy, &(capos_EntropySource_fill_args){.len = 0}, &r, &o);
    capos_printf("tally-client: EntropySource.fill(len 0): %s: %s\n", capos_error_name(err),
                 capos_detail_name(why, sizeof(why), o.detail, capos_EntropySource_INTERFACE_ID,
                                   capos_EntropySource_method_fill));
    refused_sqe("opcode 9", (struct capos_sqe){.opcode = 9});
    refused_sqe("a flag bit", (struct capos_sqe){.opcode = CAPOS_OP_NOP, .flags = 1});
    refused_sqe("NOP with a reserved field",
                (struct capos_sqe){.opcode = CAPOS_OP_NOP, .reserved = 1});
    refused_sqe("CALL of 64 KiB + 8", (struct capos_sqe){.opcode = CAPOS_OP_CALL,
                                                         .cap = entropy,
                                                         .send_addr = (uint64_t)(uintptr_t)big,
                                                         .send_len = sizeof(big)});
    refused_sqe("CALL with 17 capabilities",
                (struct capos_sqe){.opcode = CAPOS_OP_CALL,
                                   .cap = entropy,
                                   .xfer_addr = (uint64_t)(uintptr_t)xfer,
                                   .xfer_count = CAPOS_MAX_XFER + 1});
}

int main(int argc, char **argv)
{
    uint32_t entropy;
    (void)argc, (void)argv;
    if (capos_capset_find("tally", capos_Tally_INTERFACE_ID, &tally) != CAPOS_OK)
        return 1;
    add("apples", 3);
    add("apples", 4);
    add("pears", 1);
    /* Refused by the service's generated decoder. */
    add(NULL, 1);
    add("pears", 0);
    add("a name of twenty bytes", 1);
    get("apples");
    get("plums");
    if (capos_capset_find("entropy", capos_EntropySource_INTERFACE_ID, &entropy) == CAPOS_OK)
        kernel_details(entropy);
    capos_printf("tally-client: done\n");
    return 0;
}
