/*
 * EntropySource object: random bytes from RDSEED (a conditioned hardware
 * source), falling back to RDRAND.  Each instruction may fail transiently;
 * a bounded number of retries per word keeps the call's cost bounded, and a
 * source that keeps failing is reported as `exhausted`, never as weak data.
 */
#include "arch/x86_64/cpu.h"
#include "capos.rpc.h"
#include "msg.h"
#include "objects.h"

#define ENTROPY_MAX   capos_maxEntropyFill /* the schema's bound on len */
#define ENTROPY_TRIES 32

struct kobj entropy_obj = {KOBJ_ENTROPY, 0};

static bool entropy_rdseed(uint64_t *v)
{
    uint8_t ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok;
}

static bool entropy_rdrand(uint64_t *v)
{
    uint8_t ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok;
}

/* 0 = neither instruction, 1 = RDRAND only, 2 = RDSEED (and RDRAND). */
static int entropy_source(void)
{
    static int probed = -1;
    if (probed < 0) {
        bool rdrand = cpuid(1, 0).ecx & (1u << 30);
        bool rdseed = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & (1u << 18));
        probed = rdseed ? 2 : rdrand ? 1 : 0;
    }
    return probed;
}

static bool entropy_word(int src, uint64_t *v)
{
    for (int i = 0; i < ENTROPY_TRIES; i++) {
        if (src == 2 ? entropy_rdseed(v) : entropy_rdrand(v))
            return true;
        cpu_relax();
    }
    /* RDSEED can be starved; RDRAND (a DRBG seeded from the same source) is
     * still a sound source of random bytes. */
    if (src == 2) {
        for (int i = 0; i < ENTROPY_TRIES; i++) {
            if (entropy_rdrand(v))
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
    int src = entropy_source();
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
