/*
 * The benchmark's IPC server: answers every call on its "ipc" export at once
 * with an empty result (method 0) or the 64 bytes it received (method 1),
 * submitting RETURN and the next RECV together in one cap_enter, which waits
 * for both completions (the RETURN's at once, the RECV's when the next call
 * arrives), so each round trip costs the server one kernel entry.  Method 2
 * asks for the one-way figure: for each call the client put its own rdtsc in
 * the first word of the message; the server records the difference to its
 * rdtsc when the call arrives.  Method 3 reports that figure and ends.
 */
#include "capos.h"

#define SAMPLES 2048

static uint64_t buf[64] __attribute__((aligned(8)));
static uint64_t oneway[SAMPLES];
static uint32_t noneway;

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi)::"rcx", "memory");
    return ((uint64_t)hi << 32) | lo;
}

static void post_recv(uint32_t server)
{
    struct capos_sqe *s = capos_ring_prep();
    s->opcode = CAPOS_OP_RECV;
    s->cap = server;
    s->recv_addr = (uint64_t)(uintptr_t)buf;
    s->recv_len = sizeof(buf);
    s->user_data = 1;
}

static void post_return(uint32_t server, uint64_t token, uint32_t len)
{
    struct capos_sqe *s = capos_ring_prep();
    s->opcode = CAPOS_OP_RETURN;
    s->cap = server;
    s->token = token;
    if (len) {
        s->send_addr = (uint64_t)(uintptr_t)buf;
        s->send_len = len;
    }
    s->user_data = 2;
}

static void sort(uint64_t *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        uint32_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

int main(int argc, char **argv)
{
    uint32_t server;
    (void)argc, (void)argv;
    if (capos_capset_find("ipc", capos_Endpoint_INTERFACE_ID, &server) != CAPOS_OK)
        return 1;
    post_recv(server);
    uint32_t want = 1; /* completions the next cap_enter waits for */
    for (;;) {
        capos_ring_enter(want, CAPOS_WAIT_FOREVER);
        want = 0;
        const struct capos_cqe *c;
        while ((c = capos_ring_peek()) != 0) {
            uint64_t ud = c->user_data, token = c->token;
            uint16_t method = c->method;
            int result = c->result;
            capos_ring_advance(1);
            if (ud != 1)
                continue; /* a RETURN's completion */
            if (result != CAPOS_OK)
                return 2;
            if (method == 2 && noneway < SAMPLES)
                oneway[noneway++] = tsc() - buf[0];
            if (method == 3) {
                sort(oneway, noneway);
                capos_printf("BENCH ipc_oneway_insns %lu\n",
                             (unsigned long)(noneway ? oneway[noneway / 2] : 0));
                post_return(server, token, 0);
                capos_ring_enter(0, 0);
                return 0;
            }
            post_return(server, token, method == 1 ? 64 : 0);
            post_recv(server);
            want += 2;
        }
        if (want == 0)
            want = 1;
    }
}
