/*
 * EntropySource object: random bytes from the CPU's conditioned entropy
 * source (RDSEED on x86_64), falling back to its random number generator
 * (RDRAND).  Each may fail transiently;
 * a bounded number of retries per word keeps the call's cost bounded, and a
 * source that keeps failing is reported as `exhausted`, never as weak data.
 */
#include "arch.h"
#include "capos.rpc.h"
#include "msg.h"
#include "objects.h"

#define ENTROPY_MAX   capos_maxEntropyFill /* the schema's bound on len */
#define ENTROPY_TRIES 32

struct kobj entropy_obj = {KOBJ_ENTROPY, 0};

static bool entropy_word(int src, uint64_t *v)
{
    for (int i = 0; i < ENTROPY_TRIES; i++) {
        if (arch_entropy_word(src, v))
            return true;
        cpu_relax();
    }
    /* The entropy source can be starved; the generator (seeded from the
     * same source) is still a sound source of random bytes. */
    if (src == 2) {
        for (int i = 0; i < ENTROPY_TRIES; i++) {
            if (arch_entropy_word(1, v))
                return true;
        }
    }
    return false;
}

capos_EntropySource_SERVER(entropy, struct kobj, struct call);

int entropy_invoke(struct kobj *o, struct call *c)
{
    return entropy_dispatch(o, c);
}

/* `len` is 1 to ENTROPY_MAX (the schema's bounds, checked by the decoder). */
static int entropy_fill(struct kobj *o, struct call *c, const capos_EntropySource_fill_args *a)
{
    uint8_t buf[ENTROPY_MAX];
    int src = arch_entropy_sources();
    if (src == 0)
        return CAPOS_ERR_UNSUPPORTED;
    for (uint32_t i = 0; i < a->len; i += 8) {
        uint64_t v;
        if (!entropy_word(src, &v))
            return CAPOS_ERR_EXHAUSTED;
        for (uint32_t k = 0; k < 8 && i + k < a->len; k++)
            buf[i + k] = (uint8_t)(v >> (8 * k));
    }
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_EntropySource_fill_encode_results(
        &b, &(capos_EntropySource_fill_results){.bytes = {buf, a->len}});
    return call_result_end(c, &b);
}
