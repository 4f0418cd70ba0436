/* Batching demo: submits 48 operations (NOPs and Timer.now calls) with one
 * cap_enter, then matches every completion to its request by cookie. */
#include "capos.h"

#include "base/mem.h"

#define N 48

int main(int argc, char **argv)
{
    uint32_t timer;
    uint64_t cookies[N];
    uint64_t results[N][4];
    bool seen[N];
    (void)argc, (void)argv;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK)
        return 1;
    memset(seen, 0, sizeof(seen));
    for (int i = 0; i < N; i++) {
        struct capos_sqe *s = capos_ring_prep();
        if (!s)
            return 2;
        cookies[i] = capos_ring_cookie();
        s->user_data = cookies[i];
        if (i % 3 == 2) {
            s->opcode = CAPOS_OP_CALL;
            s->cap = timer;
            s->interface_id = capos_Timer_INTERFACE_ID;
            s->method = capos_Timer_method_now;
            s->recv_addr = (uint64_t)(uintptr_t)results[i];
            s->recv_len = sizeof(results[i]);
        } else {
            s->opcode = CAPOS_OP_NOP;
        }
    }
    int64_t avail = capos_ring_enter(N, CAPOS_WAIT_FOREVER);
    if (avail < N) {
        capos_printf("batch: FAILED: one cap_enter returned %ld completions\n", (long)avail);
        return 3;
    }
    uint64_t last = 0;
    for (int n = 0; n < N; n++) {
        struct capos_cqe c;
        if (!capos_ring_next(&c))
            return 4;
        int i = (int)(c.user_data - cookies[0]);
        if (i < 0 || i >= N || seen[i] || c.result != CAPOS_OK)
            return 5;
        seen[i] = true;
        if (i % 3 == 2) {
            struct capnp_reader r;
            if (!capos_msg_read(&r, results[i], c.result_len))
                return 6;
            uint64_t ns = capos_Timer_now_Results_get_ns(capos_Timer_now_Results_read_root(&r));
            if (ns < last)
                return 7; /* completions of one batch run in order */
            last = ns;
        }
    }
    capos_printf("batch: %d operations in one cap_enter, all %d completions matched\n", N, N);
    return 0;
}
