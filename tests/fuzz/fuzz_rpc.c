/*
 * libFuzzer target for the generated RPC decoders: every method of
 * schema/capos.capnp and of the test schema, both directions.  An input is
 *
 *   byte 0     which method (an index into both method tables)
 *   byte 1     bits 0-1: capabilities sent with it (0-3); bit 2: decode it
 *              as the method's results instead of its parameters
 *   the rest   the message
 *
 * For every input the decoder must not crash or trip a sanitizer, must give
 * the same verdict and detail twice, and a refusal's detail must be of the
 * right kind and name a field of that method (or the message as a whole).
 * An accepted message is re-encoded from the decoded struct: that must
 * decode again, and encoding that must reproduce the bytes exactly (a
 * re-encoding may fail only where a view's wholesale copy meets malformed
 * material the decoder had no reason to visit).  For
 * methods without parameter fields the verdict is also compared with an
 * independent check made with lib/capnp alone: the framing and root are
 * well formed, nothing is set, and no capability came with it.  For a
 * pipe read's or write's parameters and for the pipe results, whatever the
 * flat readers of rpc/flat.h accept the generated decoder must accept with
 * the same values.
 *
 * `make rpc-fuzz-seeds` writes the seed corpus (tests/fuzz/corpus/rpc) from
 * the generated encoders: FUZZ_RPC_SEEDS=DIR makes the target write them
 * at start-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capos.rpc.h"
#include "rpc/flat.h"
#include "wiretest.rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void fail(const char *method, const char *why)
{
    fprintf(stderr, "fuzz_rpc: %s: invariant violated: %s\n", method, why);
    abort();
}

/* The target only decodes and encodes; stubs never run. */
int capos_rpc_submit(uint32_t cap, uint64_t interface_id, uint16_t method, const void *msg,
                     uint32_t len, void *buf, uint32_t buf_len, const struct capos_xfer *xfer,
                     uint16_t nxfer, uint64_t *cookie)
{
    abort();
}

int capos_rpc_wait(uint64_t cookie, struct capos_cqe *cqe)
{
    abort();
}

void capos_rpc_release(uint32_t cap)
{
    abort();
}

#define NCAPOS    (sizeof(capos_rpc_methods) / sizeof(capos_rpc_methods[0]))
#define NWIRETEST (sizeof(wiretest_rpc_methods) / sizeof(wiretest_rpc_methods[0]))

static const struct capos_rpc_method *
method_at(unsigned i, const struct capos_rpc_method_names **names, size_t *nnames)
{
    i %= NCAPOS + NWIRETEST;
    if (i < NCAPOS) {
        *names = capos_rpc_names;
        *nnames = sizeof(capos_rpc_names) / sizeof(capos_rpc_names[0]);
        return &capos_rpc_methods[i];
    }
    *names = wiretest_rpc_names;
    *nnames = sizeof(wiretest_rpc_names) / sizeof(wiretest_rpc_names[0]);
    return &wiretest_rpc_methods[i - NCAPOS];
}

/* One decode; *detail set on failure.  The decoded struct goes to `out`,
 * whose views need `r` to stay alive. */
static bool decode(const struct capos_rpc_method *m, bool results, struct capnp_reader *r,
                   const void *msg, uint32_t len, uint32_t ncaps, void *out, uint32_t *detail)
{
    if (results)
        return m->decode_results(r, msg, len, ncaps, out, detail);
    struct capos_rpc_call rc = {.interface_id = m->interface_id,
                                .params = msg,
                                .params_len = len,
                                .ncaps = ncaps,
                                .method = m->method};
    bool ok = m->decode_args(r, &rc, out);
    *detail = rc.detail;
    return ok;
}

static void encode(const struct capos_rpc_method *m, bool results, struct capnp_builder *b,
                   const void *in)
{
    if (results)
        m->encode_results(b, in);
    else
        m->encode_args(b, in);
}

/* The independent verdict for a method without parameter fields. */
static bool reference_empty(const uint8_t *msg, uint32_t len, uint32_t ncaps)
{
    struct capnp_reader r;
    if (ncaps)
        return false;
    if (len == 0)
        return true;
    if (capnp_reader_init(&r, msg, len, 0) != CAPNP_OK)
        return false;
    struct capnp_ptr root = capnp_reader_root_ptr(&r);
    enum capnp_kind k;
    if (capnp_ptr_read_kind(root, &k) != CAPNP_OK ||
        (k != CAPNP_KIND_NULL && k != CAPNP_KIND_STRUCT))
        return false;
    struct capnp_struct s = capnp_reader_root(&r);
    if (capnp_reader_error(&r) != CAPNP_OK)
        return false;
    for (uint32_t i = 0; i < s.data_bits / 8; i++) {
        if (s.data[i])
            return false;
    }
    for (uint32_t i = 0; i < s.nptrs; i++) {
        if (!capnp_ptr_is_null(capnp_struct_ptr(&s, i)))
            return false;
    }
    return true;
}

/* Room for any decoded argument or result struct. */
union any {
    uint64_t align;
    uint8_t bytes[256];
};

static uint64_t arena1[1 << 15], arena2[1 << 15];

/* The flat readers (rpc/flat.h) accept only what the generated decoder
 * accepts, and read the same values.  msg is malloc'd, so 8-aligned. */
static void check_flat(const struct capos_rpc_method *m, bool results, const uint8_t *msg,
                       uint32_t len, uint32_t ncaps, bool ok, const union any *a)
{
    const uint64_t *w = (const uint64_t *)(const void *)msg;
    bool read = m->interface_id == capos_PipeReader_INTERFACE_ID &&
                m->method == capos_PipeReader_method_read;
    bool write = m->interface_id == capos_PipeWriter_INTERFACE_ID &&
                 m->method == capos_PipeWriter_method_write;
    if (!read && !write)
        return;
    if (results) {
        uint32_t n;
        if (ncaps != 0 || !capos_pipe_result_decode(w, len, &n))
            return;
        uint32_t got = read ? ((const capos_PipeReader_read_results *)(const void *)a)->n
                            : ((const capos_PipeWriter_write_results *)(const void *)a)->n;
        if (!ok || got != n)
            fail(m->name, "the flat result reader differs from the decoder");
        return;
    }
    uint64_t buf;
    uint32_t n;
    bool nb;
    if (ncaps != 0 || !capos_pipe_io_decode(w, len, &buf, &n, &nb))
        return;
    const capos_PipeReader_read_args *r = (const void *)a;
    const capos_PipeWriter_write_args *wr = (const void *)a;
    if (!ok || (read ? r->buf != buf || r->len != n || r->nonBlocking != nb
                     : wr->buf != buf || wr->len != n || wr->nonBlocking != nb))
        fail(m->name, "the flat parameter reader differs from the decoder");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size - 2 > CAPOS_MAX_MSG_BYTES)
        return 0;
    const struct capos_rpc_method_names *names;
    size_t nnames;
    const struct capos_rpc_method *m = method_at(data[0], &names, &nnames);
    uint32_t ncaps = data[1] & 3;
    bool results = (data[1] & 4) && m->decode_results;
    uint32_t len = (uint32_t)(size - 2);
    if (m->args_size > sizeof(union any) || m->results_size > sizeof(union any))
        fail(m->name, "argument struct larger than the fuzzer expects");

    /* An exact-size copy, so that the sanitizer sees any read past it. */
    uint8_t *msg = malloc(len ? len : 1);
    memcpy(msg, data + 2, len);
    struct capnp_reader r1, r2;
    union any a1, a2;
    uint32_t d1 = 0, d2 = 0;
    bool ok1 = decode(m, results, &r1, msg, len, ncaps, &a1, &d1);
    bool ok2 = decode(m, results, &r2, msg, len, ncaps, &a2, &d2);
    if (ok1 != ok2 || (!ok1 && d1 != d2))
        fail(m->name, "two decodes of the same message disagree");

    if (!results && m->no_args && ok1 != reference_empty(msg, len, ncaps))
        fail(m->name, "verdict differs from the reference check");
    check_flat(m, results, msg, len, ncaps, ok1, &a1);

    if (!ok1) {
        char buf[160];
        uint32_t kind = CAPOS_RPC_DETAIL_KIND(d1);
        if (kind != (results ? CAPOS_DETAIL_RESULTS : CAPOS_DETAIL_PARAMS))
            fail(m->name, "refusal of the wrong detail kind");
        capos_rpc_detail_format(buf, sizeof(buf), d1, m->interface_id, m->method, names, nnames);
        if (strchr(buf, '?'))
            fail(m->name, "refusal names no field of the method");
        free(msg);
        return 0;
    }

    /* Re-encode, decode again, re-encode: a fixed point. */
    struct capnp_builder b1, b2;
    const uint8_t *m1, *m2;
    size_t l1, l2;
    capnp_builder_init(&b1, arena1, sizeof(arena1));
    encode(m, results, &b1, &a1);
    if (capnp_builder_finish(&b1, &m1, &l1) != CAPNP_OK) {
        /* Copying a view copies what it points to wholesale, including
         * what the decoder had no reason to visit (an inactive union
         * member's pointer, a result field this schema does not know);
         * only malformed material there may make the copy fail. */
        if (capnp_reader_error(&r1) == CAPNP_OK)
            fail(m->name, "re-encoding an accepted message failed");
        free(msg);
        return 0;
    }
    struct capnp_reader r3;
    union any a3;
    uint32_t d3 = 0;
    if (!decode(m, results, &r3, m1, (uint32_t)l1, ncaps, &a3, &d3))
        fail(m->name, "the re-encoded message is refused");
    capnp_builder_init(&b2, arena2, sizeof(arena2));
    encode(m, results, &b2, &a3);
    if (capnp_builder_finish(&b2, &m2, &l2) != CAPNP_OK || l1 != l2 || memcmp(m1, m2, l1) != 0)
        fail(m->name, "re-encoding is not a fixed point");
    free(msg);
    return 0;
}

/* ---- seeds ---- */

static void write_seed(const char *dir, const char *name, unsigned index, uint8_t flags,
                       struct capnp_builder *b)
{
    const uint8_t *out;
    size_t len;
    char path[512];
    if (capnp_builder_finish(b, &out, &len) != CAPNP_OK)
        fail(name, "seed does not encode");
    snprintf(path, sizeof(path), "%s/%s%s", dir, name, flags & 4 ? "-results" : "");
    FILE *f = fopen(path, "wb");
    if (!f)
        fail(name, "cannot write the seed");
    uint8_t head[2] = {(uint8_t)index, flags};
    fwrite(head, 1, 2, f);
    fwrite(out, 1, len, f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("FUZZ_RPC_SEEDS");
    (void)argc, (void)argv;
    if (NCAPOS + NWIRETEST > 256)
        fail("-", "more methods than the selector byte reaches");
    if (!dir)
        return 0;
    /* Every method's default message both ways, and a spawn with grants. */
    for (unsigned i = 0; i < NCAPOS + NWIRETEST; i++) {
        const struct capos_rpc_method_names *names;
        size_t nnames;
        const struct capos_rpc_method *m = method_at(i, &names, &nnames);
        struct capnp_builder b;
        capnp_builder_init(&b, arena1, sizeof(arena1));
        m->encode_args(&b, 0);
        write_seed(dir, m->name, i, 0, &b);
        if (m->encode_results) {
            capnp_builder_init(&b, arena1, sizeof(arena1));
            m->encode_results(&b, 0);
            write_seed(dir, m->name, i, 4, &b);
        }
    }
    for (unsigned i = 0; i < NCAPOS; i++) {
        if (capos_rpc_methods[i].interface_id != capos_ProcessSpawner_INTERFACE_ID ||
            capos_rpc_methods[i].method != capos_ProcessSpawner_method_spawn)
            continue;
        struct capnp_builder b;
        capnp_builder_init(&b, arena1, sizeof(arena1));
        capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_encode_args(
            &b, &(capos_ProcessSpawner_spawn_args){.binary = {"hello", 5}, .name = {"h", 1}});
        capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawn_Params_init_grants(p, 2);
        capos_SpawnGrant_set_name(capos_SpawnGrant_list_at(gl, 0), "console", 7);
        capos_KernelCap_set_kind(capos_SpawnGrant_init_kernel(capos_SpawnGrant_list_at(gl, 0)),
                                 capos_KernelCapKind_console);
        capos_SpawnGrant_set_name(capos_SpawnGrant_list_at(gl, 1), "ep", 2);
        capos_SpawnGrant_set_cap(capos_SpawnGrant_list_at(gl, 1), 0);
        capnp_lb_set_text(capos_ProcessSpawner_spawn_Params_init_argv(p, 1), 0, "hello", 5);
        write_seed(dir, "ProcessSpawner.spawn-grants", i, 1, &b);
    }
    fprintf(stderr, "fuzz_rpc: seeds written to %s\n", dir);
    exit(0);
}
