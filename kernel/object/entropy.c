/*
 * EntropySource object: random bytes from RDSEED (a conditioned hardware
 * source), falling back to RDRAND.  Each instruction may fail transiently;
 * a bounded number of retries per word keeps the call's cost bounded, and a
 * source that keeps failing is reported as `exhausted`, never as weak data.
 */
#include "abi/errors.h"
#include "arch/x86_64/cpu.h"
#include "msg.h"
#include "objects.h"

#define ENTROPY_MAX   256
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

int entropy_invoke(struct kobj *o, struct call *c)
{
    struct capnp_reader r;
    struct capnp_builder b;
    uint8_t buf[ENTROPY_MAX];
    (void)o;
    if (c->sqe->method != capos_EntropySource_method_fill)
        return CAPOS_ERR_UNKNOWN_METHOD;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    uint32_t len =
        capos_EntropySource_fill_Params_get_len(capos_EntropySource_fill_Params_read_root(&r));
    if (!call_params_ok(&r) || len == 0 || len > ENTROPY_MAX)
        return CAPOS_ERR_INVALID_ARGUMENT;
    int src = entropy_source();
    if (src == 0)
        return CAPOS_ERR_UNSUPPORTED;
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t v;
        if (!entropy_word(src, &v))
            return CAPOS_ERR_EXHAUSTED;
        for (uint32_t k = 0; k < 8 && i + k < len; k++)
            buf[i + k] = (uint8_t)(v >> (8 * k));
    }
    call_result_begin(c, &b);
    capos_EntropySource_fill_Results_set_bytes(capos_EntropySource_fill_Results_init_root(&b), buf,
                                               len);
    return call_result_end(c, &b);
}
