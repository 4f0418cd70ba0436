/*
 * The benchmark's IPC server: answers every call on its "ipc" export at once
 * (benchlib.h's loop: an empty result, or the 64 bytes received; placing
 * the server on a CPU and saying where it runs; ending it).  Here it also
 * takes the one-way figure: for each ONEWAY call the client put its own
 * rdtsc in the first word of the message, and the server records the
 * difference to its rdtsc when the call arrives; REPORT prints the median
 * and ends the server.
 */
#include "benchlib.h"

#define SAMPLES 2048

static uint64_t buf[64] __attribute__((aligned(8)));
static uint64_t oneway[SAMPLES];
static uint32_t noneway;

static bool oneway_methods(uint16_t method, uint64_t *msg, uint32_t *len, uint64_t arrival)
{
    *len = 0;
    if (method == IPCSRV_ONEWAY) {
        if (noneway < SAMPLES)
            oneway[noneway++] = arrival - msg[0];
        return false;
    }
    if (method == IPCSRV_REPORT) {
        bench_sort(oneway, (int)noneway);
        capos_printf("BENCH ipc_oneway_insns %lu\n",
                     (unsigned long)(noneway ? oneway[noneway / 2] : 0));
        return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    uint32_t server;
    (void)argc, (void)argv;
    if (capos_capset_find("ipc", capos_Endpoint_INTERFACE_ID, &server) != CAPOS_OK)
        return 1;
    return bench_serve(server, buf, oneway_methods);
}
